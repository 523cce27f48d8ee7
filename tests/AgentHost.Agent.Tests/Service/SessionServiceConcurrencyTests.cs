using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Service;

namespace AgentHost.Agent.Tests.Service;

public sealed class SessionServiceConcurrencyTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TwoSessionsInParallel_EachStreamCarriesOnlyItsOwnEvents()
    {
        await using var fx = new ServiceFixture();
        var bothWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = fx.Model("a").ReplyAfter(bothWaiting.Task, "answer from a");
        var b = fx.Model("b").ReplyAfter(bothWaiting.Task, "answer from b");
        await using var first = await fx.Service.CreateAsync(fx.Options("fake/a"));
        await using var second = await fx.Service.CreateAsync(fx.Options("fake/b"));
        using var stop = new CancellationTokenSource(Guard);
        var firstEvents = Collect(first, stop.Token);
        var secondEvents = Collect(second, stop.Token);

        var turns = Task.WhenAll(first.SendAsync(new TurnRequest("to a")), second.SendAsync(new TurnRequest("to b")));
        await Task.WhenAll(a.Waiting.Task, b.Waiting.Task).WaitAsync(Guard);
        Assert.Equal(2, fx.Service.OpenSessions.Count);
        bothWaiting.SetResult();
        var results = await turns.WaitAsync(Guard);

        Assert.Equal(["answer from a", "answer from b"], results.Select(r => r.Result.FinalText));
        Assert.NotEqual(first.Id, second.Id);
        var (ofFirst, ofSecond) = (await firstEvents.WaitAsync(Guard), await secondEvents.WaitAsync(Guard));
        Assert.All(ofFirst, e => Assert.Equal(first.Id, e.SessionId));
        Assert.All(ofSecond, e => Assert.Equal(second.Id, e.SessionId));
        Assert.Contains(ofFirst, e => e is ModelSelectedEvent { Model: "a" });
        Assert.Equal("answer from b", ofSecond.OfType<RunCompletedEvent>().Single().FinalText);
    }

    [Fact]
    public async Task Fork_ContinuesFromTheParentsHistory_AsAnotherSession()
    {
        await using var fx = new ServiceFixture();
        var model = fx.Model("main").Reply("parent answer").Reply("fork answer");
        string parentId;
        await using (var parent = await fx.Service.CreateAsync(fx.Options()))
        {
            parentId = (await parent.SendAsync(new TurnRequest("parent question"))).SessionId;
        }

        await using var fork = await fx.Service.ForkAsync(parentId, fx.Options());
        var result = await fork.SendAsync(new TurnRequest("fork question"));

        Assert.True(fork.Resumed);
        Assert.NotEqual(parentId, result.SessionId);
        Assert.Equal("fork answer", result.Result.FinalText);
        Assert.Equal(["parent question", "parent answer", "fork question"], SessionServiceTests.Texts(model.Requests[^1]));
    }

    [Fact]
    public async Task ASessionOpenInTheService_IsLeased_SoASecondOpenIsRefused()
    {
        await using var fx = new ServiceFixture();
        fx.Model("main").Reply("hi");
        await using var session = await fx.Service.CreateAsync(fx.Options());
        await session.SendAsync(new TurnRequest("hello"));

        var refused = await Assert.ThrowsAsync<AgentHostException>(() => fx.Service.OpenAsync(session.Id!, fx.Options()));
        Assert.Equal(ErrorKind.InUse, refused.Kind);
    }

    /// <summary>Subscribes now; collects the session's own events until its turn completes.</summary>
    private static Task<List<SessionEvent>> Collect(AgentSession session, CancellationToken cancellationToken)
    {
        var events = session.StreamEventsAsync(cancellationToken);
        return Task.Run(async () =>
        {
            var seen = new List<SessionEvent>();
            await foreach (var e in events)
            {
                if (e is SessionEvent own)
                {
                    seen.Add(own);
                    if (own is RunCompletedEvent)
                    {
                        break;
                    }
                }
            }

            return seen;
        });
    }
}
