using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Service;

/// <summary>
/// A turn's chat client that runs an action when the model has begun answering a request (its first streamed update,
/// or its whole answer): the request is then on its way and answered, and work the answer may need (the skills'
/// baseline, which its first tool call waits for) can begin without competing with sending it
/// (docs/decisions/0020-session-opening-stage.md). Everything else is the inner client's.
/// </summary>
/// <param name="inner">The model's client.</param>
/// <param name="begun">Run once per answer, on the thread that received it; it must return at once.</param>
/// <remarks>Never disposed: disposing it would dispose the model's client, which belongs to the session.</remarks>
internal sealed class OnAnswerBegun(IChatClient inner, Action begun) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        begun();
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var first = true;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (first)
            {
                first = false;
                begun();
            }

            yield return update;
        }
    }
}
