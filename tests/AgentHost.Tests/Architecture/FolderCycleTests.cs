using System.Reflection;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// Inside a component, folders (namespaces) depend on each other in one direction only: a cycle between folders
/// (Service ↔ Runs ↔ Engine, Chat ↔ Commands) means neither can be read, tested or moved without the other. The graph
/// is read from the compiled assemblies' metadata (<see cref="NamespaceGraph"/>), so every use counts, not only usings.
/// </summary>
public sealed class FolderCycleTests
{
    /// <summary>
    /// Every component but the SDK, whose namespaces are the plugin contract: moving its types would break every
    /// plugin built against it (its one cycle, Capabilities ↔ Tools, is recorded in docs/architecture.md).
    /// </summary>
    public static TheoryData<string> Components() =>
    [
        "AgentHost.Hosting",
        "AgentHost.Installation",
        "AgentHost.Permissions",
        "AgentHost.Sessions",
        "AgentHost.Sessions.Postgres",
        "AgentHost.Agent",
        "AgentHost.Workflows",
        "AgentHost.Server",
        "AgentHost.Telemetry",
        "AgentHost.Cli",
    ];

    [Theory]
    [MemberData(nameof(Components))]
    public void Folders_DependOnEachOtherInOneDirectionOnly(string component)
    {
        var graph = Read(component);

        var cycles = graph.Cycles().Select(cycle => Describe(graph, cycle)).ToList();

        Assert.True(cycles.Count == 0, $"{component} has folder cycles (move the shared type below both folders, or invert the use through an interface the lower folder defines):\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void Reader_SeesTheUsesBetweenFolders()
    {
        // Guards the test itself: a reader that found no uses would find no cycles either.
        var agent = Read("AgentHost.Agent");
        var cli = Read("AgentHost.Cli");

        Assert.Contains("AgentHost.Agent.Engine", agent.Edges["AgentHost.Agent.Service"]);
        Assert.Contains("AgentHost.Agent.Tools", agent.Edges["AgentHost.Agent.Engine"]);
        Assert.Contains("AgentHost.Cli.Commands", cli.Edges["AgentHost.Cli.Chat"]);
        Assert.Contains("AgentHost.Cli.Terminal", cli.Edges["AgentHost.Cli.Interaction"]);
    }

    [Fact]
    public void Reader_FindsACycle_WhereOneExists()
    {
        // The SDK keeps one (see Components): the same reader reports it, so a cycle would not go unseen elsewhere.
        var sdk = Read("AgentHost.Sdk");

        Assert.Contains(sdk.Cycles(), cycle => cycle.SequenceEqual(["AgentHost.Sdk.Capabilities", "AgentHost.Sdk.Tools"]));
    }

    private static NamespaceGraph Read(string component)
    {
        // The CLI's assembly is named "agent"; every other component's assembly is named like its project.
        var assembly = Assembly.Load(component == "AgentHost.Cli" ? "agent" : component);
        return NamespaceGraph.Read(assembly.Location, component);
    }

    private static string Describe(NamespaceGraph graph, IReadOnlyList<string> cycle)
    {
        var members = cycle.ToHashSet(StringComparer.Ordinal);
        var uses =
            from user in cycle
            from used in graph.Edges[user].Where(members.Contains).Order(StringComparer.Ordinal)
            select $"  {user} -> {used} ({graph.Why(user, used)})";
        return $"cycle: {string.Join(", ", cycle)}\n{string.Join("\n", uses)}";
    }
}
