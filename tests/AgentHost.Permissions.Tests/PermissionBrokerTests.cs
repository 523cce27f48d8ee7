using System.Collections.Concurrent;
using AgentHost.Hosting.Events;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Permissions.Tests;

public sealed class PermissionBrokerTests
{
    private static PermissionRequestedEvent Request(string id, string session = "s1") =>
        new(session, id, "call-" + id, "write", "files", "write", "src/a.txt", "no rule allows writing src/a.txt; mode 'ask' asks");

    [Fact]
    public async Task WithoutResponders_RequestsAreDeniedAtOnce_AndNothingIsPublished()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var seen = 0;
        using var subscription = bus.Subscribe<PermissionRequestedEvent>((_, _) =>
        {
            Interlocked.Increment(ref seen);
            return ValueTask.CompletedTask;
        });
        var broker = new PermissionBroker(bus);

        var answer = await broker.AskAsync(Request("r1"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PermissionAnswerKind.Deny, answer.Kind);
        Assert.Equal("headless", answer.AnsweredBy);
        await bus.DrainAsync(CancellationToken.None);
        Assert.Equal(0, seen);
    }

    [Fact]
    public async Task FirstAnswerWins_LaterAnswersAreRefused()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new PermissionBroker(bus);
        using var cli = broker.AddResponder("cli");
        using var http = broker.AddResponder("http");
        var results = new ConcurrentQueue<bool>();
        using var first = bus.Subscribe<PermissionRequestedEvent>((request, _) =>
        {
            results.Enqueue(broker.TryAnswer(request.RequestId, new PermissionAnswer(PermissionAnswerKind.AllowOnce, "cli")));
            return ValueTask.CompletedTask;
        });

        var answer = await broker.AskAsync(Request("r1"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var late = broker.TryAnswer("r1", new PermissionAnswer(PermissionAnswerKind.Deny, "http"));

        Assert.Equal(PermissionAnswerKind.AllowOnce, answer.Kind);
        Assert.Equal("cli", answer.AnsweredBy);
        Assert.False(late);
        Assert.Equal([true], results);
        Assert.Empty(broker.PendingRequests);
    }

    [Fact]
    public async Task UnknownRequestIds_CannotBeAnswered()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new PermissionBroker(bus);

        Assert.False(broker.TryAnswer("forged", new PermissionAnswer(PermissionAnswerKind.AllowOnce, "plugin")));
    }

    [Fact]
    public async Task TheLastResponderLeaving_DeniesWhatIsPending()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new PermissionBroker(bus);
        var responder = broker.AddResponder("cli");
        var published = new TaskCompletionSource();
        using var subscription = bus.Subscribe<PermissionRequestedEvent>((_, _) =>
        {
            published.TrySetResult();
            return ValueTask.CompletedTask;
        });

        var pending = broker.AskAsync(Request("r1"), CancellationToken.None);
        await published.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(broker.PendingRequests);
        responder.Dispose();
        var answer = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PermissionAnswerKind.Deny, answer.Kind);
        Assert.False(broker.HasResponders);
    }

    [Fact]
    public async Task AnUnansweredRequest_IsDeniedAfterTheTimeout()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new PermissionBroker(bus) { AnswerTimeout = TimeSpan.FromMilliseconds(50) };
        using var responder = broker.AddResponder("silent");

        var answer = await broker.AskAsync(Request("r1"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PermissionAnswerKind.Deny, answer.Kind);
        Assert.Equal("timeout", answer.AnsweredBy);
        Assert.Contains("nobody answered", answer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_EndsTheWait()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new PermissionBroker(bus);
        using var responder = broker.AddResponder("silent");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker.AskAsync(Request("r1"), cancel.Token).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(broker.PendingRequests);
    }

    [Fact]
    public async Task OneSession_TakesTurns_OtherSessionsDoNotWait()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new PermissionBroker(bus);

        var first = await broker.EnterSessionAsync("s1", CancellationToken.None);
        var second = broker.EnterSessionAsync("s1", CancellationToken.None);
        var other = await broker.EnterSessionAsync("s2", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        first.Dispose();
        first.Dispose(); // a second dispose must not release another turn
        var secondTurn = await second.WaitAsync(TimeSpan.FromSeconds(10));
        var third = broker.EnterSessionAsync("s1", CancellationToken.None);
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        secondTurn.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        other.Dispose();
    }
}
