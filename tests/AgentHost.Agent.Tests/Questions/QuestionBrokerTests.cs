using System.Collections.Concurrent;
using AgentHost.Agent.Questions;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Tests.Questions;

/// <summary>The question broker on a real event bus: responders, prepared answers, options, the first answer, time-out and departure.</summary>
public sealed class QuestionBrokerTests
{
    private static HumanQuestion Question(string id, params string[] options) => new(id, "Which one?") { Options = options, SessionId = "s1" };

    [Fact]
    public async Task WithNobodyPresent_AQuestionEndsAtOnce_WithoutAnswer_AndBothEventsArePublished()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var seen = new ConcurrentQueue<AgentEvent>();
        using var subscription = bus.Subscribe<AgentEvent>((e, _) =>
        {
            seen.Enqueue(e);
            return ValueTask.CompletedTask;
        });
        var broker = new QuestionBroker(bus);

        Assert.False(broker.CanAnswer);
        var outcome = await broker.AskForOutcomeAsync(Question("q1"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(outcome.Answer);
        Assert.Equal("nobody", outcome.AnsweredBy);
        await bus.DrainAsync(CancellationToken.None);
        Assert.Collection(
            seen,
            e => Assert.Equal("q1", Assert.IsType<QuestionAskedEvent>(e).QuestionId),
            e => Assert.Equal("nobody", Assert.IsType<QuestionAnsweredEvent>(e).AnsweredBy));
    }

    [Fact]
    public async Task PreparedAnswers_AnswerInOrder_BeforeAnyResponder_AndOneNotAmongTheOptionsIsRefused()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new QuestionBroker(bus);
        broker.Prepare(["maybe", "YES"]);

        Assert.True(broker.CanAnswer);
        var refused = await broker.AskForOutcomeAsync(Question("q1", "yes", "no"), CancellationToken.None);
        var answered = await broker.AskAsync(Question("q2", "yes", "no"), CancellationToken.None);
        var none = await broker.AskAsync(Question("q3"), CancellationToken.None);

        Assert.Null(refused.Answer);
        Assert.Contains("'maybe' is not one of the options: 'yes', 'no'", refused.Why, StringComparison.Ordinal);
        Assert.Equal(new HumanAnswer("yes", "--answer"), answered);
        Assert.Null(none);
        Assert.False(broker.CanAnswer);
    }

    [Fact]
    public async Task AResponder_Answers_AnAnswerNotAmongTheOptionsIsRefused_AndTheFirstAnswerWins()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new QuestionBroker(bus);
        using var chat = broker.AddResponder("chat");
        var refusals = new ConcurrentQueue<string?>();
        using var subscription = bus.Subscribe<QuestionAskedEvent>((question, _) =>
        {
            Assert.Equal(["red", "green"], question.Options);
            Assert.Single(broker.PendingQuestions);
            Assert.False(broker.TryAnswer(question.QuestionId, "purple", "chat", out var refusal));
            refusals.Enqueue(refusal);
            Assert.True(broker.TryAnswer(question.QuestionId, "Green", "chat", out var accepted), accepted);
            return ValueTask.CompletedTask;
        });

        var answer = await broker.AskAsync(Question("q1", "red", "green"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(new HumanAnswer("green", "chat"), answer);
        Assert.False(broker.TryAnswer("q1", "red", "http", out var late));
        Assert.Contains("no question 'q1' is waiting", late, StringComparison.Ordinal);
        Assert.Contains("'purple' is not one of the options", Assert.Single(refusals), StringComparison.Ordinal);
        Assert.Empty(broker.PendingQuestions);
    }

    [Fact]
    public async Task WhenTheLastResponderLeaves_APendingQuestionEnds_WithoutAnswer()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new QuestionBroker(bus);
        var chat = broker.AddResponder("chat");
        using var subscription = bus.Subscribe<QuestionAskedEvent>((_, _) =>
        {
            chat.Dispose();
            return ValueTask.CompletedTask;
        });

        var outcome = await broker.AskForOutcomeAsync(Question("q1"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(outcome.Answer);
        Assert.Equal("nobody", outcome.AnsweredBy);
    }

    [Fact]
    public async Task TheTimeOut_EndsAQuestion_WithoutAnswer_AndAHeadlessAskerNeverWaits()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new QuestionBroker(bus) { AnswerTimeout = TimeSpan.FromMilliseconds(50) };
        using var http = broker.AddResponder("http");

        var expired = await broker.AskForOutcomeAsync(Question("q1"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var headless = await broker.AskForOutcomeAsync(Question("q2") with { Timeout = TimeSpan.FromHours(1) }, CancellationToken.None, headless: true).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("timeout", expired.AnsweredBy);
        Assert.Contains("nobody answered within", expired.Why, StringComparison.Ordinal);
        Assert.Equal("nobody", headless.AnsweredBy);
    }

    [Fact]
    public async Task Cancellation_EndsTheWait_AndTheQuestionIsNoLongerPending()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var broker = new QuestionBroker(bus);
        using var http = broker.AddResponder("http");
        using var cancel = new CancellationTokenSource();
        using var subscription = bus.Subscribe<QuestionAskedEvent>((_, _) => new ValueTask(cancel.CancelAsync()));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker.AskAsync(Question("q1"), cancel.Token).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Empty(broker.PendingQuestions);
    }
}
