using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentHost.Tests.Template;

/// <summary>The template pack's files agree with the repository (no nested builds: these run with the unit tests).</summary>
public sealed class TemplateContentTests
{
    private static readonly string Root = TemplateFeedFixture.FindRepositoryRoot();
    private static readonly string Content = Path.Combine(Root, "plugin-template", "content", "agent-plugin");

    [Fact]
    public void TemplateDefaultSdkVersion_EqualsAgentSdkVersionInDirectoryBuildProps()
    {
        using var template = JsonDocument.Parse(File.ReadAllText(Path.Combine(Content, ".template.config", "template.json")));
        var defaultValue = template.RootElement.GetProperty("symbols").GetProperty("sdkVersion").GetProperty("defaultValue").GetString();

        Assert.Equal(TemplateFeedFixture.ReadAgentSdkVersion(Root), defaultValue);
    }

    [Fact]
    public void GeneratedTestProject_UsesTheRepositorysTestPackageVersions()
    {
        var central = File.ReadAllText(Path.Combine(Root, "Directory.Packages.props"));
        var testProject = File.ReadAllText(Path.Combine(Content, "tests", "Company.PluginName.Tests", "Company.PluginName.Tests.csproj"));

        foreach (var package in new[] { "Microsoft.NET.Test.Sdk", "xunit", "xunit.runner.visualstudio" })
        {
            var expected = Regex.Match(central, $"<PackageVersion Include=\"{Regex.Escape(package)}\" Version=\"([^\"]+)\"").Groups[1].Value;
            Assert.Contains($"<PackageReference Include=\"{package}\" Version=\"{expected}\" />", testProject, StringComparison.Ordinal);
        }
    }
}
