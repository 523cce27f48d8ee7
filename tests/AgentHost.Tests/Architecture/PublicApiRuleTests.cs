using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using AgentHost.Tests.Support;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// Every component with public types declares them in a public-API baseline (PublicAPI.Shipped.txt and
/// PublicAPI.Unshipped.txt beside its project, checked by Microsoft.CodeAnalysis.PublicApiAnalyzers), so adding or
/// removing a public member without changing the baseline fails the build (RS0016/RS0017). eng/public-api.sh writes the
/// files; docs/architecture.md, "House rules", says how to change them.
/// </summary>
public sealed class PublicApiRuleTests
{
    private const string Analyzer = "Microsoft.CodeAnalysis.PublicApiAnalyzers";

    private static readonly string Root = TemplateFeedFixture.FindRepositoryRoot();

    [Fact]
    public void EveryComponentWithPublicTypes_HasAPublicApiBaseline()
    {
        var missing = (
            from component in ComponentGraphTests.Components()
            where PublicTypes(component.Key).Count > 0
            from gap in MissingBaseline(component.Value)
            select $"{component.Key}: {gap}").ToList();

        Assert.True(missing.Count == 0,
            "components with public types but no checked public-API baseline (reference " + Analyzer + " with "
            + "PrivateAssets=\"all\" and run eng/public-api.sh <component>; docs/architecture.md \"House rules\"):\n"
            + string.Join("\n", missing));
    }

    [Fact]
    public void BaselineReader_SeesAComponentWithoutOne()
    {
        // Guards the rule above: a component project without the analyzer and the files is reported on all three counts,
        // and one that has them on none.
        using var temp = new TempDirectory();
        var project = Path.Combine(temp.Path, "AgentHost.Example.csproj");
        File.WriteAllText(project, """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <PackageReference Include="YamlDotNet" />
              </ItemGroup>
            </Project>
            """);

        Assert.Equal(
            ["no PackageReference to " + Analyzer, "no PublicAPI.Shipped.txt", "no PublicAPI.Unshipped.txt"],
            MissingBaseline(project));
        Assert.Empty(MissingBaseline(ComponentGraphTests.Components()["AgentHost.Agent"]));
    }

    [Fact]
    public void BaselineReader_SeesRS0016OrRS0017SwitchedOff()
    {
        using var temp = new TempDirectory();
        var project = Path.Combine(temp.Path, "AgentHost.Example.csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <NoWarn>$(NoWarn);RS0017</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{Analyzer}" PrivateAssets="all" />
                <GlobalAnalyzerConfigFiles Include="rules.globalconfig" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(temp.Path, "PublicAPI.Shipped.txt"), "#nullable enable\n");
        File.WriteAllText(Path.Combine(temp.Path, "PublicAPI.Unshipped.txt"), "#nullable enable\n");
        File.WriteAllText(Path.Combine(temp.Path, "rules.globalconfig"), "is_global = true\ndotnet_diagnostic.RS0016.severity = none\n");

        Assert.Equal(["RS0016 set in rules.globalconfig", "RS0017 switched off (NoWarn)"], MissingBaseline(project));
    }

    [Fact]
    public void PublicTypeReader_SeesTheAgentsPublicTypes_AndNoneInTheCli()
    {
        // The CLI is the executable: its commands, chat and rendering are internal (nothing builds against them), so it
        // needs no baseline. A public type there would make the rule above ask for one. Its generated public Program
        // (ASP.NET Core's generator for top-level statements) is left out by the reader.
        Assert.Contains("AgentHost.Agent.Service.AgentSessionService", PublicTypes("AgentHost.Agent"));
        Assert.True(PublicTypes("AgentHost.Agent").Count > 100);
        Assert.Empty(PublicTypes("AgentHost.Cli"));
    }

    /// <summary>What a component's project lacks for a checked baseline: the analyzer, either file, or RS0016/RS0017 switched off.</summary>
    private static List<string> MissingBaseline(string projectFile)
    {
        var project = XDocument.Load(projectFile);
        var directory = Path.GetDirectoryName(projectFile)!;
        var gaps = new List<string>();
        if (!project.Descendants("PackageReference").Any(reference => (string?)reference.Attribute("Include") == Analyzer))
        {
            gaps.Add("no PackageReference to " + Analyzer);
        }

        foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
        {
            if (!File.Exists(Path.Combine(directory, file)))
            {
                gaps.Add("no " + file);
            }
        }

        var noWarn = string.Join(";", project.Descendants("NoWarn").Select(element => element.Value));
        var configs = project.Descendants("GlobalAnalyzerConfigFiles")
            .Select(item => ((string?)item.Attribute("Include") ?? "").Replace("$(RepoRoot)", Root + "/", StringComparison.Ordinal))
            .Select(path => Path.GetFullPath(path, directory))
            .ToList();
        foreach (var rule in new[] { "RS0016", "RS0017" })
        {
            if (noWarn.Contains(rule, StringComparison.Ordinal))
            {
                gaps.Add(rule + " switched off (NoWarn)");
            }

            foreach (var config in configs.Where(config => File.ReadAllText(config).Contains($"dotnet_diagnostic.{rule}.", StringComparison.Ordinal)))
            {
                gaps.Add($"{rule} set in {Path.GetFileName(config)}");
            }
        }

        return gaps;
    }

    /// <summary>The full names of a component's public types, read from its compiled assembly's metadata.</summary>
    private static List<string> PublicTypes(string component)
    {
        // The CLI's assembly is named "agent"; every other component's assembly is named like its project.
        var assembly = Assembly.Load(component == "AgentHost.Cli" ? "agent" : component);
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.TypeDefinitions
            .Select(reader.GetTypeDefinition)
            .Where(type => (type.Attributes & TypeAttributes.VisibilityMask) == TypeAttributes.Public)
            // The CLI's top-level statements' Program: ASP.NET Core's source generator (the shared framework the CLI
            // references for agent serve) declares it public for test hosts; it is no API anything compiles against.
            .Where(type => !(type.Namespace.IsNil && reader.GetString(type.Name) == "Program"))
            .Select(type => reader.GetString(type.Namespace) + "." + reader.GetString(type.Name))
            .ToList();
    }
}
