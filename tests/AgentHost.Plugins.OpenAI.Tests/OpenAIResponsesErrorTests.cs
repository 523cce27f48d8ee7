using AgentHost.Agent.Engine;
using AgentHost.Agent.Telemetry;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Providers;
using AgentHost.Tests.Agent;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using RE = AgentHost.Plugins.OpenAI.Tests.ResponsesEvents;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>Every way a Responses API request can fail becomes a classified <see cref="ProviderException"/> the host can explain or retry.</summary>
public sealed class OpenAIResponsesErrorTests : OpenAIResponsesProviderHost
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "hi")];

    [Fact]
    public async Task ResponseFailed_WithContextLengthExceeded_IsContextLength_AndTheHintSaysWhatToDo()
    {
        Server.ReplyEvents([RE.Created(), RE.Failed("context_length_exceeded", "Your input exceeds the context window of this model. Please adjust your input and try again.")]);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.ContextLengthExceeded, error.Kind);
        Assert.False(error.IsRetryable);
        Assert.Equal("local", error.Provider);
        var described = ProviderErrorHints.Describe(error, 1);
        Assert.Contains("Your input exceeds the context window of this model", described, StringComparison.Ordinal);
        Assert.Contains("context_window in the catalog", described, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseFailed_WithARateLimit_IsRetryable_WithTheWaitFromTheMessage()
    {
        Server.ReplyEvents([RE.Created(), RE.Failed("rate_limit_exceeded", "Rate limit reached for gpt-5 on tokens per min (TPM). Please try again in 1.5s.")]);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1.5), error.RetryAfter);
    }

    [Fact]
    public async Task ErrorEvent_IsAServerError_WithTheProvidersMessage()
    {
        Server.ReplyEvents([RE.Created(), RE.MessageAdded(0), RE.TextDelta(0, "Half"), RE.Error("server_error", "The server had an error while processing your request.")]);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.ServerError, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains("The server had an error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorEvent_WithInsufficientQuota_IsQuotaExceeded()
    {
        Server.ReplyEvents([RE.Error("insufficient_quota", "You exceeded your current quota, please check your plan and billing details.")]);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.QuotaExceeded, error.Kind);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task StreamEndingWithoutResponseCompleted_IsTransport_AndRetryable()
    {
        Server.ReplyEvents([RE.Created(), RE.MessageAdded(0), RE.TextDelta(0, "The answer is")]);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains("response.completed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedEventJson_IsMalformedResponse()
    {
        Server.ReplyRaw("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"unterminated\n\n");

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.MalformedResponse, error.Kind);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task ConnectionAbortedMidStream_IsTransport()
    {
        Server.EventsThenAbort([RE.Created(), RE.MessageAdded(0), RE.TextDelta(0, "The answer is")]);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
    }

    [Fact]
    public async Task Unauthorized_IsAuthentication_WithTheProvidersMessage_AndNeverTheKey()
    {
        Server.ReplyJson(RE.ErrorBody($"Incorrect API key provided: {Key}. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"), 401);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.Authentication, error.Kind);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("Incorrect API key provided", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.Contains("api_key_env", ProviderErrorHints.Describe(error, 1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnverifiedOrganization_RefusingReasoningSummaries_NamesTheSettingThatStopsAskingForThem()
    {
        Server.ReplyJson(RE.ErrorBody("Your organization must be verified to generate reasoning summaries. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.", "invalid_request_error", "unsupported_value", "reasoning.summary"), 400);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.BadRequest, error.Kind);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("must be verified", error.Message, StringComparison.Ordinal);
        Assert.Contains("providers.local.settings.reasoning_summary: none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownModel_IsModelNotFound()
    {
        Server.ReplyJson(RE.ErrorBody("The requested model 'gpt-9' does not exist.", "invalid_request_error", "model_not_found", "model"), 400);

        var error = await StreamFailureAsync();

        Assert.Equal(ProviderErrorKind.ModelNotFound, error.Kind);
        Assert.Contains("gpt-9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit429_WithRetryAfter_IsRetriedByTheAgentLoop_ThenSucceeds()
    {
        Server.ReplyJson(RE.ErrorBody("Rate limit reached for requests", "requests", "rate_limit_exceeded"), 429, ("Retry-After", "1"));
        Server.ReplyEvents(RE.Answer("Done after waiting."));
        await using var bus = new EventBus(NullLogger<EventBus>.Instance, capacity: 10_000);
        var events = new List<AgentEvent>();
        using var subscription = bus.Subscribe<ModelRetryingEvent>((e, _) =>
        {
            lock (events)
            {
                events.Add(e);
            }

            return ValueTask.CompletedTask;
        });
        using var telemetry = new AgentTelemetry();
        using var pipeline = new ToolPipeline(new CapabilityRegistry(bus), bus, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System, null, telemetry);
        var loop = new AgentLoop(Client(), pipeline, bus, new InMemoryConversationRecorder(), TimeProvider.System, new AgentLoopOptions { Retry = new ModelRetryPolicy { MaxAttempts = 3 } });

        var result = await loop.RunAsync(new AgentRunRequest("s-1", "Do it.") { SystemPrompt = "You are a test agent.", ProviderName = "local" });

        await bus.DrainAsync();
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("Done after waiting.", result.FinalText);
        Assert.Equal(2, Server.Requests.Count(r => r.Path == "/v1/responses"));
        var retrying = Assert.IsType<ModelRetryingEvent>(Assert.Single(events));
        Assert.Equal(1000, retrying.DelayMs);
        Assert.Contains("Rate limit reached", retrying.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_MidStream_EndsTheStreamPromptly_AsACancellation()
    {
        Server.EventsThenHold([RE.Created(), RE.MessageAdded(0), RE.TextDelta(0, "Thinking about it")]);
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

    private Task<ProviderException> StreamFailureAsync() =>
        Assert.ThrowsAsync<ProviderException>(() => Client().GetStreamingResponseAsync(Hello).CollectAsync());
}
