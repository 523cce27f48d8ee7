using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <summary>
/// The behaviour every <see cref="ISessionStore"/> keeps, whatever it stores in: a test class per implementation
/// derives from this one and says how to open its store (<see cref="OpenStoreAsync"/>); every test here then runs
/// against it. SQLite: <c>SqliteSessionStoreContractTests</c>. A PostgreSQL store adds its own class with a factory
/// that opens stores on one database per test.
/// </summary>
/// <remarks>
/// Stores opened in one test share one database: a second store is a second writer (another process, another node).
/// They share one manual clock (<see cref="Time"/>), so a lease's expiry is reached by moving it, not by waiting.
/// </remarks>
public abstract partial class SessionStoreContract : IAsyncLifetime
{
    /// <summary>A lease duration no real timer reaches during a test (renewals are made by hand here).</summary>
    protected static readonly TimeSpan LongLease = TimeSpan.FromHours(1);

    private readonly List<ISessionStore> _opened = [];

    /// <summary>The clock of every store of the test.</summary>
    protected ManualTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));

    /// <summary>A folder for the test's files (workspaces, and the database of a file-based store).</summary>
    protected TempDirectory Temp { get; } = new();

    /// <summary>The workspace of the test's sessions.</summary>
    protected string Workspace => Temp.Combine("repo");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            switch (store)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        Temp.Dispose();
    }

    /// <summary>Opens a store on the test's database (created on first use) with <see cref="Time"/> as its clock.</summary>
    /// <param name="leaseDuration">How long its leases stay live without renewal.</param>
    /// <returns>The store; the contract disposes it at the end of the test.</returns>
    protected abstract Task<ISessionStore> OpenStoreAsync(TimeSpan leaseDuration);

    /// <summary>Opens a store with a lease duration no renewal timer reaches during the test.</summary>
    protected async Task<ISessionStore> OpenAsync(TimeSpan? leaseDuration = null)
    {
        var store = await OpenStoreAsync(leaseDuration ?? LongLease);
        _opened.Add(store);
        return store;
    }

    [StoreFact]
    public async Task Sessions_AreCreatedFoundListedAndResolved()
    {
        var store = await OpenAsync();
        var first = await store.CreateSessionAsync(new NewSession(Workspace, "openai", "gpt-4o") { Prompt = "fix the build" });
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await store.CreateSessionAsync(new NewSession(Workspace) { Settings = new Dictionary<string, string> { ["max_steps"] = "3" } });
        await store.CreateSessionAsync(new NewSession(Temp.Combine("other")));

        var found = await store.GetSessionAsync(first.Id);
        var listed = await store.ListSessionsAsync(Workspace);

        Assert.Equal((first.Id, first.Workspace, "openai", "gpt-4o"), (found.Id, found.Workspace, found.Provider, found.Model));
        Assert.Equal("fix the build", found.Title);
        Assert.Equal(SessionStatus.Active, found.Status);
        Assert.Equal([second.Id, first.Id], listed.Select(s => s.Id));
        Assert.Single(await store.ListSessionsAsync(Workspace, limit: 1));
        Assert.Equal(3, (await store.ListSessionsAsync()).Count);
        Assert.Equal("3", (await store.GetSettingsAsync(second.Id))["max_steps"]);
        Assert.Null(await store.FindSessionAsync("01JNOSUCHSESSION0000000000"));
        Assert.Equal(first.Id, await store.ResolveIdAsync(first.Id[..20].ToLowerInvariant()));
        var missing = await Assert.ThrowsAsync<AgentHostException>(() => store.GetSessionAsync("01JNOSUCHSESSION0000000000"));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<AgentHostException>(() => store.ResolveIdAsync("zzzz"))).Kind);
    }

    [StoreFact]
    public async Task TitleStatusUsageAndSettings_AreStored()
    {
        var store = await OpenAsync();
        var session = await store.CreateSessionAsync(new NewSession(Workspace));

        await store.SetTitleAsync(session.Id, "  a   new\ttitle ");
        await store.SetStatusAsync(session.Id, SessionStatus.Completed);
        await store.RecordUsageAsync(session.Id, new UsageDetails { InputTokenCount = 10, OutputTokenCount = 4, CachedInputTokenCount = 2 }, 0.25m);
        await store.RecordUsageAsync(session.Id, new UsageDetails { InputTokenCount = 1 }, null);
        await store.SetSettingAsync(session.Id, "session.max_steps", "7");
        var settings = await store.SetSettingAsync(session.Id, "dry_run", "true");
        var removed = await store.SetSettingAsync(session.Id, "dry_run", null);
        var stored = await store.GetSessionAsync(session.Id);

        Assert.Equal("a new title", stored.Title);
        Assert.Equal(SessionStatus.Completed, stored.Status);
        Assert.Equal((11L, 4L, 2L, 0.25m), (stored.InputTokens, stored.OutputTokens, stored.CachedTokens, stored.Cost));
        Assert.Equal("true", settings["dry_run"]);
        Assert.Equal(new Dictionary<string, string> { ["max_steps"] = "7" }, removed);
        Assert.Equal(removed, stored.Settings);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<AgentHostException>(() => store.SetTitleAsync("01JNOSUCHSESSION0000000000", "x"))).Kind);
    }

    [StoreFact]
    public async Task Conversation_IsAppendedLoadedFromTheLastSummaryAndPaged()
    {
        var store = await OpenAsync();
        var session = await store.CreateSessionAsync(new NewSession(Workspace));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "first question"));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "read", new Dictionary<string, object?> { ["path"] = "a.txt" })]), new UsageDetails { InputTokenCount = 5 }, 0.5m);
        await store.Conversation.AppendToolResultAsync(
            session.Id,
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "contents")]),
            new ToolEventRecord(session.Id, "c1", "read", "files", "{\"path\":\"a.txt\"}", Sdk.Events.ToolCallStatus.Succeeded, 12));
        var summary = new ChatMessage(ChatRole.User, "summary of the above") { AdditionalProperties = new() { [IConversationRecorder.SummaryMarker] = true } };
        await store.Conversation.AppendMessageAsync(session.Id, summary);
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "after the summary"));

        var resumed = await store.Conversation.LoadConversationAsync(session.Id);
        var first = await store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Messages, limit: 3);
        var rest = await store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Messages, limit: 3, cursor: first.NextCursor);
        var tools = await store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Tools);
        var info = await store.GetSessionAsync(session.Id);

        Assert.Equal(["summary of the above", "after the summary"], resumed.Select(m => m.Text));
        Assert.Equal([1L, 2L, 3L], first.Messages.Select(m => m.Sequence));
        Assert.Equal([4L, 5L], rest.Messages.Select(m => m.Sequence));
        Assert.Null(rest.NextCursor);
        var tool = Assert.Single(tools.ToolEvents);
        Assert.Equal(("read", "c1"), (tool.Tool, tool.CallId));
        Assert.Equal("first question", info.Title);
        Assert.Equal((5L, 1L, 5L, 0.5m), (info.MessageCount, info.ToolEventCount, info.InputTokens, info.Cost));
    }

    [StoreFact]
    public async Task PermissionGrantsModeAndAudit_AreKept()
    {
        var store = await OpenAsync();
        var session = await store.CreateSessionAsync(new NewSession(Workspace));

        await store.Audit.AddGrantsAsync(session.Id, ["Bash(git status)", "Read(src/**)", "Bash(git status)"], "cli");
        var removed = await store.Audit.RemoveGrantAsync(session.Id, "Read(src/**)");
        await store.Audit.SetModeAsync(session.Id, PermissionMode.AcceptEdits);
        await store.Audit.RecordDecisionAsync(new PermissionAuditEntry(session.Id, "c1", "bash", "allow", "once", "cli") { Subject = "git status", Reason = "asked" });
        await store.Audit.RecordDecisionAsync(new PermissionAuditEntry("01JNOSUCHSESSION0000000000", "c2", "bash", "deny", "once", "cli"));

        Assert.True(removed);
        Assert.Equal(["Bash(git status)"], await store.Audit.GetGrantsAsync(session.Id));
        Assert.Equal("accept-edits", (await store.GetSettingsAsync(session.Id))[SessionSettings.PermissionMode]);
        var entry = Assert.Single(await store.Audit.GetAuditAsync(session.Id));
        Assert.Equal(("c1", "allow", "git status"), (entry.CallId, entry.Decision, entry.Subject));
    }

    [StoreFact]
    public async Task FileCheckpoints_RecordBeforeAndAfter_ListAndUndo()
    {
        var store = await OpenAsync();
        var session = await store.CreateSessionAsync(new NewSession(Workspace));

        var turn = await store.Checkpoints.NextTurnAsync(session.Id);
        Assert.True(await store.Checkpoints.RecordBeforeAsync(session.Id, turn, "a.txt", "write", FileSnapshot.Absent));
        Assert.False(await store.Checkpoints.RecordBeforeAsync(session.Id, turn, "a.txt", "edit", FileSnapshot.Of("x"u8.ToArray())));
        await store.Checkpoints.RecordBeforeAsync(session.Id, turn, "same.txt", "edit", FileSnapshot.Of("s"u8.ToArray()));
        await store.Checkpoints.RecordAfterAsync(session.Id, turn, new Dictionary<string, FileSnapshot> { ["a.txt"] = FileSnapshot.Of("new"u8.ToArray()), ["same.txt"] = FileSnapshot.Of("s"u8.ToArray()) });
        await store.Checkpoints.MarkUndoneAsync(session.Id, turn);

        var checkpoint = Assert.Single(await store.Checkpoints.ListAsync(session.Id));
        Assert.Equal((1, "a.txt", "write", FileSnapshotKind.Absent), (checkpoint.Turn, checkpoint.Path, checkpoint.Tool, checkpoint.Before.Kind));
        Assert.Equal("new"u8.ToArray(), checkpoint.After!.Content);
        Assert.NotNull(checkpoint.UndoneAt);
        Assert.Equal(2, await store.Checkpoints.NextTurnAsync(session.Id));
    }

    [StoreFact]
    public async Task WorkflowRuns_AreCreatedCheckpointedAndListed()
    {
        var store = await OpenAsync();
        var run = await store.Workflows.CreateRunAsync(new NewWorkflowRun("review", Workspace, "{\"nodes\":[]}", "{}"));
        using (store.Workflows.AcquireRun(run.Id))
        {
            await store.Workflows.RecordNodeAsync(run.Id, new WorkflowNodeRecord("check", "shell", "{\"ok\":true}") { Steps = 2 }, new WorkflowRunCounters(2, 0.1m, 50));
            await store.Workflows.SetWaitingAsync(run.Id, "{\"question\":\"go?\"}", new WorkflowRunCounters(2, 0.1m, 60));
            await store.Workflows.SetStatusAsync(run.Id, WorkflowRunState.Completed, null, new WorkflowRunCounters(2, 0.1m, 70));
        }

        var stored = await store.Workflows.GetRunAsync(await store.Workflows.ResolveIdAsync(run.Id[..20]));
        Assert.Equal(WorkflowRunState.Completed, stored.Status);
        Assert.Equal("completed", store.Workflows.DisplayStatus(stored));
        Assert.Equal(new WorkflowRunCounters(2, 0.1m, 70), stored.Counters);
        Assert.Equal(["check"], (await store.Workflows.GetNodesAsync(run.Id)).Select(n => n.Path));
        Assert.Equal([run.Id], (await store.Workflows.ListRunsAsync(Workspace)).Select(r => r.Id));
        Assert.True(await store.Workflows.DeleteRunAsync(run.Id));
        Assert.Null(await store.Workflows.FindRunAsync(run.Id));
    }

    [StoreFact]
    public async Task StatsForkExportImportDeleteAndPrune_SeeTheSameSessions()
    {
        var store = await OpenAsync();
        var session = await store.CreateSessionAsync(new NewSession(Workspace, "openai", "gpt-4o"));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "hello"), new UsageDetails { InputTokenCount = 3, OutputTokenCount = 1 }, null);
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "hi"));

        var stats = await store.Stats.GetUsageStatsAsync(Workspace);
        var fork = await store.Transfer.ForkAsync(session.Id);
        var export = new StringWriter();
        await store.Transfer.ExportJsonlAsync(session.Id, export);
        var imported = await store.Transfer.ImportAsync(new StringReader(export.ToString()), "export.jsonl");
        Time.Advance(TimeSpan.FromDays(3));
        var recent = await store.CreateSessionAsync(new NewSession(Workspace));

        Assert.Equal((1L, 1L, 3L), (stats.Totals.Sessions, stats.Totals.Runs, stats.Totals.InputTokens));
        Assert.Equal(session.Id, fork.ParentId);
        Assert.Equal(["hello", "hi"], (await store.Conversation.LoadConversationAsync(fork.Id)).Select(m => m.Text));
        Assert.True(imported.Renamed);
        Assert.Equal(["hello", "hi"], (await store.Conversation.LoadConversationAsync(imported.Session.Id)).Select(m => m.Text));
        Assert.Equal(3, await store.CountOlderThanAsync(TimeSpan.FromDays(1)));
        Assert.True(await store.DeleteSessionAsync(session.Id));
        Assert.False(await store.DeleteSessionAsync(session.Id));
        Assert.Null((await store.GetSessionAsync(fork.Id)).ParentId);
        Assert.Equal(2, await store.PruneAsync(TimeSpan.FromDays(1)));
        Assert.Equal([recent.Id], (await store.ListSessionsAsync()).Select(s => s.Id));
    }
}
