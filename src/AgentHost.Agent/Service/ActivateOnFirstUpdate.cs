using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Service;

/// <summary>
/// The turn's chat client, which runs an action once, when the first part of a model answer arrives (the first
/// streamed update, or a whole answer): the session starts activating its dormant plugins then, so that loading their
/// code overlaps the answer instead of competing with sending the first request. Everything else is the inner client's.
/// </summary>
/// <param name="inner">The model's client.</param>
/// <param name="firstAnswer">Run once, on the thread that received the first update; it must return at once.</param>
/// <remarks>Never disposed: disposing it would dispose the model's client, which belongs to the session.</remarks>
internal sealed class ActivateOnFirstUpdate(IChatClient inner, Action firstAnswer) : DelegatingChatClient(inner)
{
    private int _answered;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        Answered();
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            Answered();
            yield return update;
        }
    }

    /// <summary>Whether the action ran.</summary>
    public bool HasAnswered => Volatile.Read(ref _answered) != 0;

    private void Answered()
    {
        if (Volatile.Read(ref _answered) == 0 && Interlocked.Exchange(ref _answered, 1) == 0)
        {
            firstAnswer();
        }
    }
}
