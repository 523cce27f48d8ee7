using System.Runtime.CompilerServices;
using AgentHost.Agent.Service;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Agent;

/// <summary>
/// #25: a session starts activating its dormant plugins when the first part of the model's answer arrives, not before
/// the first request (<see cref="ActivateOnFirstUpdate"/>).
/// </summary>
public sealed class ActivateOnFirstUpdateTests
{
    [Fact]
    public async Task Action_RunsOnce_WhenTheFirstUpdateArrives_NotWhenTheRequestStarts()
    {
        using var inner = new TwoUpdates();
        var runs = 0;
        var client = new ActivateOnFirstUpdate(inner, () => runs++);

        await using var updates = client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).GetAsyncEnumerator();
        Assert.Equal(0, runs); // the request is not even sent yet
        Assert.True(await updates.MoveNextAsync());
        Assert.Equal(1, runs);
        Assert.True(await updates.MoveNextAsync());
        Assert.False(await updates.MoveNextAsync());
        Assert.Equal(1, runs);

        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "again")]))
        {
            Assert.NotNull(update);
        }

        Assert.Equal(1, runs); // later answers of the run do not start it again
        Assert.Equal(2, inner.Requests);
    }

    [Fact]
    public async Task FailedRequest_WithNoUpdate_DoesNotRunIt_ANextAttemptThatAnswersDoes()
    {
        using var inner = new TwoUpdates { FailFirst = true };
        var runs = 0;
        var client = new ActivateOnFirstUpdate(inner, () => runs++);

        await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
            {
                Assert.NotNull(update);
            }
        });
        Assert.Equal(0, runs);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "retry")]);

        Assert.Equal("onetwo", response.Text);
        Assert.Equal(1, runs);
        Assert.True(client.HasAnswered);
        Assert.Same(inner, client.GetService(typeof(TwoUpdates))); // everything else is the model client's
    }

    private sealed class TwoUpdates : IChatClient
    {
        public bool FailFirst { get; init; }

        public int Requests { get; private set; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            (await GetStreamingResponseAsync(messages, options, cancellationToken).CollectAsync()).ToChatResponse();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (Requests++ == 0 && FailFirst)
            {
                throw new HttpRequestException("connection refused");
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, "one");
            yield return new ChatResponseUpdate(ChatRole.Assistant, "two");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
