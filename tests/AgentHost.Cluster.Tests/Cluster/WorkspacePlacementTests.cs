using AgentHost.Cluster;
using AgentHost.Tests.Support;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// The placement choice of a cluster (docs/cluster.md "Workspaces"): among the nodes that can hold a session, those whose
/// roots hold the session's root; this node first; otherwise a clear refusal naming the root and what each node serves.
/// </summary>
public sealed class WorkspacePlacementTests
{
    private static readonly string A = "10.0.0.5:11111";
    private static readonly string B = "10.0.0.6:11111";
    private static readonly string C = "10.0.0.7:11111";

    [Fact]
    public void Choose_KeepsTheSessionOnThisNode_WhenThisNodeServesItsRoot()
    {
        var nodes = new[] { Node(A, "/srv/a", "/srv/shared"), Node(B, "/srv/shared"), Node(C, "/srv/shared") };
        for (var seed = 0; seed < 20; seed++)
        {
            Assert.Same(A, NodeWorkspaces.Choose("/srv/shared/repo", nodes, A, "agenthost", new Random(seed)));
        }
    }

    [Fact]
    public void Choose_PlacesTheSessionOnlyOnNodesThatServeItsRoot_SpreadAmongThem()
    {
        var nodes = new[] { Node(A, "/srv/a"), Node(B, "/srv/b"), Node(C, "/srv/b", "/srv/c") };
        var chosen = Enumerable.Range(0, 40).Select(seed => NodeWorkspaces.Choose("/srv/b/repo", nodes, A, "agenthost", new Random(seed))).ToHashSet();
        Assert.Equal(new HashSet<string> { B, C }, chosen);
        Assert.Same(C, NodeWorkspaces.Choose("/srv/c", nodes, A, "agenthost", new Random(1)));
    }

    [Fact]
    public void Choose_RefusesAWorkspaceNoNodeServes_NamingTheRootAndEachNodesRoots()
    {
        var nodes = new[] { Node(A, "/srv/a"), Node(B, "/srv/b", "/srv/bb") };
        var refused = Assert.Throws<WorkspaceNotServedException>(() => NodeWorkspaces.Choose("/srv/c/repo", nodes, A, "team", new Random(1)));
        Assert.False(refused.Retry);
        Assert.StartsWith("no node of cluster team serves workspace /srv/c/repo; nodes serve: 10.0.0.5:11111 /srv/a; 10.0.0.6:11111 /srv/b, /srv/bb.", refused.Message, StringComparison.Ordinal);
        Assert.Contains("server.roots", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_AsksToTryAgain_WhileANodesRootsAreNotKnownYet()
    {
        var nodes = new[] { Node(A, "/srv/a"), new WorkspaceNode<string>(B, B, null) };
        var refused = Assert.Throws<WorkspaceNotServedException>(() => NodeWorkspaces.Choose("/srv/b", nodes, A, "agenthost", new Random(1)));
        Assert.True(refused.Retry);
        Assert.Contains("10.0.0.6:11111 (not known yet)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("try again shortly", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serves_ARootAndFoldersInsideIt_NotASiblingThatSharesItsPrefix()
    {
        Assert.True(NodeWorkspaces.Serves(["/srv/a"], "/srv/a"));
        Assert.True(NodeWorkspaces.Serves(["/srv/a/"], "/srv/a/deep/er"));
        Assert.True(NodeWorkspaces.Serves(["/"], "/anything"));
        Assert.False(NodeWorkspaces.Serves(["/srv/a"], "/srv/ab"));
        Assert.False(NodeWorkspaces.Serves(["/srv/a"], "/srv"));
    }

    [LinuxFact]
    public void Serves_AWorkspaceGivenThroughASymbolicLink_ByItsRealPath()
    {
        using var temp = new TempDirectory();
        var real = temp.Combine("real");
        Directory.CreateDirectory(Path.Combine(real, "repo"));
        var link = temp.Combine("link");
        Directory.CreateSymbolicLink(link, real);
        Assert.True(NodeWorkspaces.Serves([real], Path.Combine(link, "repo")));
    }

    private static WorkspaceNode<string> Node(string name, params string[] roots) => new(name, name, roots);
}
