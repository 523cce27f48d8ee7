using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>Every way a Chat Completions request can fail becomes a classified <see cref="ProviderException"/>.</summary>
public sealed class OpenAIErrorTests : OpenAIProviderHost
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "hi")];

    [Fact]
    public async Task RateLimit_WithRetryAfter_IsRateLimited_WithTheWait_AndNotRetriedByTheSdk()
    {
        Server.ReplyJson(Chunks.Error("Rate limit reached for requests", "requests", "rate_limit_exceeded"), 429, ("Retry-After", "7"));

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal("local", error.Provider);
        Assert.True(error.IsRetryable);
        Assert.Single(Server.Requests); // the host retries, the SDK must not
    }

    [Fact]
    public async Task RetryAfterMs_WinsOverRetryAfter()
    {
        Server.ReplyJson(Chunks.Error("slow down", "requests", null), 429, ("retry-after-ms", "1500"), ("Retry-After", "9"));

        var error = await StreamFailureAsync();

        Assert.Equal(TimeSpan.FromMilliseconds(1500), error.RetryAfter);
    }

    [Fact]
    public async Task InsufficientQuota_Is429_ButQuotaExceeded_AndNotRetryable()
    {
        Server.ReplyJson(Chunks.Error("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"), 429);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.QuotaExceeded, error.Kind);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task ServerError_IsRetryable()
    {
        Server.ReplyJson(Chunks.Error("The server had an error while processing your request.", "server_error", null), 500);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.ServerError, error.Kind);
        Assert.Equal(500, error.StatusCode);
        Assert.True(error.IsRetryable);
        Assert.Contains("The server had an error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unauthorized_IsAuthentication_WithTheProvidersMessage_AndNeverTheKey()
    {
        Server.ReplyJson(Chunks.Error($"Incorrect API key provided: {OpenAIProviderHost.Key}.", "invalid_request_error", "invalid_api_key"), 401);

        var error = await Assert.ThrowsAsync<ProviderException>(() => Client().GetResponseAsync(Hello));

        Assert.Equal(ProviderErrorKind.Authentication, error.Kind);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("Incorrect API key provided", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(OpenAIProviderHost.Key, error.Message, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task ContextLengthExceeded_IsRecognisedFromTheErrorCode()
    {
        Server.ReplyJson(Chunks.Error("This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.", "invalid_request_error", "context_length_exceeded"), 400);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.ContextLengthExceeded, error.Kind);
        Assert.Contains("maximum context length is 8192", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContextOverflow_WithoutACode_IsRecognisedFromTheMessage_AsVllmSendsIt()
    {
        Server.ReplyJson("""{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","param":null,"code":400}""", 400);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.ContextLengthExceeded, error.Kind);
    }

    [Fact]
    public async Task UnknownModel_IsModelNotFound()
    {
        Server.ReplyJson(Chunks.Error("The model `gpt-9` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"), 404);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.ModelNotFound, error.Kind);
        Assert.Contains("gpt-9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamEndingWithoutDone_IsTransport_AndRetryable()
    {
        Server.ReplySse([Chunks.Role(), Chunks.Text("The answer is")], done: false);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains("[DONE]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionAbortedMidStream_IsTransport()
    {
        Server.SseThenAbort([Chunks.Role(), Chunks.Text("The answer is")]);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
    }

    [Fact]
    public async Task MalformedSseJson_IsMalformedResponse()
    {
        Server.ReplySse([Chunks.Role(), "{\"id\":\"x\",\"choices\":[{\"delta\":{\"content\":\"unterminated"]);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.MalformedResponse, error.Kind);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task ErrorSentInsideTheStream_IsClassifiedFromItsCode()
    {
        Server.ReplySse([Chunks.Role(), """{"error":{"message":"Provider returned error","code":502}}"""]);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.ServerError, error.Kind);
        Assert.Equal(502, error.StatusCode);
        Assert.Contains("Provider returned error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableEndpoint_IsTransport()
    {
        var closed = new Uri($"http://127.0.0.1:{Ports.Free()}/v1");

        var error = await Assert.ThrowsAsync<ProviderException>(() => Client(baseUrl: closed).GetStreamingResponseAsync(Hello).CollectAsync());

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
    }

    [Fact]
    public async Task Cancellation_MidStream_EndsTheStreamPromptly_AsACancellation()
    {
        Server.SseThenHold([Chunks.Role(), Chunks.Text("Thinking about it")]);
        using var cts = new CancellationTokenSource();
        var received = new List<string>();

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync(Hello, cancellationToken: cts.Token))
            {
                received.Add(update.Text);
                await cts.CancelAsync();
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("Thinking about it", string.Concat(received));
        Assert.Equal(cts.Token, cancelled.CancellationToken);
        await Server.HoldEnded.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the connection was closed, not left streaming
    }

    [Fact]
    public async Task TimeoutSetting_BoundsARequestThatGetsNoAnswer_AsTransport()
    {
        Server.ReplyNothing();
        var settings = new Dictionary<string, string> { ["timeout_seconds"] = "0.5" };

        var error = await Assert.ThrowsAsync<ProviderException>(() => Client(settings: settings).GetStreamingResponseAsync(Hello).CollectAsync());

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
        Assert.Contains("timeout_seconds", error.Message, StringComparison.Ordinal);
    }

    private Task<ProviderException> StreamFailureAsync() =>
        Assert.ThrowsAsync<ProviderException>(() => Client().GetStreamingResponseAsync(Hello).CollectAsync());
}
