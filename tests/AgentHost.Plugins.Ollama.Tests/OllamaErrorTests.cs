using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.Ollama;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Ollama.Tests;

/// <summary>Every way an Ollama call fails becomes a classified <see cref="ProviderException"/> that says what to do.</summary>
public sealed class OllamaErrorTests : OllamaPluginFixture
{
    [Fact]
    public async Task MissingModel_IsModelNotFound_WithThePullCommand()
    {
        Server.Enqueue(FakeReply.Json(404, Ndjson.Error("model \"nope:1b\" not found, try pulling it first")));

        var error = await StreamErrorAsync(Client(model: "nope:1b"));

        Assert.Equal(ProviderErrorKind.ModelNotFound, error.Kind);
        Assert.Equal(404, error.StatusCode);
        Assert.Equal("local", error.Provider);
        Assert.Contains("model \"nope:1b\" not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("ollama pull nope:1b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedConnection_IsTransport_WithTheServeHint()
    {
        var closedPort = $"http://127.0.0.1:{Ports.Free()}";

        var error = await StreamErrorAsync(Client(baseUrl: closedPort));

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains(closedPort, error.Message, StringComparison.Ordinal);
        Assert.Contains("ollama serve", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerError_IsRetryable_AndTheNextRequestSucceeds()
    {
        Server.Enqueue(
            FakeReply.Json(500, Ndjson.Error("llama runner process has terminated: signal: killed")),
            FakeReply.Stream(Ndjson.Content("recovered"), Ndjson.Done()));
        var client = Client();

        var error = await StreamErrorAsync(client);
        var response = (await CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "again")]))).ToChatResponse();

        Assert.Equal((ProviderErrorKind.ServerError, 500, true), (error.Kind, error.StatusCode, error.IsRetryable));
        Assert.Contains("llama runner process has terminated", error.Message, StringComparison.Ordinal);
        Assert.Equal("recovered", response.Text);
        Assert.Equal(2, Server.ChatRequests.Count);
    }

    [Fact]
    public async Task TooManyRequests_IsRateLimited_WithRetryAfter()
    {
        Server.Enqueue(FakeReply.Json(429, Ndjson.Error("server busy, please try again"), new Dictionary<string, string> { ["Retry-After"] = "7" }));

        var error = await StreamErrorAsync(Client());

        Assert.Equal((ProviderErrorKind.RateLimited, 429), (error.Kind, error.StatusCode));
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Theory]
    [InlineData("an error was encountered while running the model: unexpected EOF", ProviderErrorKind.ServerError)]
    [InlineData("the input length exceeds the context length", ProviderErrorKind.ContextLengthExceeded)]
    public async Task ErrorLine_MidStream_IsClassifiedFromItsMessage(string message, ProviderErrorKind kind)
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("Partial"), Ndjson.Error(message)));
        var seen = new List<string>();

        var error = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]))
            {
                seen.Add(update.Text);
            }
        });

        Assert.Equal(kind, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(["Partial"], seen);
    }

    [Fact]
    public async Task StreamCutBeforeDone_IsTransport()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("Half an ans")));

        var error = await StreamErrorAsync(Client());

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
        Assert.Contains("ended before it was complete", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedLine_IsMalformedResponse_QuotingTheLine()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("ok"), "{\"model\":\"qwen3:8b\",\"message\":{\"content\":", Ndjson.Done()));

        var error = await StreamErrorAsync(Client());

        Assert.Equal(ProviderErrorKind.MalformedResponse, error.Kind);
        Assert.Contains("{\"model\":\"qwen3:8b\",\"message\":{\"content\":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelWithoutToolSupport_IsBadRequest_SayingWhichModelsCan()
    {
        Server.Enqueue(FakeReply.Json(400, Ndjson.Error("registry.ollama.ai/library/gemma2:2b does not support tools")));

        var error = await StreamErrorAsync(Client(model: "gemma2:2b"));

        Assert.Equal(ProviderErrorKind.BadRequest, error.Kind);
        Assert.Contains("'tools' capability", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongEndpoint_NotOllamasErrorShape_SaysBaseUrlIsNotOllama()
    {
        var error = await StreamErrorAsync(Client(baseUrl: Server.BaseUrl + "/proxy"));

        Assert.Equal(ProviderErrorKind.MalformedResponse, error.Kind);
        Assert.Contains("does not look like an Ollama server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidSetting_FailsAtCreation_NamingTheKey()
    {
        var error = Assert.Throws<ProviderException>(() => Client(new Dictionary<string, string> { ["num_ctx"] = "lots" }));

        Assert.Contains("providers.local.num_ctx is 'lots'", error.Message, StringComparison.Ordinal);
    }

    private static async Task<ProviderException> StreamErrorAsync(IChatClient client) =>
        await Assert.ThrowsAsync<ProviderException>(() => CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hello")])));
}
