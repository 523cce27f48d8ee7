using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <content>One writer per session: leases, epochs and the fence every write of a leased session passes.</content>
public abstract partial class SessionStoreContract
{
    [StoreFact]
    public async Task CreateLeased_StartsAtEpochOne_AndAnotherWriterIsRefusedNamingTheHolder()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        var (session, lease) = await first.CreateLeasedSessionAsync(new NewSession(Workspace));

        var refused = await Assert.ThrowsAsync<AgentHostException>(() => second.Leases.AcquireAsync(session.Id));
        var deleteRefused = await Assert.ThrowsAsync<AgentHostException>(() => second.DeleteSessionAsync(session.Id));
        var stored = await second.Leases.GetAsync(session.Id);

        Assert.Equal((session.Id, 1L, false), (lease.SessionId, lease.Epoch, lease.IsLost));
        Assert.Equal(ErrorKind.InUse, refused.Kind);
        Assert.Contains($"session {session.Id} is in use by {lease.Holder}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.InUse, deleteRefused.Kind);
        Assert.Equal(new SessionLeaseInfo(session.Id, 1, lease.Holder, stored!.ExpiresAt) { IsLive = true }, stored);
        Assert.Equal(SessionStatus.Active, (await second.GetSessionAsync(session.Id)).Status);
        await lease.DisposeAsync();
    }

    [StoreFact]
    public async Task Release_FreesTheSession_AndEveryAcquisitionHasAHigherEpoch()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        var session = await first.CreateSessionAsync(new NewSession(Workspace));

        var one = await first.Leases.AcquireAsync(session.Id);
        await one.DisposeAsync();
        var released = await second.Leases.GetAsync(session.Id);
        var two = await second.Leases.AcquireAsync(session.Id);
        await two.DisposeAsync();
        var three = await first.Leases.AcquireAsync(session.Id);

        Assert.Equal((1L, 2L, 3L), (one.Epoch, two.Epoch, three.Epoch));
        Assert.Equal(new SessionLeaseInfo(session.Id, 1, null, null), released);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<AgentHostException>(() => second.Leases.AcquireAsync("01JNOSUCHSESSION0000000000"))).Kind);
        await three.DisposeAsync();
    }

    [StoreFact]
    public async Task ExpiredLease_IsTakenOver_AndEveryWriteOfTheStaleWriterIsRefused_StoringNothing()
    {
        var stale = await OpenAsync();
        var fresh = await OpenAsync();
        var (session, old) = await stale.CreateLeasedSessionAsync(new NewSession(Workspace));
        await stale.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "before the pause"));
        var turn = await stale.Checkpoints.NextTurnAsync(session.Id);

        // The stale writer stops renewing (paused, hung, cut off) for longer than its lease.
        Time.Advance(LongLease + TimeSpan.FromSeconds(1));
        var taken = await fresh.Leases.AcquireAsync(session.Id);
        var before = await fresh.GetSessionAsync(session.Id);

        Func<Task>[] writes =
        [
            () => stale.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "stale answer")).AsTask(),
            () => stale.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "stale step"), new UsageDetails { InputTokenCount = 5 }, 1m).AsTask(),
            () => stale.Conversation.AppendToolResultAsync(session.Id, new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "stale")]), new ToolEventRecord(session.Id, "c1", "read", null, "{}", Sdk.Events.ToolCallStatus.Succeeded, 1)).AsTask(),
            () => stale.Conversation.RecordToolEventAsync(new ToolEventRecord(session.Id, "c2", "read", null, "{}", Sdk.Events.ToolCallStatus.Succeeded, 1)).AsTask(),
            () => stale.Conversation.SetStatusAsync(session.Id, SessionStatus.Completed).AsTask(),
            () => stale.RecordUsageAsync(session.Id, new UsageDetails { OutputTokenCount = 9 }, null).AsTask(),
            () => stale.SetTitleAsync(session.Id, "stale title"),
            () => stale.SetSettingAsync(session.Id, "max_steps", "99"),
            () => stale.Audit.AddGrantsAsync(session.Id, ["Bash(rm *)"], "cli"),
            () => stale.Audit.SetModeAsync(session.Id, PermissionMode.Yolo),
            () => stale.Audit.RecordDecisionAsync(new PermissionAuditEntry(session.Id, "c3", "bash", "allow", "once", "cli")),
            () => stale.Checkpoints.RecordBeforeAsync(session.Id, turn, "a.txt", "write", FileSnapshot.Absent),
            () => stale.Checkpoints.MarkUndoneAsync(session.Id, turn),
        ];
        var refusals = new List<SessionLeaseLostException>();
        foreach (var write in writes)
        {
            refusals.Add(await Assert.ThrowsAsync<SessionLeaseLostException>(write));
        }

        await fresh.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "fresh answer"));
        var after = await fresh.GetSessionAsync(session.Id);

        Assert.Equal((1L, 2L), (old.Epoch, taken.Epoch));
        Assert.True(old.IsLost);
        Assert.All(refusals, r => Assert.Equal((session.Id, 1L, ErrorKind.InUse), (r.SessionId, r.Epoch, r.Kind)));
        Assert.Equal(2L, refusals[0].CurrentEpoch);
        Assert.Contains("was taken over by another writer", refusals[0].Message, StringComparison.Ordinal);
        Assert.Equal(["before the pause", "fresh answer"], (await fresh.Conversation.LoadConversationAsync(session.Id)).Select(m => m.Text));
        Assert.Empty((await fresh.Conversation.GetHistoryAsync(session.Id, HistoryKind.Tools)).ToolEvents);
        Assert.Equal((before.Title, before.Status, 0L, 0L), (after.Title, after.Status, after.InputTokens, after.OutputTokens));
        Assert.Equal(before.Settings, after.Settings);
        Assert.Empty(await fresh.Audit.GetGrantsAsync(session.Id));
        Assert.Empty(await fresh.Audit.GetAuditAsync(session.Id));
        Assert.Empty(await fresh.Checkpoints.ListAsync(session.Id));
        await old.DisposeAsync();
        await taken.DisposeAsync();
    }

    [StoreFact]
    public async Task StaleWriter_ReleasingItsLease_DoesNotFreeTheNewHolders()
    {
        var stale = await OpenAsync();
        var fresh = await OpenAsync();
        var third = await OpenAsync();
        var (session, old) = await stale.CreateLeasedSessionAsync(new NewSession(Workspace));
        Time.Advance(LongLease + TimeSpan.FromSeconds(1));
        var expired = await fresh.Leases.GetAsync(session.Id);
        var taken = await fresh.Leases.AcquireAsync(session.Id);

        await old.DisposeAsync();
        var refused = await Assert.ThrowsAsync<AgentHostException>(() => third.Leases.AcquireAsync(session.Id));
        await fresh.SetSettingAsync(session.Id, "max_steps", "4");

        Assert.Equal(ErrorKind.InUse, refused.Kind);
        Assert.Contains(taken.Holder, refused.Message, StringComparison.Ordinal);
        Assert.Equal((true, false), (expired!.IsHeld, expired.IsLive));
        Assert.Equal(new SessionLeaseInfo(session.Id, 2, taken.Holder, (await third.Leases.GetAsync(session.Id))!.ExpiresAt) { IsLive = true }, await third.Leases.GetAsync(session.Id));
        await taken.DisposeAsync();
    }

    [StoreFact]
    public async Task Renewal_KeepsALeaseLivePastItsFirstExpiry_AndTellsAWriterThatLostIt()
    {
        var holder = await OpenAsync();
        var other = await OpenAsync();
        var (session, lease) = await holder.CreateLeasedSessionAsync(new NewSession(Workspace));

        Time.Advance(LongLease - TimeSpan.FromMinutes(1));
        Assert.True(await lease.RenewAsync());
        Time.Advance(TimeSpan.FromMinutes(2));
        var stillHeld = await Assert.ThrowsAsync<AgentHostException>(() => other.Leases.AcquireAsync(session.Id));
        Time.Advance(LongLease);
        var taken = await other.Leases.AcquireAsync(session.Id);
        var renewed = await lease.RenewAsync();

        Assert.Equal(ErrorKind.InUse, stillHeld.Kind);
        Assert.False(renewed);
        Assert.True(lease.IsLost);
        await Assert.ThrowsAsync<SessionLeaseLostException>(() => holder.SetTitleAsync(session.Id, "too late"));
        Assert.Equal(2, taken.Epoch);
        await lease.DisposeAsync();
        await taken.DisposeAsync();
    }

    [StoreFact]
    public async Task WritesOfASessionNoLeaseIsHeldFor_AreNotFenced_AndDeleteWaitsForExpiry()
    {
        var writer = await OpenAsync();
        var admin = await OpenAsync();
        var (session, lease) = await writer.CreateLeasedSessionAsync(new NewSession(Workspace));

        // An administrative command (another process, no lease) may still rename or set a setting.
        await admin.SetTitleAsync(session.Id, "renamed by hand");
        await admin.SetSettingAsync(session.Id, "max_steps", "2");
        await writer.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "still mine"));
        var renamed = await writer.GetSessionAsync(session.Id);
        var whileLive = await Assert.ThrowsAsync<AgentHostException>(() => admin.DeleteSessionAsync(session.Id));
        Time.Advance(LongLease + TimeSpan.FromSeconds(1));
        var deleted = await admin.DeleteSessionAsync(session.Id);
        var afterDelete = await Assert.ThrowsAsync<SessionLeaseLostException>(() => writer.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "gone")).AsTask());

        Assert.Equal(("renamed by hand", "2"), (renamed.Title, renamed.Settings["max_steps"]));
        Assert.Equal(ErrorKind.InUse, whileLive.Kind);
        Assert.True(deleted);
        Assert.Null(afterDelete.CurrentEpoch);
        Assert.Contains("is gone", afterDelete.Message, StringComparison.Ordinal);
        await lease.DisposeAsync();
    }
}
