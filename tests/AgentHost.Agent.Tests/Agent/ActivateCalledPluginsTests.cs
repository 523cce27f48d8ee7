using System.Runtime.CompilerServices;
using AgentHost.Agent.Service;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests;

/// <summary>
/// #25: a session activates a dormant plugin when the model's answer calls one of its tools, as soon as the call
/// appears in the answer (<see cref="ActivateCalledPlugins"/>), and never for an answer that calls nothing.
/// </summary>
public sealed class ActivateCalledPluginsTests
{
    [Fact]
    public async Task EachCall_IsReported_WhenItsUpdateArrives_TextAndInformationalCallsAreNot()
    {
        var inner = new Answer(
            new ChatResponseUpdate(ChatRole.Assistant, "I will look."),
            new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c1", "view"), new FunctionCallContent("c2", "shell")]),
            new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c3", "web_search") { InformationalOnly = true }]));
        var named = new List<string>();
        using var client = new ActivateCalledPlugins(inner, named.Add);

        await using var updates = client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).GetAsyncEnumerator();
        Assert.Empty(named); // the request is not even sent yet
        Assert.True(await updates.MoveNextAsync());
        Assert.Empty(named); // text names no tool
        Assert.True(await updates.MoveNextAsync());
        Assert.Equal(["view", "shell"], named); // before the turn sees the update, let alone invokes the calls
        Assert.True(await updates.MoveNextAsync());
        Assert.False(await updates.MoveNextAsync());
        Assert.Equal(["view", "shell"], named); // a call the provider ran itself is not the turn's to invoke
    }

    [Fact]
    public async Task AnAnswerWithoutCalls_ReportsNothing_AWholeAnswerReportsItsCalls()
    {
        var named = new List<string>();
        using var client = new ActivateCalledPlugins(new Answer(new ChatResponseUpdate(ChatRole.Assistant, "hi")), named.Add);
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "say hi")]))
        {
            Assert.NotNull(update);
        }

        Assert.Empty(named);

        var inner = new Answer(new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c1", "git_status")]));
        using var whole = new ActivateCalledPlugins(inner, named.Add);
        var response = await whole.GetResponseAsync([new ChatMessage(ChatRole.User, "status?")]);

        Assert.Single(response.Messages);
        Assert.Equal(["git_status"], named);
        Assert.Same(inner, whole.GetService(typeof(Answer))); // everything else is the model client's
    }

    private sealed class Answer(params ChatResponseUpdate[] updates) : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in updates)
            {
                await Task.Yield();
                yield return update;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
