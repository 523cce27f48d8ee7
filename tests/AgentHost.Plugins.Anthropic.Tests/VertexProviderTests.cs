using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>
/// <c>platform: vertex</c>: the anthropic plugin through the official Anthropic.Vertex package against a fake Vertex AI
/// endpoint — rawPredict and streamRawPredict (server-sent events) with an access token as the bearer token, the
/// project and region in the path, Google's errors.
/// </summary>
public sealed class VertexProviderTests() : ProviderPluginHost<FakeVertexServer>("anthropic")
{
    private const string Model = "claude-sonnet-4-5@20250929";
    private const string AccessToken = "ya29.a0-test-access-token-0123456789";
    private const string Prediction = "/v1/projects/my-project-123/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929";

    [Fact]
    public async Task Stream_TextAndToolUse_FromStreamRawPredict_WithTheAccessTokenAsBearer()
    {
        Server.EnqueueStream(
        [
            Sse.MessageStart(model: Model),
            .. Sse.Text(0, "Let me ", "look."),
            .. Sse.ToolUse(1, "toolu_vrtx_1", "ls", "{\"path\": ", "\"src\", \"depth\": 1}"),
            Sse.MessageDelta("tool_use", 30),
            Sse.MessageStop(),
        ]);

        var updates = await CollectAsync(Client().GetStreamingResponseAsync([new(ChatRole.User, "list src")], new ChatOptions { Tools = [LsTool()] }));

        Assert.True(updates.Count(u => u.Text.Length > 0) >= 2, "each text_delta should arrive as its own update");
        var response = updates.ToChatResponse();
        Assert.Equal("Let me look.", response.Text);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("toolu_vrtx_1", "ls", "src"), (call.CallId, call.Name, call.Arguments!["path"]!.ToString()));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);

        var sent = Server.LastPrediction;
        Assert.Equal(Prediction + ":streamRawPredict", sent.Path);
        Assert.Equal("Bearer " + AccessToken, sent.Header("Authorization"));
        Assert.Null(sent.Header("x-api-key"));
        var body = sent.Node;
        Assert.Equal("vertex-2023-10-16", body["anthropic_version"]!.GetValue<string>());
        Assert.Null(body["model"]);
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.Equal("ls", body["tools"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetResponse_UsesRawPredict()
    {
        Server.EnqueueJson(200, Sse.MessageJson("Hello from Vertex.", input: 9, output: 3));

        var response = await Client().GetResponseAsync([new(ChatRole.User, "hi")]);

        Assert.Equal("Hello from Vertex.", response.Text);
        Assert.Equal((9L, 3L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount));
        Assert.Equal(Prediction + ":rawPredict", Server.LastPrediction.Path);
    }

    [Fact]
    public async Task GoogleErrors_AreClassifiedByStatus_WithGooglesMessage_AndNoToken()
    {
        Server.EnqueueError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model.");

        var error = await Assert.ThrowsAsync<ProviderException>(() => CollectAsync(Client().GetStreamingResponseAsync([new(ChatRole.User, "hi")])));

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Contains("Quota exceeded for aiplatform.googleapis.com", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AccessToken, error.Message, StringComparison.Ordinal);
    }

    [FactWithoutVariables("ANTHROPIC_VERTEX_PROJECT_ID")]
    public void MissingProject_IsRejected_NamingTheSettingAndTheVariable()
    {
        var options = Options() with { Settings = new Dictionary<string, string> { ["platform"] = "vertex" } };

        var error = Assert.Throws<ArgumentException>(() => CreateClient(options));

        Assert.Contains("providers.gcp.settings.vertex_project_id: no Google Cloud project for Vertex AI", error.Message, StringComparison.Ordinal);
        Assert.Contains("ANTHROPIC_VERTEX_PROJECT_ID", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_ListsTheKnownModels_WithVertexIds()
    {
        var models = await DiscoverAsync(Options());

        Assert.Contains(models, m => m.Id == "claude-sonnet-4-5@20250929" && m.ContextWindow == 200_000);
        Assert.Contains(models, m => m.Id == "claude-opus-4@20250514");
    }

    private IChatClient Client() => CreateClient(Options());

    private ChatProviderOptions Options() => new("gcp", Model)
    {
        BaseUrl = new Uri(Server.BaseUrl),
        ApiKey = AccessToken,
        Settings = new Dictionary<string, string> { ["platform"] = "vertex", ["vertex_project_id"] = "my-project-123", ["vertex_region"] = "us-east5" },
    };

    private static AIFunction LsTool() =>
        AIFunctionFactory.Create((string path, int depth) => $"{path}/{depth}", "ls", "Lists a directory.");
}
