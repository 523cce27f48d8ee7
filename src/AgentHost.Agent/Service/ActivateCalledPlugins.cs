using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Service;

/// <summary>
/// The turn's chat client, which reports every tool the model's answer calls as soon as the call appears in the
/// answer (a streamed update, or a whole answer), before the turn stores the answer and invokes the call: the session
/// starts activating that tool's plugin then, if it is dormant, so that loading its code overlaps what the turn does
/// before the call. Plugins whose tools the model never calls are never activated. Everything else is the inner
/// client's.
/// </summary>
/// <param name="inner">The model's client.</param>
/// <param name="toolCalled">
/// Run with the tool name of each call in the answer (informational calls, which the turn does not invoke, are left
/// out), on the thread that received it; it must return at once. A name may be reported more than once.
/// </param>
/// <remarks>Never disposed: disposing it would dispose the model's client, which belongs to the session.</remarks>
internal sealed class ActivateCalledPlugins(IChatClient inner, Action<string> toolCalled) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var message in response.Messages)
        {
            Report(message.Contents);
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            Report(update.Contents);
            yield return update;
        }
    }

    private void Report(IList<AIContent> contents)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionCallContent { InformationalOnly: false, Name.Length: > 0 } call)
            {
                toolCalled(call.Name);
            }
        }
    }
}
