using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Sdk;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Template;

/// <summary>
/// The plugin template, the SDK and the CLI carry one version, from <c>AgentSdkVersion</c> in Directory.Build.props, and
/// the local-feed filter packs exactly the packable projects (#19 item 13).
/// </summary>
public sealed partial class VersionAgreementTests
{
    private static readonly string Root = TemplateFeedFixture.FindRepositoryRoot();
    private static readonly string Version = TemplateFeedFixture.ReadAgentSdkVersion(Root);

    [Fact]
    public async Task Cli_Sdk_AndTemplate_HaveTheVersionOfDirectoryBuildProps()
    {
        using var temp = new TempDirectory();

        var cli = await AgentProcess.RunAsync(temp.Path, new Dictionary<string, string> { ["AGENT_HOME"] = temp.Combine("home") }, "--version");

        Assert.Equal(Version, cli.Output.Trim());
        Assert.Equal(SdkInfo.VersionText, Version);
        Assert.Equal(Version, typeof(SdkInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0]);
        using var template = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "plugin-template", "content", "agent-plugin", ".template.config", "template.json")));
        Assert.Equal(Version, template.RootElement.GetProperty("symbols").GetProperty("sdkVersion").GetProperty("defaultValue").GetString());
        foreach (var project in LocalFeedProjects())
        {
            Assert.True(
                File.ReadAllText(Path.Combine(Root, project)).Contains("<Version>$(AgentSdkVersion)</Version>", StringComparison.Ordinal),
                $"{project} does not take its version from AgentSdkVersion");
        }
    }

    [Fact]
    public void LocalFeedFilter_PacksEveryPackableProject_AndOnlyThose()
    {
        var solution = File.ReadAllText(Path.Combine(Root, "Host.sln"));
        var packable = SolutionProject().Matches(solution)
            .Select(m => m.Groups[1].Value.Replace('\\', '/'))
            .Where(p => p.StartsWith("src/", StringComparison.Ordinal) || p.StartsWith("plugin-template/", StringComparison.Ordinal))
            .Where(p => !File.ReadAllText(Path.Combine(Root, p)).Contains("<IsPackable>false</IsPackable>", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        Assert.Equal(packable, LocalFeedProjects().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TemplateReadme_GivesTheCommandsTheFlowTestRuns_AndNoneThatChangeTheUsersGlobalSetup()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "plugin-template", "README.md"));

        foreach (var line in PluginTemplateReadme.CommandLines())
        {
            Assert.Contains(line, readme, StringComparison.Ordinal);
        }

        // A source added without --configfile goes to the user's NuGet.Config; a --global tool to the user's tools.
        Assert.DoesNotMatch(@"dotnet nuget add source (?![^\n]*--configfile)", readme);
        Assert.DoesNotContain("--global", readme, StringComparison.Ordinal);
    }

    private static IEnumerable<string> LocalFeedProjects()
    {
        using var filter = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "plugin-template", "local-feed.slnf")));
        return [.. filter.RootElement.GetProperty("solution").GetProperty("projects").EnumerateArray().Select(p => p.GetString()!.Replace('\\', '/'))];
    }

    [GeneratedRegex(@"Project\(""\{[^}]+\}""\) = ""[^""]+"", ""([^""]+\.csproj)""")]
    private static partial Regex SolutionProject();
}
