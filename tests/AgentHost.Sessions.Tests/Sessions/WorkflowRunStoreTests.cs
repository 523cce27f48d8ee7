using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Sqlite;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AgentHost.Sessions.Tests;

public sealed class WorkflowRunStoreTests
{
    [Fact]
    public async Task RecordNode_StoresTheCheckpointAndTheRunsCounters_AndClearsAPendingQuestion()
    {
        using var temp = new TempDirectory();
        using var store = await SessionStore.OpenAsync(temp.Combine("sessions.db"), SecretScrubber.PatternsOnly);
        var run = await store.Workflows.CreateRunAsync(new NewWorkflowRun("fix", temp.Path, """{"name":"fix"}""", """{"task":"x"}""") { SourcePath = "/p/fix.yaml" });
        Assert.Equal(WorkflowRunState.Running, run.Status);

        var asked = await store.Workflows.SetWaitingAsync(run.Id, """{"text":"ok?"}""", new WorkflowRunCounters(2, 0.5m, 100));
        var again = await store.Workflows.SetWaitingAsync(run.Id, """{"text":"ok?"}""", new WorkflowRunCounters(2, 0.5m, 120));
        Assert.Equal(asked, again); // the same question keeps the time it was first asked
        var waiting = await store.Workflows.GetRunAsync(run.Id);
        Assert.Equal((WorkflowRunState.Waiting, """{"text":"ok?"}""", asked), (waiting.Status, waiting.PendingQuestion, waiting.PendingSince!.Value));

        await store.Workflows.RecordNodeAsync(run.Id, new WorkflowNodeRecord("verify#2/test", "shell", """{"exit_code":0}""") { Steps = 3, Cost = 0.25m, SessionId = "S1" }, new WorkflowRunCounters(5, 0.75m, 300));

        var after = await store.Workflows.GetRunAsync(run.Id);
        Assert.Equal(WorkflowRunState.Running, after.Status);
        Assert.Null(after.PendingQuestion);
        Assert.Equal(new WorkflowRunCounters(5, 0.75m, 300), after.Counters);
        var node = Assert.Single(await store.Workflows.GetNodesAsync(run.Id));
        Assert.Equal(("verify#2/test", "shell", """{"exit_code":0}""", "S1", 3, 0.25m), (node.Path, node.Kind, node.Output, node.SessionId, node.Steps, node.Cost));
        Assert.Equal("/p/fix.yaml", after.SourcePath);
        Assert.Equal("""{"task":"x"}""", after.Inputs);
    }

    [Fact]
    public async Task ResolveAndList_FindRunsByPrefix_OfOneWorkspace_WithTheirStatusAndReason()
    {
        using var temp = new TempDirectory();
        using var store = await SessionStore.OpenAsync(temp.Combine("sessions.db"), SecretScrubber.PatternsOnly);
        var a = await store.Workflows.CreateRunAsync(new NewWorkflowRun("a", temp.Combine("one"), "{}", "{}"));
        var b = await store.Workflows.CreateRunAsync(new NewWorkflowRun("b", temp.Combine("two"), "{}", "{}"));
        await store.Workflows.SetStatusAsync(a.Id, WorkflowRunState.Stopped, "max_steps 3 reached", new WorkflowRunCounters(3, 0, 10));

        Assert.Equal(a.Id, await store.Workflows.ResolveIdAsync(a.Id[..20].ToLowerInvariant()));
        var missing = await Assert.ThrowsAsync<AgentHostException>(() => store.Workflows.ResolveIdAsync("ZZZZ"));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Contains("agent workflow runs", missing.Message, StringComparison.Ordinal);
        var listed = Assert.Single(await store.Workflows.ListRunsAsync(temp.Combine("one")));
        Assert.Equal((a.Id, WorkflowRunState.Stopped, "max_steps 3 reached"), (listed.Id, listed.Status, listed.Reason));
        Assert.Equal(2, (await store.Workflows.ListRunsAsync()).Count);
        Assert.True(await store.Workflows.DeleteRunAsync(b.Id));
        Assert.Null(await store.Workflows.FindRunAsync(b.Id));
    }

    [Fact]
    public async Task Open_MigratesAVersion4Database_KeepingItsSessions_AndWorkflowRunsWork()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("sessions.db");
        using (var v4 = SessionMigrationTests.Open(path))
        {
            SessionMigrations.Apply(v4, path, targetVersion: 4);
            using var command = v4.CreateCommand();
            command.CommandText = """
                INSERT INTO sessions (id, title, workspace, status, created_at, updated_at)
                VALUES ('01JOLDSESSION0000000000000', 'Old session', '/work/old', 'completed', 1700000000000, 1700000001000);
                """;
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var store = await SessionStore.OpenAsync(path, SecretScrubber.PatternsOnly);

        Assert.Equal("Old session", (await store.GetSessionAsync("01JOLDSESSION0000000000000")).Title);
        var run = await store.Workflows.CreateRunAsync(new NewWorkflowRun("w", temp.Path, "{}", "{}"));
        await store.Workflows.RecordNodeAsync(run.Id, new WorkflowNodeRecord("a", "agent", "{}") { SessionId = "01JOLDSESSION0000000000000" }, new WorkflowRunCounters(1, 0, 1));
        Assert.Single(await store.Workflows.GetNodesAsync(run.Id));
        using var check = SessionMigrationTests.Open(path);
        Assert.Equal((long)SessionStore.SchemaVersion, SessionMigrationTests.Scalar<long>(check, "PRAGMA user_version"));
    }
}
