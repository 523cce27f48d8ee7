using AgentHost.Agent.Engine;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Service;

/// <content>Compaction on request (<c>/compact</c>): the older conversation summarised now, as the loop does near the window.</content>
public sealed partial class AgentSession
{
    /// <summary>
    /// Summarises the conversation so far with the <see cref="ConversationCompactor"/> (the <c>small_model</c> when one is
    /// configured and usable, else the session's model) and stores the summary, followed by the last message kept
    /// verbatim: the next turn sends the summary instead of the older messages. The older messages stay stored
    /// (<c>agent session history</c> shows them). Publishes a <see cref="CompactionEvent"/>. Not while a turn runs.
    /// </summary>
    /// <param name="focus">What the summary should give weight to, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What was summarised and the estimated prompt tokens before and after.</returns>
    /// <exception cref="AgentHostException">
    /// A turn is running (<see cref="ErrorKind.InUse"/>); the session has not run a turn since it was opened, or has too
    /// little to summarise (<see cref="ErrorKind.NotFound"/>); the model failed to summarise (<see cref="ErrorKind.Provider"/>).
    /// </exception>
    public async Task<CompactionEvent> CompactAsync(string? focus = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        if (!await _turn.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            throw new AgentHostException(ErrorKind.InUse, $"session {Id ?? "(new)"} is running a turn; wait for it or cancel it before compacting.");
        }

        try
        {
            var context = RunContext ?? throw new AgentHostException(
                ErrorKind.NotFound,
                Id is null ? "this session has no conversation yet; there is nothing to compact." : "the session's context is built at its first turn in this process; send a prompt first, then compact.");
            if (await _opening.HooksAsync(cancellationToken).ConfigureAwait(false) is { } hooks)
            {
                await hooks.PreCompactAsync("manual", cancellationToken).ConfigureAwait(false);
            }

            var options = new AgentLoopOptions();
            var conversation = await ConversationAsync(context, options, cancellationToken).ConfigureAwait(false);
            var model = context.Model;
            var window = model.Descriptor is { ContextWindow: > 0 } descriptor ? descriptor.ContextWindow : options.DefaultContextWindow;
            var compactor = new ConversationCompactor(model.Client, options);
            if (compactor.ChooseCut(conversation, window, keepRecentFraction: 0) is not { } cut)
            {
                throw new AgentHostException(ErrorKind.NotFound, "the conversation is too short to summarise (it keeps its last message verbatim).");
            }

            var before = conversation.EstimatedTokens;
            var summary = await SummarizeAsync(conversation, cut, window, focus, compactor, model.ModelId, options, cancellationToken).ConfigureAwait(false);
            var summarized = cut - conversation.FirstMessageIndex;
            conversation.ReplaceOlder(cut, summary);
            var recorder = _parts.Store.Conversation;
            await recorder.AppendMessageAsync(context.SessionId, summary, CancellationToken.None).ConfigureAwait(false);
            for (var i = conversation.FirstMessageIndex + 1; i < conversation.Count; i++)
            {
                await recorder.AppendMessageAsync(context.SessionId, AgentLoop.Carried(conversation.Messages[i]), CancellationToken.None).ConfigureAwait(false);
            }

            var compacted = new CompactionEvent(context.SessionId, summarized, before, conversation.EstimatedTokens) { Timestamp = _parts.Time.GetUtcNow() };
            _parts.Runtime.Events.Publish(compacted);
            return compacted;
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>The conversation the next turn would send (system prompt, stored history), with the loop's token estimate.</summary>
    private async Task<Conversation> ConversationAsync(SessionRunContext context, AgentLoopOptions options, CancellationToken cancellationToken)
    {
        var conversation = new Conversation(options.CharactersPerToken, context.Pipeline.GetToolSet().SchemaCharacters);
        conversation.Add(new ChatMessage(ChatRole.System, await BuildSystemPromptAsync(context, cancellationToken).ConfigureAwait(false)));
        foreach (var message in await SessionRunContextBuilder.LoadHistoryAsync(_parts.Store, context.SessionId, cancellationToken).ConfigureAwait(false))
        {
            if (message.Role != ChatRole.System)
            {
                conversation.Add(message);
            }
        }

        return conversation;
    }

    /// <summary>The summary by the small model when there is one, else — or when it fails — by the session's model.</summary>
    private async Task<ChatMessage> SummarizeAsync(
        Conversation conversation, int cut, long window, string? focus, ConversationCompactor compactor, string modelId, AgentLoopOptions options, CancellationToken cancellationToken)
    {
        if (SmallModelForSummaries() is { } small)
        {
            try
            {
                var smallWindow = Math.Min(window, small.Model is { ContextWindow: > 0 } m ? m.ContextWindow : options.DefaultContextWindow);
                return await new ConversationCompactor(small.Client, options).SummarizeAsync(conversation, cut, smallWindow, null, focus, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _parts.Runtime.Events.Publish(new WarningEvent("agent", $"the small model could not summarise ({ToolFailures.MessageOf(ex)}); the session's model does it instead"));
            }
        }

        try
        {
            return await compactor.SummarizeAsync(conversation, cut, window, modelId, focus, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new AgentHostException(ErrorKind.Provider, $"could not compact: the model failed to summarise ({ToolFailures.MessageOf(ex)}); nothing changed.", ex);
        }
    }
}
