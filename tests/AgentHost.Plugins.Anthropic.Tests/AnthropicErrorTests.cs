using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>Every failure the Messages API can produce becomes a classified <see cref="ProviderException"/>.</summary>
public sealed class AnthropicErrorTests : AnthropicPluginHost
{
    [Fact]
    public async Task RateLimit429_IsRateLimited_WithTheRetryAfterHeader_AndTheApiMessage()
    {
        Server.EnqueueError(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", new Dictionary<string, string> { ["retry-after"] = "17" });

        var error = await Assert.ThrowsAsync<ProviderException>(() => StreamAsync(Client(), Prompt()));

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(17), error.RetryAfter);
        Assert.Equal("claude", error.Provider);
        Assert.Contains("per-minute rate limit", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsRetryable);
        Assert.Single(Server.Requests, r => r.Path == "/v1/messages"); // the SDK does not retry on its own
    }

    [Fact]
    public async Task Overloaded529_IsAServerError_ForBothRequestKinds()
    {
        Server.EnqueueError(529, "overloaded_error", "Overloaded");
        Server.EnqueueError(529, "overloaded_error", "Overloaded");
        var client = Client();

        var streamed = await Assert.ThrowsAsync<ProviderException>(() => StreamAsync(client, Prompt()));
        var single = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Prompt()));

        Assert.All([streamed, single], error =>
        {
            Assert.Equal(ProviderErrorKind.ServerError, error.Kind);
            Assert.Equal(529, error.StatusCode);
            Assert.Contains("Overloaded", error.Message, StringComparison.Ordinal);
        });
        Assert.Equal(2, Server.Requests.Count(r => r.Path == "/v1/messages"));
    }

    [Fact]
    public async Task Unauthorized401_IsAuthentication_AndTheMessageNeverHoldsTheKey()
    {
        Server.EnqueueError(401, "authentication_error", $"invalid x-api-key {ApiKey}");

        var error = await Assert.ThrowsAsync<ProviderException>(() => StreamAsync(Client(), Prompt()));

        Assert.Equal(ProviderErrorKind.Authentication, error.Kind);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("invalid x-api-key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptTooLong400_IsContextLengthExceeded()
    {
        Server.EnqueueError(400, "invalid_request_error", "prompt is too long: 208000 tokens > 200000 maximum");

        var error = await Assert.ThrowsAsync<ProviderException>(() => StreamAsync(Client(), Prompt()));

        Assert.Equal(ProviderErrorKind.ContextLengthExceeded, error.Kind);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("208000 tokens > 200000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "messages.0.content: field required", ProviderErrorKind.BadRequest)]
    [InlineData(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API.", ProviderErrorKind.QuotaExceeded)]
    [InlineData(403, "permission_error", "Your API key does not have permission to use the specified resource.", ProviderErrorKind.Authentication)]
    [InlineData(404, "not_found_error", "model: claude-test", ProviderErrorKind.ModelNotFound)]
    [InlineData(500, "api_error", "Internal server error", ProviderErrorKind.ServerError)]
    public async Task ErrorBodies_AreClassifiedByTheirType(int status, string type, string message, ProviderErrorKind expected)
    {
        Server.EnqueueError(status, type, message);

        var error = await Assert.ThrowsAsync<ProviderException>(() => Client().GetResponseAsync(Prompt()));

        Assert.Equal(expected, error.Kind);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorEventMidStream_IsAServerError_AfterTheTextAlreadyDelivered()
    {
        Server.EnqueueStream([Sse.MessageStart(), .. Sse.Text(0, "Partial "), Sse.Error("overloaded_error", "Overloaded")]);
        var received = new List<ChatResponseUpdate>();

        var error = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync(Prompt()))
            {
                received.Add(update);
            }
        });

        Assert.Equal(ProviderErrorKind.ServerError, error.Kind);
        Assert.Contains("Overloaded", error.Message, StringComparison.Ordinal);
        Assert.Equal("Partial ", string.Concat(received.Select(u => u.Text)));
    }

    [Theory]
    [InlineData(StreamEnd.Abort)]
    [InlineData(StreamEnd.Close)]
    public async Task StreamCutBeforeMessageStop_IsATransportError(StreamEnd end)
    {
        Server.EnqueueStream([Sse.MessageStart(), .. Sse.Text(0, "Half an ans")], end);

        var error = await Assert.ThrowsAsync<ProviderException>(() => StreamAsync(Client(), Prompt()));

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task MalformedEventJson_IsAMalformedResponse()
    {
        Server.EnqueueStream([Sse.MessageStart(), "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"\n\n", Sse.MessageStop()]);

        var error = await Assert.ThrowsAsync<ProviderException>(() => StreamAsync(Client(), Prompt()));

        Assert.Equal(ProviderErrorKind.MalformedResponse, error.Kind);
    }

    [Fact]
    public async Task MalformedJsonAnswer_IsAMalformedResponse()
    {
        Server.EnqueueJson(200, "{\"id\": \"msg_1\", \"content\": [ oops");

        var error = await Assert.ThrowsAsync<ProviderException>(() => Client().GetResponseAsync(Prompt()));

        Assert.Equal(ProviderErrorKind.MalformedResponse, error.Kind);
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task NoAnswerWithinTimeoutSeconds_IsATransportError_NamingTheSetting()
    {
        Server.EnqueueSilence();
        var client = Client(new Dictionary<string, string> { ["timeout_seconds"] = "1" });

        var error = await Assert.ThrowsAsync<ProviderException>(() => StreamAsync(client, Prompt()));

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
        Assert.Contains("did not start answering within 1 s (timeout_seconds)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableEndpoint_IsATransportError()
    {
        var options = Options() with { BaseUrl = new Uri($"http://127.0.0.1:{Ports.Free()}") };
        var client = Provider.CreateClient(options, Services);

        var error = await Assert.ThrowsAsync<ProviderException>(() => StreamAsync(client, Prompt()));

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscoverModels_Unauthorized_IsAuthentication()
    {
        Server.ModelsFailure = (401, """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""");

        var error = await Assert.ThrowsAsync<ProviderException>(() => Provider.DiscoverModels!(Options(), Services, CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Authentication, error.Kind);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("invalid x-api-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task Cancellation_MidStream_EndsTheStream_AndClosesTheConnection()
    {
        Server.EnqueueStream([Sse.MessageStart(), .. Sse.Text(0, "Thinking about it")], StreamEnd.Hold);
        using var cancel = new CancellationTokenSource();
        var received = new List<string>();

        var consume = Task.Run(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync(Prompt(), cancellationToken: cancel.Token))
            {
                received.Add(update.Text);
                if (update.Text.Length > 0)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consume.WaitAsync(TimeSpan.FromSeconds(60)));
        await Server.HoldEnded.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("Thinking about it", received);
    }
}
