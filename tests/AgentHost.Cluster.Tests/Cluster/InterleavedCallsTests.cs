namespace AgentHost.Cluster.Tests;

/// <summary>
/// A turn is never a grain call held open (docs/cluster.md): while a session's run waits on its node, a permission answer
/// and a cancel sent to other nodes are routed to the session's grain and take effect there.
/// </summary>
public sealed class InterleavedCallsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [PostgresFact]
    public async Task PermissionAnswerAndCancel_SentToOtherNodes_ReachTheRunOnItsNode_AndTakeEffect()
    {
        await using var cluster = await TestCluster.StartAsync(3, """
            turns:
              - tool_calls: [{ name: write, arguments: { path: "answered.txt", content: "allowed through node 2" } }]
              - tool_calls: [{ name: ask_user, arguments: { question: "go on?" } }]
              - text: never reached
            """);
        var (a, b, c) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        var id = await a.CreateSessionAsync();
        using var timeout = new CancellationTokenSource(Generous);
        await using var events = await c.EventsAsync(id, timeout.Token);
        var run = await a.SendAsync(id, "write it, then ask");

        var requested = await TestNode.UntilAsync(events, "permission.requested");
        var pendingOnB = await b.Http.GetStringAsync($"v1/sessions/{id}/permissions");
        await b.AnswerPermissionAsync(id, requested.GetProperty("requestId").GetString()!, "once");
        await TestNode.UntilAsync(events, "question.asked");
        var cancelled = await c.CancelAsync(run.Id);
        await TestNode.UntilAsync(events, "run.ended", run.Id);

        Assert.Same(a, cluster.HolderOf(id));
        Assert.Contains(requested.GetProperty("requestId").GetString()!, pendingOnB, StringComparison.Ordinal);
        Assert.Equal("allowed through node 2", await File.ReadAllTextAsync(Path.Combine(cluster.Root, "answered.txt")));
        Assert.Equal("running", cancelled.Status);
        var ended = await b.GetRunAsync(run.Id);
        Assert.Equal("cancelled", ended.Status);
        Assert.Equal("[]", await c.Http.GetStringAsync($"v1/sessions/{id}/questions"));
        Assert.Null((await b.GetSessionAsync(id)).RunningRunId);
    }
}
