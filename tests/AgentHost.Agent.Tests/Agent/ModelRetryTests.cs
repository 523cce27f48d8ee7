using System.Runtime.CompilerServices;
using AgentHost.Agent.Engine;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Providers;
using AgentHost.Tests.Agent;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests;

public sealed class ModelRetryTests
{
    private static AgentLoopOptions Fast(int attempts = 5) => new() { Retry = new ModelRetryPolicy { MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(1) } };

    /// <summary>Streams <paramref name="text"/>, then fails with <paramref name="error"/>.</summary>
    private static Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> PartialThenFail(string text, Exception error) => cancellationToken => Fail(text, error, cancellationToken);

    private static async IAsyncEnumerable<ChatResponseUpdate> Fail(string text, Exception error, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        if (text.Length > 0)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, text);
        }

        throw error;
    }

    [Fact]
    public async Task AServerErrorMidStream_IsRetried_AndThePartialAnswerIsDiscarded()
    {
        await using var harness = new AgentHarness(options: Fast());
        harness.Client
            .Custom(PartialThenFail("Half an answ", new ProviderException(ProviderErrorKind.ServerError, "overloaded") { StatusCode = 529 }))
            .Answer("The whole answer.");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("The whole answer.", result.FinalText);
        Assert.Equal(2, harness.Client.Requests.Count);
        Assert.DoesNotContain(harness.Recorder.Messages, m => m.Text.Contains("Half an answ", StringComparison.Ordinal));
        var retrying = Assert.Single((await harness.EventsAsync()).OfType<ModelRetryingEvent>());
        Assert.Equal(1, retrying.Attempt);
        Assert.Contains("overloaded", retrying.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryAfter_IsHonoured()
    {
        await using var harness = new AgentHarness(options: Fast());
        harness.Client
            .Custom(PartialThenFail(string.Empty, new ProviderException(ProviderErrorKind.RateLimited, "slow down") { StatusCode = 429, RetryAfter = TimeSpan.FromMilliseconds(120) }))
            .Answer("ok");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(120, Assert.Single((await harness.EventsAsync()).OfType<ModelRetryingEvent>()).DelayMs);
    }

    [Fact]
    public async Task TransportErrors_AreRetried()
    {
        await using var harness = new AgentHarness(options: Fast());
        harness.Client
            .Custom(PartialThenFail(string.Empty, new HttpRequestException("Connection refused (127.0.0.1:9)")))
            .Custom(PartialThenFail("par", new IOException("The response ended prematurely.")))
            .Answer("ok");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(3, harness.Client.Requests.Count);
    }

    [Fact]
    public async Task AnAuthenticationError_IsNotRetried_AndTheReasonCarriesTheProvidersMessageAndAHint()
    {
        await using var harness = new AgentHarness(options: Fast());
        harness.Client.Custom(PartialThenFail(string.Empty, new ProviderException(ProviderErrorKind.Authentication, "Incorrect API key provided: sk-…abcd.") { StatusCode = 401, Provider = "openai" }));

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.ProviderError, result.Outcome);
        Assert.Single(harness.Client.Requests);
        Assert.Contains("Incorrect API key provided", result.Reason, StringComparison.Ordinal);
        Assert.Contains("(HTTP 401)", result.Reason, StringComparison.Ordinal);
        Assert.Contains("providers.openai.api_key_env", result.Reason, StringComparison.Ordinal);
        Assert.Empty((await harness.EventsAsync()).OfType<ModelRetryingEvent>());
    }

    [Fact]
    public async Task Retries_EndAfterMaxAttempts_SayingHowMany()
    {
        await using var harness = new AgentHarness(options: Fast(attempts: 3));
        for (var i = 0; i < 3; i++)
        {
            harness.Client.Custom(PartialThenFail(string.Empty, new ProviderException(ProviderErrorKind.ServerError, "bad gateway") { StatusCode = 502 }));
        }

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.ProviderError, result.Outcome);
        Assert.Equal(3, harness.Client.Requests.Count);
        Assert.Contains("after 3 attempts", result.Reason, StringComparison.Ordinal);
        Assert.Equal(2, (await harness.EventsAsync()).OfType<ModelRetryingEvent>().Count());
    }

    [Fact]
    public void Backoff_GrowsExponentially_WithJitter_AndStopsAtTheCaps()
    {
        var policy = new ModelRetryPolicy { MaxAttempts = 10, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8) };
        var error = new ProviderException(ProviderErrorKind.ServerError, "x");

        Assert.Equal(TimeSpan.FromSeconds(0.5), policy.DelayBefore(error, 1, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(2), policy.DelayBefore(error, 3, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(4), policy.DelayBefore(error, 3, random: 0.999999)!.Value.RoundTo(TimeSpan.FromMilliseconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(8), policy.DelayBefore(error, 9, random: 0.999999)!.Value.RoundTo(TimeSpan.FromMilliseconds(1)));
        Assert.Null(policy.DelayBefore(error, 10, random: 0));
        Assert.Null(policy.DelayBefore(new ProviderException(ProviderErrorKind.RateLimited, "x") { RetryAfter = TimeSpan.FromMinutes(5) }, 1, random: 0));
        Assert.Null(policy.DelayBefore(new ProviderException(ProviderErrorKind.ContextLengthExceeded, "x"), 1, random: 0));
        Assert.Null(policy.DelayBefore(new InvalidOperationException("a bug"), 1, random: 0));
    }

    [Fact]
    public void RetryAfterHeaders_AreRead_InMillisecondsSecondsOrAsADate()
    {
        var now = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromMilliseconds(250), ProviderException.ParseRetryAfter(h => h == "retry-after-ms" ? "250" : "9", now));
        Assert.Equal(TimeSpan.FromSeconds(7), ProviderException.ParseRetryAfter(h => h == "retry-after" ? "7" : null, now));
        Assert.Equal(TimeSpan.FromSeconds(30), ProviderException.ParseRetryAfter(h => h == "retry-after" ? "Sun, 22 Nov 2026 10:00:30 GMT" : null, now));
        Assert.Null(ProviderException.ParseRetryAfter(_ => null, now));
        Assert.Null(ProviderException.ParseRetryAfter(h => h == "retry-after" ? "soon" : null, now));
    }
}

internal static class TimeSpanRounding
{
    public static TimeSpan RoundTo(this TimeSpan value, TimeSpan unit) => TimeSpan.FromTicks((long)Math.Round(value.Ticks / (double)unit.Ticks) * unit.Ticks);
}
