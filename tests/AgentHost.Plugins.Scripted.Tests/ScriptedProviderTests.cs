using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Scripted.Tests;

/// <summary>The scripted provider, loaded from the bundled catalog exactly as the host loads it.</summary>
public sealed class ScriptedProviderTests : IAsyncLifetime
{
    private readonly PluginHarness _harness = new();
    private readonly TempDirectory _temp = new();

    public async Task InitializeAsync()
    {
        var result = await _harness.LoadAsync(Catalog.PathOf("scripted"));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Stream_ReplaysTextInChunks_ThenToolCallsWithIds_AndUsage()
    {
        var client = Client("""
            turns:
              - text: I will look at the readme file now.
                tool_calls:
                  - name: view
                    arguments: { path: README.md, limit: 20, raw: true }
                usage: { input: 120, output: 15 }
            """);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.True(updates.Count(u => u.Text.Length > 0) > 1, "text should arrive in several deltas");
        Assert.Equal("I will look at the readme file now.", response.Text);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_1_1", "view"), (call.CallId, call.Name));
        Assert.Equal("README.md", call.Arguments!["path"]!.ToString());
        Assert.Equal("20", call.Arguments["limit"]!.ToString());
        Assert.Equal(120, response.Usage!.InputTokenCount);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task ResumedHistory_ContinuesAfterTheAssistantTurnsAlreadyThere()
    {
        var client = Client("""
            turns:
              - text: first
              - text: second
            """);

        var response = await client.GetResponseAsync([new(ChatRole.User, "a"), new(ChatRole.Assistant, "first"), new(ChatRole.User, "b")]);

        Assert.Equal("second", response.Text);
    }

    [Fact]
    public async Task ExpectationMismatch_FailsWithTurnAndWhatDiffered()
    {
        var client = Client("""
            turns:
              - expect: { last_user_contains: deploy }
                text: ok
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync([new(ChatRole.User, "hello")]));

        Assert.Contains("turn 1: expected the last user message to contain 'deploy', but it was 'hello'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExhaustedScript_SaysHowManyTurnsItHas()
    {
        var client = Client("turns:\n  - text: only\n");
        await client.GetResponseAsync([new(ChatRole.User, "1")]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync([new(ChatRole.User, "2")]));

        Assert.Contains("the script has 1 turns, but the model was asked for turn 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedArgumentsJson_ReachesTheCallerAsAParseError()
    {
        var client = Client("""
            turns:
              - tool_calls:
                  - name: view
                    arguments_json: '{"path": '
            """);

        var response = await client.GetResponseAsync([new(ChatRole.User, "x")]);

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.NotNull(call.Exception);
    }

    [Fact]
    public async Task DelayedTurn_WaitsBeforeAnswering_UntilCancelled()
    {
        var client = Client("""
            turns:
              - delay_ms: 600000
                tool_calls: [{ name: ls, arguments: { path: "." } }]
            """);
        using var cancel = new CancellationTokenSource();

        var answer = client.GetResponseAsync([new(ChatRole.User, "x")], cancellationToken: cancel.Token);
        Assert.False(answer.IsCompleted, "a turn with delay_ms answers only after its delay");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answer);
    }

    [Fact]
    public async Task ChunkDelay_StreamsTheFirstPieceAtOnce_AndWaitsBeforeEachFurtherPiece_UntilCancelled()
    {
        var client = Client("""
            turns:
              - reasoning: first I think about it for a long while, then I answer
                text: the first piece arrives now and the rest only after the delay
                chunk_delay_ms: 600000
            """);
        using var cancel = new CancellationTokenSource();
        await using var stream = client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")], cancellationToken: cancel.Token).GetAsyncEnumerator(cancel.Token);

        Assert.True(await stream.MoveNextAsync());
        var reasoning = Assert.IsType<TextReasoningContent>(Assert.Single(stream.Current.Contents));
        Assert.StartsWith("first I think", reasoning.Text, StringComparison.Ordinal);
        Assert.NotEqual("first I think about it for a long while, then I answer", reasoning.Text); // in pieces, like the text
        var next = stream.MoveNextAsync();
        Assert.False(next.IsCompleted, "a piece after the first waits chunk_delay_ms");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("600001")]
    public void BadDelay_NamesTheFileTheTurnAndTheFix(string delay)
    {
        var error = Assert.Throws<InvalidDataException>(() => Client($"turns:\n  - text: a\n  - text: b\n    delay_ms: {delay}\n"));

        Assert.Contains(":4: turn 2: delay_ms must be a whole number of milliseconds from 0 to 600000, e.g. 'delay_ms: 250'.", error.Message, StringComparison.Ordinal);
        var chunk = Assert.Throws<InvalidDataException>(() => Client($"turns:\n  - text: a\n    chunk_delay_ms: {delay}\n"));
        Assert.Contains(":3: turn 1: chunk_delay_ms must be a whole number of milliseconds from 0 to 600000, e.g. 'chunk_delay_ms: 250'.", chunk.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FinishLength_ReportsTheAnswerCutAtTheOutputLimit_AndAnUnknownFinishIsAnError()
    {
        var client = Client("turns:\n  - text: cut short\n    finish: length\n  - text: whole\n");

        var cut = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);
        var whole = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x"), new ChatMessage(ChatRole.Assistant, "cut short"), new ChatMessage(ChatRole.User, "y")]);

        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
        Assert.Equal(ChatFinishReason.Stop, whole.FinishReason);
        var error = Assert.Throws<InvalidDataException>(() => Client("turns:\n  - text: a\n    finish: maybe\n"));
        Assert.Contains("turn 1: finish must be 'stop' or 'length'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingScript_NamesThePathAndTheFix()
    {
        var provider = (ChatProviderCapability)_harness.Registry.Find(CapabilityKind.ChatProvider, "scripted")!.Capability;

        var error = Assert.Throws<FileNotFoundException>(() => provider.CreateClient(new ChatProviderOptions("scripted", _temp.Combine("nope.yaml")), _harness.Host.Loaded["scripted"].ServiceProvider));

        Assert.Contains("--model scripted/<path-to-script.yaml>", error.Message, StringComparison.Ordinal);
    }

    private IChatClient Client(string yaml)
    {
        var path = _temp.WriteFile($"script-{Guid.NewGuid():N}.yaml", yaml);
        var provider = (ChatProviderCapability)_harness.Registry.Find(CapabilityKind.ChatProvider, "scripted")!.Capability;
        return provider.CreateClient(new ChatProviderOptions("scripted", path), _harness.Host.Loaded["scripted"].ServiceProvider);
    }
}
