using AgentHost.Sessions;
using AgentHost.Tests.Support;
using Npgsql;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// Workflow runs in a cluster (docs/cluster.md "Workflow runs"): a run is watched by a reminder in the cluster's reminder
/// table (PostgreSQL) while it runs; a node that stops hands its runs over instead of cancelling them, and at the next
/// check another node resumes each from its checkpoints — the completed nodes are not run again.
/// </summary>
public sealed class WorkflowHandoverTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [PostgresFact]
    public async Task WorkflowRun_WhoseNodeStops_IsHandedOver_ResumedOnAnotherNodeFromItsCheckpoints_AndNoLongerWatchedOnceItEnds()
    {
        await using var cluster = await TestCluster.StartAsync(2, """
            turns:
              - text: step done
                delay_ms: 1500
            """);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        ClusterWorkflows.WriteSteps(cluster.Root);

        var id = (await a.StartWorkflowAsync(ClusterWorkflows.StepsFile)).Id;
        var watchedWhileRunning = await RemindersOfAsync(cluster, id);
        var beforeStop = await UntilAsync(() => a.Store.Workflows.GetNodesAsync(id), nodes => nodes.Count >= 1);
        // As `agent serve` stops: the node leaves (it drains), then its server stops.
        await cluster.Orleans.StopSiloAsync(a.Silo).WaitAsync(Generous);
        await a.DisposeAsync();

        // Handed over, not cancelled: b's next check finds the run held by no process and resumes it.
        var ended = await UntilAsync(() => b.GetWorkflowRunAsync(id), run => run.Status is not ("running" or "interrupted"));
        var nodes = await b.Store.Workflows.GetNodesAsync(id);
        var notWatched = await UntilAsync(() => RemindersOfAsync(cluster, id), count => count == 0);

        Assert.Equal(1, watchedWhileRunning);
        Assert.True(ended.Status == "completed", $"{ended.Status}: {ended.Reason}");
        Assert.Equal("step done", ended.Output);
        Assert.Equal(["one", "two", "three"], nodes.Select(n => n.Path));
        // The node completed before the stop kept its checkpoint: replayed, not run again.
        Assert.Equal((beforeStop[0].SessionId, beforeStop[0].EndedAt), (nodes[0].SessionId, nodes[0].EndedAt));
        Assert.Equal(0, notWatched);
    }

    /// <summary>How many reminders the run's grain has in the cluster's reminder table.</summary>
    private static async Task<long> RemindersOfAsync(TestCluster cluster, string runId)
    {
        await using var connection = new NpgsqlConnection(AgentHost.Sessions.Postgres.PostgresConnectionString.Parse(cluster.Database).ToNpgsqlConnectionString("cluster tests"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleansreminderstable WHERE grainid LIKE @grain", connection);
        command.Parameters.AddWithValue("grain", "%" + runId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Reads until <paramref name="done"/> holds (the cluster moves in its own time); fails after a generous wait.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
        }
    }
}
