namespace AgentHost.Cluster.Tests;

/// <summary>
/// A node that stops gracefully (SIGTERM) drains before it leaves (docs/cluster.md, "When a node dies or stops"): its
/// running turns finish (answers still reach them through other nodes) or, at <c>server.cluster.drain_timeout</c>, are
/// recorded as interrupted; its grains then let their sessions go, so the next prompt runs on another node at the first
/// try — no 409 while the membership notices.
/// </summary>
public sealed class DrainTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [PostgresFact]
    public async Task RunInFlight_WhenItsNodeStops_FinishesDuringTheDrain_NewTurnsStartElsewhere_AndTheNextPromptRunsOnAnotherNodeAtOnce()
    {
        await using var cluster = await TestCluster.StartAsync(2, """
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "which one?" } }]
              - text: answered while draining
              - text: next on another node
            """);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        var id = await a.CreateSessionAsync();
        var idle = await a.CreateSessionAsync();
        using var timeout = new CancellationTokenSource(Generous);
        await using var events = await b.EventsAsync(id, timeout.Token);
        var run = await a.SendAsync(id, "ask me");
        var question = await TestNode.UntilAsync(events, "question.asked");

        var stopping = cluster.Orleans.StopSiloAsync(a.Silo);
        await a.DrainStarted.WaitAsync(Generous);

        // A new turn for another session a holds does not start on the draining node: it starts on b at once.
        var moved = await b.SendAsync(idle, "during the drain");
        var movedTo = cluster.HolderOf(idle);
        var runsOnB = b.Server.IsRunning(idle);
        await b.CancelAsync(moved.Id);

        await b.AnswerQuestionAsync(id, question.GetProperty("questionId").GetString()!, "this one");
        await stopping.WaitAsync(Generous);
        var next = await b.SendAndWaitAsync(id, "and now?");

        Assert.Same(b, movedTo);
        Assert.True(runsOnB);
        Assert.Equal(("completed", "answered while draining"), ((await b.GetRunAsync(run.Id)).Status, (await b.GetRunAsync(run.Id)).FinalText));
        Assert.False(a.Server.IsOpen(id));
        Assert.Equal(("completed", "next on another node"), (next.Status, next.FinalText));
        Assert.Same(b, cluster.HolderOf(id));
        Assert.Equal(["user", "assistant", "tool", "assistant", "user", "assistant"], TestNode.Roles(await b.MessagesAsync(id)));
    }

    [PostgresFact]
    public async Task RunStillRunningAtTheDrainTimeout_IsRecordedInterrupted_AndTheNextPromptRunsOnAnotherNodeAtOnce()
    {
        await using var cluster = await TestCluster.StartAsync(
            2,
            """
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "which one?" } }]
              - text: after the drain
            """,
            drainTimeout: TimeSpan.FromSeconds(1));
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        var id = await a.CreateSessionAsync();
        using var timeout = new CancellationTokenSource(Generous);
        await using var events = await b.EventsAsync(id, timeout.Token);
        var run = await a.SendAsync(id, "ask me");
        await TestNode.UntilAsync(events, "question.asked");

        await cluster.Orleans.StopSiloAsync(a.Silo).WaitAsync(Generous);
        var ended = await TestNode.UntilAsync(events, "run.ended", run.Id);
        var next = await b.SendAndWaitAsync(id, "go on");

        Assert.Equal("interrupted", ended.GetProperty("status").GetString());
        Assert.Equal("interrupted", (await b.GetRunAsync(run.Id)).Status);
        Assert.False(a.Server.IsOpen(id));
        Assert.Equal(("completed", "after the drain"), (next.Status, next.FinalText));
        Assert.Same(b, cluster.HolderOf(id));
        Assert.Equal(["user", "assistant", "tool", "user", "assistant"], TestNode.Roles(await b.MessagesAsync(id)));
    }
}
