using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <content>The run slots: one counter per user in the store, checked and taken in one step, shared by every store (node).</content>
public abstract partial class SessionStoreContract
{
    [StoreFact]
    public async Task RunSlots_AreCountedAcrossStores_RefusedAtTheLimit_AndFreedOnRelease()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        var request = new RunSlotRequest("alice", RunKind.Send) { MaxRuns = 1 };

        var taken = await first.RunSlots.TryTakeAsync(request);
        var refused = await second.RunSlots.TryTakeAsync(request with { Kind = RunKind.WorkflowNode });
        var bob = await second.RunSlots.TryTakeAsync(request with { Owner = "bob" });
        await taken.Slot!.DisposeAsync();
        var afterRelease = await second.RunSlots.TryTakeAsync(request with { Kind = RunKind.Workflow });

        Assert.Null(taken.Refused);
        Assert.Equal(RunLimit.Runs, refused.Refused);
        Assert.Null(refused.Slot);
        Assert.Equal(1, refused.Counts.Runs);
        Assert.NotNull(bob.Slot);
        Assert.NotNull(afterRelease.Slot);
        Assert.Equal(1, (await first.RunSlots.CountAsync("alice")).Runs);
        await afterRelease.Slot!.DisposeAsync();
        await bob.Slot!.DisposeAsync();
        Assert.Equal(0, (await first.RunSlots.CountAsync("alice")).Runs);
    }

    [StoreFact]
    public async Task RunSlots_TakenAtOnceThroughManyStores_NeverPassTheLimit()
    {
        var stores = new[] { await OpenAsync(), await OpenAsync(), await OpenAsync() };
        var request = new RunSlotRequest("alice", RunKind.Send) { MaxRuns = 2 };

        var results = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => Task.Run(() => stores[i % stores.Length].RunSlots.TryTakeAsync(request))));

        Assert.Equal(2, results.Count(r => r.Slot is not null));
        Assert.Equal(7, results.Count(r => r.Refused == RunLimit.Runs));
        Assert.Equal(2, (await stores[0].RunSlots.CountAsync("alice")).Runs);
    }

    [StoreFact]
    public async Task RunSlots_ReserveTheirEstimate_UntilTheSessionsRecordedUsageReplacesIt()
    {
        var store = await OpenAsync();
        var other = await OpenAsync();
        var first = await store.CreateSessionAsync(new NewSession(Workspace) { Owner = "alice" });
        var second = await store.CreateSessionAsync(new NewSession(Workspace) { Owner = "alice" });
        await store.RecordUsageAsync(first.Id, new UsageDetails { InputTokenCount = 50, OutputTokenCount = 0 }, 0.05m);
        var budget = new RunSlotRequest("alice", RunKind.Send) { MaxTokensPerDay = 500, MaxCostPerDay = 1m };

        var one = await store.RunSlots.TryTakeAsync(budget with { SessionId = first.Id, EstimatedTokens = 300, EstimatedCost = 0.30m });
        var two = await other.RunSlots.TryTakeAsync(budget with { SessionId = second.Id, EstimatedTokens = 300 });
        var three = await other.RunSlots.TryTakeAsync(budget with { EstimatedTokens = 10 });
        // The first run's real usage (200 of its 300) replaces that much of its estimate: 50 + 200 used, 100 + 300 reserved.
        await store.RecordUsageAsync(first.Id, new UsageDetails { InputTokenCount = 150, OutputTokenCount = 50 }, 0.10m);
        var counts = await other.RunSlots.CountAsync("alice");
        await two.Slot!.DisposeAsync();
        var four = await other.RunSlots.TryTakeAsync(budget with { EstimatedTokens = 10 });

        Assert.NotNull(one.Slot);
        Assert.Equal(new RunSlotCounts(1, 50, 300, 0.05m, 0.30m), two.Counts);
        Assert.NotNull(two.Slot);
        Assert.Equal(RunLimit.Tokens, three.Refused);
        Assert.Equal(new RunSlotCounts(2, 50, 600, 0.05m, 0.30m), three.Counts);
        Assert.Equal(new RunSlotCounts(2, 250, 400, 0.15m, 0.20m), counts);
        Assert.NotNull(four.Slot);
        Assert.Equal(new RunSlotCounts(1, 250, 100, 0.15m, 0.20m), four.Counts);
        await store.RecordUsageAsync(second.Id, new UsageDetails { InputTokenCount = 1, OutputTokenCount = 0 }, 0.85m);
        Assert.Equal(RunLimit.Cost, (await store.RunSlots.TryTakeAsync(budget)).Refused);
    }

    [StoreFact]
    public async Task RunSlots_TakenAtOnceThroughManyStores_ReserveTheirEstimatedCost_SoTogetherTheyStopAtTheCostBudget()
    {
        var stores = new[] { await OpenAsync(), await OpenAsync(), await OpenAsync() };
        // $1.00 a day, each run estimated at $0.50: once two are in flight they reserve the whole budget.
        var request = new RunSlotRequest("alice", RunKind.Send) { MaxCostPerDay = 1m, EstimatedCost = 0.5m };

        var results = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => Task.Run(() => stores[i % stores.Length].RunSlots.TryTakeAsync(request))));

        Assert.Equal(2, results.Count(r => r.Slot is not null));
        Assert.Equal(7, results.Count(r => r.Refused == RunLimit.Cost));
        Assert.Equal(new RunSlotCounts(2, 0, 0, 0m, 1m), await stores[0].RunSlots.CountAsync("alice"));
    }

    [StoreFact]
    public async Task RunSlots_AChildRun_IsCountedWithTheUsersOtherRuns_AgainstRunsAtOnceAndTheBudgets()
    {
        var store = await OpenAsync();
        var other = await OpenAsync();
        var limits = new RunSlotRequest("alice", RunKind.Send) { MaxRuns = 2, MaxTokensPerDay = 1_000 };

        var send = await store.RunSlots.TryTakeAsync(limits);
        var child = await other.RunSlots.TryTakeAsync(limits with { Kind = RunKind.Child, EstimatedTokens = 1_000 });
        var third = await store.RunSlots.TryTakeAsync(limits with { Kind = RunKind.Child });
        var overBudget = await store.RunSlots.TryTakeAsync(limits with { MaxRuns = 3 });
        await child.Slot!.DisposeAsync();
        var afterChild = await store.RunSlots.TryTakeAsync(limits with { Kind = RunKind.Child });

        Assert.NotNull(send.Slot);
        Assert.NotNull(child.Slot);
        Assert.Equal(1, child.Counts.Runs);
        Assert.Equal(RunLimit.Runs, third.Refused);
        Assert.Equal(RunLimit.Tokens, overBudget.Refused);
        Assert.Equal(new RunSlotCounts(2, 0, 1_000, 0m, 0m), overBudget.Counts);
        Assert.NotNull(afterChild.Slot);
        Assert.Equal(2, (await other.RunSlots.CountAsync("alice")).Runs);
        await afterChild.Slot!.DisposeAsync();
        await send.Slot!.DisposeAsync();
    }

    [StoreFact]
    public async Task RunSlots_OfAStoreThatStopped_AreReclaimed_AtTheLatestOnceExpired()
    {
        var gone = await OpenAsync(TimeSpan.FromMinutes(1));
        var other = await OpenAsync(TimeSpan.FromMinutes(1));
        var request = new RunSlotRequest("alice", RunKind.Send) { MaxRuns = 1 };
        Assert.NotNull((await gone.RunSlots.TryTakeAsync(request)).Slot);
        ((IDisposable)gone).Dispose(); // its slot is neither renewed nor released (PostgreSQL also sees its holder gone at once)

        Time.Advance(TimeSpan.FromSeconds(61));
        var afterExpiry = await other.RunSlots.TryTakeAsync(request);

        Assert.NotNull(afterExpiry.Slot);
        Assert.Equal(0, afterExpiry.Counts.Runs);
        await afterExpiry.Slot!.DisposeAsync();
    }
}
