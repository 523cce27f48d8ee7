using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>
/// <c>platform: bedrock</c>: the anthropic plugin through the official Anthropic.Bedrock package against a fake Bedrock
/// runtime — InvokeModel and InvokeModelWithResponseStream (AWS event stream framing), a Bedrock API key as the bearer
/// token, Bedrock's errors. SigV4 signing with the AWS credential chain is checked end to end in <see cref="PlatformRunTests"/>.
/// </summary>
public sealed class BedrockProviderTests() : ProviderPluginHost<FakeBedrockServer>("anthropic")
{
    private const string Model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    private const string BedrockKey = "ABSKQmVkcm9ja0FQSUtleS10ZXN0LXNlY3JldA==";

    [Fact]
    public async Task Stream_TextAndToolUse_ArriveThroughTheEventStream_AsFromTheAnthropicApi()
    {
        Server.EnqueueStream(
        [
            Sse.MessageStart(model: Model),
            .. Sse.Text(0, "Let me ", "look."),
            .. Sse.ToolUse(1, "toolu_bdrk_1", "ls", "{\"pa", "th\": \"src\", \"depth\": 2}"),
            Sse.MessageDelta("tool_use", 30),
            Sse.MessageStop(),
        ]);

        var updates = await CollectAsync(Client().GetStreamingResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "list src")], new ChatOptions { Tools = [LsTool()] }));

        Assert.True(updates.Count(u => u.Text.Length > 0) >= 2, "each text_delta should arrive as its own update");
        var response = updates.ToChatResponse();
        Assert.Equal("Let me look.", response.Text);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("toolu_bdrk_1", "ls", "src"), (call.CallId, call.Name, call.Arguments!["path"]!.ToString()));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);

        var sent = Server.LastInvocation;
        Assert.Equal("/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream", sent.Path);
        Assert.Equal("Bearer " + BedrockKey, sent.Header("Authorization"));
        Assert.Null(sent.Header("x-api-key"));
        var body = sent.Node;
        Assert.Equal("bedrock-2023-05-31", body["anthropic_version"]!.GetValue<string>());
        Assert.Null(body["model"]);
        Assert.Null(body["stream"]);
        Assert.Equal("ls", body["tools"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("Be brief.", body["system"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToolResult_GoesBackToInvokeModel_AsAToolResultBlock()
    {
        Server.EnqueueJson(200, Sse.MessageJson("src holds one file.", input: 40, output: 6));
        List<ChatMessage> history =
        [
            new(ChatRole.User, "list src"),
            new(ChatRole.Assistant, [new FunctionCallContent("toolu_bdrk_1", "ls", new Dictionary<string, object?> { ["path"] = "src" })]),
            new(ChatRole.Tool, [new FunctionResultContent("toolu_bdrk_1", "src/main.cs")]),
        ];

        var response = await Client().GetResponseAsync(history, new ChatOptions { Tools = [LsTool()] });

        Assert.Equal("src holds one file.", response.Text);
        Assert.Equal((40L, 6L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount));
        var sent = Server.LastInvocation;
        Assert.Equal("/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke", sent.Path);
        var result = sent.Node["messages"]!.AsArray()[^1]!["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "tool_result")!;
        Assert.Equal("toolu_bdrk_1", result["tool_use_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task ConfiguredHeaders_ReachTheBody_AsAnthropicBeta()
    {
        Server.EnqueueJson(200, Sse.MessageJson("ok"));

        await CreateClient(Options(headers: new Dictionary<string, string> { ["anthropic-beta"] = "context-1m-2025-08-07" })).GetResponseAsync([new(ChatRole.User, "hi")]);

        Assert.Equal("context-1m-2025-08-07", Server.LastInvocation.Node["anthropic_beta"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData(429, "ThrottlingException", "Too many requests, please wait before trying again.", ProviderErrorKind.RateLimited)]
    [InlineData(400, "ValidationException", "Input is too long for requested model.", ProviderErrorKind.ContextLengthExceeded)]
    [InlineData(403, "AccessDeniedException", "You don't have access to the model with the specified model ID.", ProviderErrorKind.Authentication)]
    [InlineData(404, "ResourceNotFoundException", "Model not found.", ProviderErrorKind.ModelNotFound)]
    public async Task BedrockErrors_AreClassifiedByTheirExceptionName_WithBedrocksMessage(int status, string exception, string message, ProviderErrorKind kind)
    {
        Server.EnqueueError(status, exception, message);

        var error = await Assert.ThrowsAsync<ProviderException>(() => CollectAsync(Client().GetStreamingResponseAsync([new(ChatRole.User, "hi")])));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(BedrockKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExceptionFrameMidStream_IsClassifiedByItsName_AsRetryable()
    {
        Server.EnqueueStreamThenException([Sse.MessageStart(), .. Sse.Text(0, "Half an ans")], "throttlingException", "Too many tokens, please wait before trying again.");

        var error = await Assert.ThrowsAsync<ProviderException>(() => CollectAsync(Client().GetStreamingResponseAsync([new(ChatRole.User, "hi")])));

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Contains("Too many tokens, please wait before trying again.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_ListsTheKnownModels_WithBedrocksIds_ForTheRegionGroup()
    {
        var models = await DiscoverAsync(Options(settings: new Dictionary<string, string> { ["aws_region"] = "eu-west-1" }));

        var sonnet = Assert.Single(models, m => m.Id == "eu.anthropic.claude-sonnet-4-5-20250929-v1:0");
        Assert.Equal((200_000, 64_000), (sonnet.ContextWindow, sonnet.MaxOutputTokens));
        Assert.DoesNotContain(Server.Requests, r => r.Method != "HEAD");
    }

    [Fact]
    public void UnknownPlatform_IsRejected_NamingTheSettingAndTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => CreateClient(Options(settings: new Dictionary<string, string> { ["platform"] = "azure" })));

        Assert.Contains("providers.claude.settings.platform: 'azure' is not allowed. Use one of: anthropic, bedrock, vertex.", error.Message, StringComparison.Ordinal);
    }

    private IChatClient Client() => CreateClient(Options());

    private ChatProviderOptions Options(Dictionary<string, string>? settings = null, Dictionary<string, string>? headers = null)
    {
        var all = new Dictionary<string, string> { ["platform"] = "bedrock", ["aws_region"] = "us-east-1" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return new ChatProviderOptions("claude", Model)
        {
            BaseUrl = new Uri(Server.BaseUrl),
            ApiKey = BedrockKey,
            Headers = headers ?? new Dictionary<string, string>(),
            Settings = all,
        };
    }

    private static AIFunction LsTool() =>
        AIFunctionFactory.Create((string path, int depth) => $"{path}/{depth}", "ls", "Lists a directory.");
}
