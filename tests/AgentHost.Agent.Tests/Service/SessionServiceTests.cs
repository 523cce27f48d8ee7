using AgentHost.Agent.Service;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Tests.Service;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Service;

public sealed class SessionServiceTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task MultiTurnConversation_ContinuesAfterCloseAndReopen()
    {
        await using var fx = new ServiceFixture();
        var model = fx.Model("main").Reply("first answer").Reply("second answer").Reply("third answer");

        string id;
        await using (var session = await fx.Service.CreateAsync(fx.Options()))
        {
            Assert.Null(session.Id);
            var first = await session.SendAsync(new TurnRequest("hello"));
            var second = await session.SendAsync(new TurnRequest("and again"));
            Assert.Equal(("first answer", "second answer"), (first.Result.FinalText, second.Result.FinalText));
            Assert.False(first.Resumed);
            id = session.Id!;
            Assert.Equal(first.SessionId, id);
        }

        Assert.Empty(fx.Service.OpenSessions);
        await using var reopened = await fx.Service.OpenAsync(id[..8], fx.Options());
        var third = await reopened.SendAsync(new TurnRequest("after reopening"));

        Assert.True(third.Resumed);
        Assert.Equal(RunOutcome.Completed, third.Result.Outcome);
        Assert.Equal("third answer", third.Result.FinalText);
        var seen = Texts(model.Requests[^1]);
        Assert.Equal(["hello", "first answer", "and again", "second answer", "after reopening"], seen);
        Assert.Equal([.. seen, "third answer"], Texts(await reopened.LoadHistoryAsync()));
    }

    [Fact]
    public async Task ToolCallsNeedingPermission_AreAnsweredInProcess_AllowThenDeny()
    {
        await using var fx = new ServiceFixture();
        fx.Model("main")
            .CallTool("write_note", new Dictionary<string, object?> { ["name"] = "a", ["text"] = "allowed" }).Reply("wrote a")
            .CallTool("write_note", new Dictionary<string, object?> { ["name"] = "b", ["text"] = "denied" }).Reply("b was refused");
        await using var session = await fx.Service.CreateAsync(fx.Options() with { PermissionMode = PermissionMode.Ask, Interactive = true });
        using var responder = session.AddPermissionResponder("test");
        using var stop = new CancellationTokenSource(Guard);
        var answers = new Queue<PermissionAnswerKind>([PermissionAnswerKind.AllowOnce, PermissionAnswerKind.Deny]);
        var asked = new List<PermissionRequestedEvent>();
        var events = session.StreamEventsAsync(stop.Token);
        var answering = Task.Run(async () =>
        {
            await foreach (var e in events)
            {
                if (e is PermissionRequestedEvent request)
                {
                    asked.Add(request);
                    Assert.True(session.AnswerPermission(request.RequestId, new PermissionAnswer(answers.Dequeue(), "test")));
                    if (answers.Count == 0)
                    {
                        return;
                    }
                }
            }
        });

        var first = await session.SendAsync(new TurnRequest("write a")).WaitAsync(Guard);
        var second = await session.SendAsync(new TurnRequest("write b")).WaitAsync(Guard);
        await answering.WaitAsync(Guard);

        Assert.Equal(("wrote a", "b was refused"), (first.Result.FinalText, second.Result.FinalText));
        Assert.Equal(["write_note", "write_note"], asked.Select(r => r.Tool));
        Assert.All(asked, r => Assert.Equal(session.Id, r.SessionId));
        Assert.Equal("allowed", File.ReadAllText(Path.Combine(fx.Root, "notes", "a.txt")));
        Assert.False(File.Exists(Path.Combine(fx.Root, "notes", "b.txt")));
        Assert.Empty(session.PendingPermissions);
    }

    [Fact]
    public async Task CancelMidTurn_LeavesAValidHistory_AndTheNextTurnWorks()
    {
        await using var fx = new ServiceFixture();
        var model = fx.Model("main").WaitForCancel().Reply("back again");
        await using var session = await fx.Service.CreateAsync(fx.Options());

        var running = session.SendAsync(new TurnRequest("a long task"));
        await model.Waiting.Task.WaitAsync(Guard);
        Assert.True(session.IsTurnRunning);
        Assert.True(session.CancelTurn());
        var cancelled = await running.WaitAsync(Guard);
        var next = await session.SendAsync(new TurnRequest("next")).WaitAsync(Guard);

        Assert.Equal(RunOutcome.Cancelled, cancelled.Result.Outcome);
        Assert.False(session.CancelTurn());
        Assert.Equal(RunOutcome.Completed, next.Result.Outcome);
        Assert.Equal("back again", next.Result.FinalText);
        Assert.Contains("a long task", Texts(model.Requests[^1]));
        var history = await session.LoadHistoryAsync();
        var calls = history.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId);
        var results = history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId);
        Assert.Equal(calls.Order(StringComparer.Ordinal), results.Order(StringComparer.Ordinal));
        Assert.Equal("back again", Texts(history)[^1]);
    }

    [Fact]
    public async Task ModelAndModeChanges_TakeEffectAtTheNextTurn_AndPersistWithTheSession()
    {
        await using var fx = new ServiceFixture();
        fx.Model("main").Reply("from main");
        var other = fx.Model("other").Reply("from other").Reply("other again");
        string id;
        await using (var session = await fx.Service.CreateAsync(fx.Options()))
        {
            await session.SendAsync(new TurnRequest("one"));
            id = session.Id!;
            await session.SetModelAsync("fake/other");
            await session.SetPermissionModeAsync(PermissionMode.Plan, "test");
            Assert.Equal(PermissionMode.Plan, session.RunContext!.Mode);
            var second = await session.SendAsync(new TurnRequest("two"));
            Assert.Equal(("other", "from other"), (second.Model.ModelId, second.Result.FinalText));
        }

        var stored = await fx.Store.GetSettingsAsync(id);
        Assert.Equal("fake/other", stored[SessionSettings.Model]);
        Assert.Equal("plan", stored[SessionSettings.PermissionMode]);
        await using var reopened = await fx.Service.OpenAsync(id, new SessionOptions(fx.Root));
        var third = await reopened.SendAsync(new TurnRequest("three"));
        Assert.Equal("other again", third.Result.FinalText);
        Assert.Equal(PermissionMode.Plan, reopened.RunContext!.Mode);
        Assert.Equal(["one", "from main", "two", "from other", "three"], Texts(other.Requests[^1]));
    }

    [Fact]
    public async Task SettingsChangedOnDisk_DoNotChangeTheOpenSession_UntilItIsReopened()
    {
        await using var fx = new ServiceFixture();
        fx.Model("main").Reply("1").Reply("2");
        fx.Model("other").Reply("3");
        await using var session = await fx.Service.CreateAsync(new SessionOptions(fx.Root) with { Model = null });
        await session.SetModelAsync("fake/main");
        await session.SendAsync(new TurnRequest("one"));

        // Another process ('agent session settings') changes the stored model while the session is open.
        await fx.Store.SetSettingAsync(session.Id!, SessionSettings.Model, "fake/other");
        var second = await session.SendAsync(new TurnRequest("two"));
        var id = session.Id!;
        await session.DisposeAsync();
        await using var reopened = await fx.Service.OpenAsync(id, new SessionOptions(fx.Root));
        var third = await reopened.SendAsync(new TurnRequest("three"));

        Assert.Equal(("main", "2"), (second.Model.ModelId, second.Result.FinalText));
        Assert.Equal(("other", "3"), (third.Model.ModelId, third.Result.FinalText));
    }

    internal static List<string> Texts(IReadOnlyList<ChatMessage> request) =>
        [.. request.Where(m => m.Role == ChatRole.User || m.Role == ChatRole.Assistant).Select(m => m.Text).Where(t => t.Length > 0)];
}
