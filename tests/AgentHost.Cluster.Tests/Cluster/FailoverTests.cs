namespace AgentHost.Cluster.Tests;

/// <summary>
/// A session's grain after its node died or let it go (docs/cluster.md, "When a node dies or stops"): several silos in
/// this process (<see cref="TestCluster"/>), each node with its own server over one PostgreSQL store.
/// </summary>
public sealed class FailoverTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    /// <summary>
    /// A node killed while its session waits on a question mid-run: once the cluster has declared it dead, the session's
    /// next call places its grain on another node, which takes the session over (its lost run interrupted, every completed
    /// step kept) and runs the prompt at the first try.
    /// </summary>
    [PostgresFact]
    public async Task KilledNode_ItsSessionsGrainReactivatesOnAnotherNode_WhichTakesTheSessionOver_AndTheNextPrompt()
    {
        await using var cluster = await TestCluster.StartAsync(2, """
            turns:
              - text: first answer
              - tool_calls: [{ name: ask_user, arguments: { question: "which one?" } }]
              - text: taken over
            """);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        var id = await a.CreateSessionAsync();
        var first = await a.SendAndWaitAsync(id, "hello");
        using var timeout = new CancellationTokenSource(Generous);
        await using var events = await b.EventsAsync(id, timeout.Token);
        var lost = await a.SendAsync(id, "ask me");
        await TestNode.UntilAsync(events, "question.asked");
        var holderBefore = cluster.HolderOf(id);

        await cluster.KillAsync(a);
        await cluster.Orleans.WaitForLivenessToStabilizeAsync(didKill: true);
        var next = await b.SendAndWaitAsync(id, "go on");

        Assert.Equal(("completed", "first answer"), (first.Status, first.FinalText));
        Assert.Same(a, holderBefore);
        Assert.Equal(("completed", "taken over"), (next.Status, next.FinalText));
        Assert.Same(b, cluster.HolderOf(id));
        Assert.True(b.Server.IsOpen(id));
        Assert.Equal("interrupted", (await b.GetRunAsync(lost.Id)).Status);
        var messages = await b.MessagesAsync(id);
        Assert.Equal(["user", "assistant", "user", "assistant", "tool", "user", "assistant"], TestNode.Roles(messages));
        Assert.Contains("first answer", TestNode.Text(messages[1]), StringComparison.Ordinal);
        Assert.Contains("interrupted", TestNode.Text(messages[4]), StringComparison.Ordinal);
    }

    /// <summary>
    /// A grain Orleans deactivates (as its idle collection does) lets its session go on its node; the next call, from
    /// another node, activates the grain there, which opens the session with its whole conversation.
    /// </summary>
    [PostgresFact]
    public async Task DeactivatedGrain_ReactivatesOnTheCallingNode_AndTheConversationGoesOn()
    {
        await using var cluster = await TestCluster.StartAsync(2, """
            turns:
              - text: first answer
              - text: second answer
              - text: third answer
            """);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        var id = await a.CreateSessionAsync();
        await a.SendAndWaitAsync(id, "one");

        await cluster.DeactivateAsync(id);
        var releasedByA = !a.Server.IsOpen(id);
        var second = await b.SendAndWaitAsync(id, "two");
        var holderAfterDeactivation = cluster.HolderOf(id);

        // Closed through the node that holds it: the grain goes too, and the next call places it where it comes from.
        var gone = cluster.GoneAsync(id);
        await b.CloseAsync(id);
        await gone;
        var third = await a.SendAndWaitAsync(id, "three");

        Assert.True(releasedByA);
        Assert.Equal("second answer", second.FinalText);
        Assert.Same(b, holderAfterDeactivation);
        Assert.Equal("third answer", third.FinalText);
        Assert.Same(a, cluster.HolderOf(id));
        Assert.False(b.Server.IsOpen(id));
        Assert.Equal(["user", "assistant", "user", "assistant", "user", "assistant"], TestNode.Roles(await b.MessagesAsync(id)));
    }
}
