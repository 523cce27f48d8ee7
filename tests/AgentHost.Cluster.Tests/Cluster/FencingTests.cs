using AgentHost.Hosting;
using AgentHost.Server;
using AgentHost.Server.Users;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// Never two writers (docs/cluster.md, "How it works"): the store's lease, not Orleans, decides who writes a session, so a
/// duplicate activation — the session run by a second node while the first still runs it — writes alone once it has
/// the session, and the first's writes are refused by the lease's epoch.
/// </summary>
public sealed class FencingTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [PostgresFact]
    public async Task DuplicateActivation_IsRefusedWhileTheHolderIsLive_ThenTheStaleWriterIsFencedOff()
    {
        await using var cluster = await TestCluster.StartAsync(2, """
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "which one?" } }]
              - text: only one writer
            """);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        var id = await a.CreateSessionAsync();
        using var timeout = new CancellationTokenSource(Generous);
        await using var aEvents = await a.NodeEventsAsync(timeout.Token);
        var stale = await a.SendAsync(id, "start");
        var question = await TestNode.UntilAsync(aEvents, "question.asked");

        // The session's call run on b as well, past its grain (as by a duplicate activation of the grain on b): refused
        // while a's lease is live.
        var refused = await Assert.ThrowsAsync<AgentHostException>(() => Send(b, id, "duplicate"));

        // a loses the database (its connections end: as in a network partition) but lives on; the duplicate on b now
        // takes the session over with a new epoch and runs its prompt.
        await cluster.EndConnectionsAsync(a);
        var duplicate = await Send(b, id, "duplicate");
        await using var bEvents = await b.EventsAsync(id, timeout.Token);
        await TestNode.UntilAsync(bEvents, "run.ended", duplicate.Id);

        // a's question is answered (through its grain, on a): a's run goes on, and its next write is refused.
        await a.AnswerQuestionAsync(id, question.GetProperty("questionId").GetString()!, "this one");
        await TestNode.UntilAsync(aEvents, "run.ended", stale.Id);
        var staleEnd = await a.GetRunAsync(stale.Id);
        var again = await Assert.ThrowsAsync<AgentHostException>(() => Send(a, id, "again"));
        var lease = await b.Store.Leases.GetAsync(id);

        Assert.Equal((ErrorKind.InUse, true), (refused.Kind, refused.Message.Contains("is in use by", StringComparison.Ordinal)));
        Assert.Equal(("completed", "only one writer"), ((await b.GetRunAsync(duplicate.Id)).Status, (await b.GetRunAsync(duplicate.Id)).FinalText));
        Assert.Equal(("stopped", "failed"), (staleEnd.Status, staleEnd.Outcome));
        Assert.Contains("was taken over by another writer", staleEnd.Reason, StringComparison.Ordinal);
        Assert.Equal((ErrorKind.InUse, true), (again.Kind, again.Message.Contains("is in use by", StringComparison.Ordinal)));
        Assert.Equal((2L, true), (lease!.Epoch, lease.IsHeld));

        // Only b's writes are in the session: a's answer and a's last step never landed.
        var messages = await b.MessagesAsync(id);
        Assert.Equal(["user", "assistant", "tool", "user", "assistant"], TestNode.Roles(messages));
        Assert.Contains("interrupted", TestNode.Text(messages[2]), StringComparison.Ordinal);
        Assert.DoesNotContain(messages, m => TestNode.Text(m).Contains("this one", StringComparison.Ordinal));
        Assert.Equal("completed", (await b.GetSessionAsync(id)).Status);
    }

    /// <summary>Sends a prompt on the node's own server, past the session's grain (as a duplicate activation would run it).</summary>
    private static Task<RunView> Send(TestNode node, string id, string prompt) =>
        node.Server.LocalSessions.SendAsync(ServerCaller.ServerToken, id, new SendMessageRequest(prompt), null, CancellationToken.None);
}
