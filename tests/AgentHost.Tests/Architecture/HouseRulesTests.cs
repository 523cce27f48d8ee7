using System.Xml.Linq;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// The house rules the build cannot see by itself: which assemblies may see a component's internals, that the style
/// rules are enforced.
/// </summary>
public sealed class HouseRulesTests
{
    /// <summary>
    /// The exceptions to "internals only to the component's own tests", each with its reason. No component sees
    /// another component's internals, except the kernel's hooks into the SDK: the SDK is the plugin contract, and the
    /// deferred tool function's schema cache must not become API every plugin could use. Every other component shows
    /// its internals to its own tests only (#45): a test that needs them lives in that component's test project
    /// (plugin isolation and unloading in tests/AgentHost.Hosting.Tests, the tool set's warm-up and the kernel tools'
    /// schema cache in tests/AgentHost.Agent.Tests), and the end-to-end tests use public API. The micro-benchmarks bind
    /// the few internals they measure against a reference (Hosting's plugin load context, its interpreted-only secret
    /// rules; the store's page query) by reflection at setup. This list may only shrink.
    /// </summary>
    private static readonly Dictionary<string, string[]> Exceptions = new(StringComparer.Ordinal)
    {
        ["AgentHost.Sdk"] = ["AgentHost.Agent", "AgentHost.Hosting"],
    };

    private static readonly string Root = TemplateFeedFixture.FindRepositoryRoot();

    [Fact]
    public void NoComponent_ShowsItsInternalsToAnotherComponent()
    {
        var wrong = (
            from project in ComponentGraphTests.Components()
            from friend in Friends(project.Value)
            where !OwnTests(project.Key).Contains(friend) && !(Exceptions.TryGetValue(project.Key, out var allowed) && allowed.Contains(friend))
            select $"{project.Key} -> {friend}").ToList();

        Assert.True(wrong.Count == 0,
            "InternalsVisibleTo beyond the component's own test project and the listed exceptions (make what crosses components public instead): "
            + string.Join(", ", wrong));
    }

    [Fact]
    public void NoSourceFile_GrantsInternalsVisibleTo()
    {
        // The project file is the one place a friend is named (the rule above reads it there).
        var files = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(path => File.ReadAllText(path).Contains("InternalsVisibleTo(", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(Root, path))
            .ToList();

        Assert.Empty(files);
    }

    [Fact]
    public void FriendReader_SeesTheFriendsAProjectNames()
    {
        // Guards the rule above: a reader that found no friends would let every one through.
        Assert.Contains("AgentHost.Agent.Tests", Friends(ComponentGraphTests.Components()["AgentHost.Agent"]));
        Assert.Equal(["AgentHost.Agent", "AgentHost.Hosting", "AgentHost.Tests"], Friends(ComponentGraphTests.Components()["AgentHost.Sdk"]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("IDE0161")]   // file-scoped namespaces
    [InlineData("IDE0065")]   // usings outside the namespace
    [InlineData("IDE0011")]   // braces
    [InlineData("IDE0040")]   // accessibility modifiers
    [InlineData("IDE0036")]   // modifier order
    [InlineData("IDE0044")]   // readonly fields
    [InlineData("IDE1006")]   // names
    public void EditorConfig_MakesTheStyleRulesWarnings_WhichTheBuildTreatsAsErrors(string rule)
    {
        var editorConfig = File.ReadAllLines(Path.Combine(Root, ".editorconfig"));
        var props = XDocument.Load(Path.Combine(Root, "Directory.Build.props"));

        Assert.Contains($"dotnet_diagnostic.{rule}.severity = warning", editorConfig);
        Assert.Equal("true", Unconditional(props, "EnforceCodeStyleInBuild"));
        Assert.Equal("true", Unconditional(props, "TreatWarningsAsErrors"));

        // Only the plugin author's local-feed pack (-p:AgentLocalFeed=true) turns the style checks off.
        Assert.All(
            props.Descendants("EnforceCodeStyleInBuild").Where(e => e.Parent?.Attribute("Condition") is not null),
            e => Assert.Equal("'$(AgentLocalFeed)' == 'true'", (string?)e.Parent!.Attribute("Condition")));
    }

    /// <summary>The value of a property set in a PropertyGroup without a condition (there must be exactly one).</summary>
    private static string Unconditional(XDocument props, string name) =>
        props.Descendants(name).Single(e => e.Parent?.Attribute("Condition") is null && e.Attribute("Condition") is null).Value;

    /// <summary>
    /// The test project whose name is the component's plus <c>.Tests</c>; a component without one (the CLI, the SDK,
    /// telemetry) is tested end to end, in tests/AgentHost.Tests, for <c>agent serve</c> tests/AgentHost.Serve.Tests, and
    /// through the first-party plugins in tests/AgentHost.Plugins.X.Tests (<see cref="ComponentGraphTests.EndToEndTestProjects"/>).
    /// </summary>
    private static IReadOnlyList<string> OwnTests(string component) =>
        Directory.Exists(Path.Combine(Root, "tests", component + ".Tests")) ? [component + ".Tests"] : ComponentGraphTests.EndToEndTestProjects;


    private static List<string> Friends(string projectFile) =>
        XDocument.Load(projectFile).Descendants("InternalsVisibleTo")
            .Select(item => (string?)item.Attribute("Include") ?? string.Empty)
            .ToList();
}
