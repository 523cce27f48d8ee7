using AgentHost.Agent.Telemetry;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>The step cycle: compact if needed, stream the model's answer, run its tool calls.</summary>
public sealed partial class AgentLoop
{
    private async Task<(RunOutcome Outcome, string? Reason)> DriveAsync(RunState run, CancellationToken cancellationToken)
    {
        // The prompt is stored while the first request is on its way: the request does not need the write, and the
        // first write is slow (the store's serializers warm up). Every later write waits for it (see RecordAsync).
        var prompt = run.Request.Attachments.Count == 0
            ? new ChatMessage(ChatRole.User, run.Request.Prompt)
            : new ChatMessage(ChatRole.User, [new TextContent(run.Request.Prompt), .. run.Request.Attachments]);
        run.Conversation.Add(prompt);
        run.PromptWrite = Task.Run(
            async () =>
            {
                await _recorder.SetStatusAsync(run.SessionId, SessionStatus.Active, CancellationToken.None).ConfigureAwait(false);
                await _recorder.AppendMessageAsync(run.SessionId, prompt, CancellationToken.None).ConfigureAwait(false);
            },
            CancellationToken.None);
        _ = run.PromptWrite.ContinueWith(static (_, tools) => ((ToolPipeline)tools!).GetToolSet().WarmUp(), _tools, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        for (var step = 1; step <= run.MaxSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (run.Request.TakeStep is { } take && !take())
            {
                return (RunOutcome.StepLimit, $"stopped after {step - 1} steps without a final answer: the step budget this turn shares (a workflow's max_steps) is used up.");
            }

            if (run.Request.CostCaps?.Reached(run.Cost ?? 0m, step - 1) is { } capped)
            {
                return (RunOutcome.CostLimit, capped);
            }

            run.Steps = step;
            using var activity = _tools.Telemetry.StartStep(step);
            if (run.CompactionEnabled && run.Conversation.EstimatedTokens > run.CompactionLimit)
            {
                await CompactAsync(run, cancellationToken).ConfigureAwait(false);
            }

            var response = await RequestAsync(run, step, cancellationToken).ConfigureAwait(false);
            var usage = response.Usage;
            decimal? cost = null;
            if (usage is not null)
            {
                run.Usage.Add(usage);
                cost = CostOf(run.Request.Model, usage);
                if (cost is { } spent)
                {
                    run.Cost = (run.Cost ?? 0m) + spent;
                    _tools.Telemetry.RecordCost(run.Tags, spent);
                }
            }

            // The step's answer and its usage are one write (the last message carries the usage).
            var calls = new List<FunctionCallContent>();
            for (var i = 0; i < response.Messages.Count; i++)
            {
                var message = response.Messages[i];
                var last = i == response.Messages.Count - 1;
                run.Conversation.Add(message);
                await PromptWrittenAsync(run).ConfigureAwait(false);
                await _recorder.AppendMessageAsync(run.SessionId, message, last ? usage : null, last ? cost : null, CancellationToken.None).ConfigureAwait(false);
                foreach (var content in message.Contents)
                {
                    if (content is FunctionCallContent { InformationalOnly: false } call)
                    {
                        calls.Add(call);
                    }
                }
            }

            run.Conversation.ReportUsage(usage);
            await PromptWrittenAsync(run).ConfigureAwait(false);
            if (usage is not null && response.Messages.Count == 0)
            {
                await _recorder.RecordUsageAsync(run.SessionId, usage, cost, CancellationToken.None).ConfigureAwait(false);
            }

            if (calls.Count == 0)
            {
                run.FinalText = response.Text;
                run.CutAtOutputLimit = response.FinishReason == ChatFinishReason.Length;
                PublishStep(run, step, usage);
                if (response.FinishReason == ChatFinishReason.ContentFilter)
                {
                    // The provider refused: its text is kept as the answer, but the turn did not complete (no Stop hook
                    // may turn a refusal into a continuation).
                    return (RunOutcome.Refused, RefusedReason(run, response.Text));
                }

                if (run.Request.Hooks is { } stopHooks && run.StopContinuations < AgentRunRequest.MaxStopContinuations
                    && await stopHooks.StopAsync(run.StopContinuations > 0, response.Text, cancellationToken).ConfigureAwait(false) is { } goOn)
                {
                    // A Stop hook blocked the end of the turn: its reason goes to the model as the next message.
                    run.StopContinuations++;
                    var feedback = new ChatMessage(ChatRole.User, $"<hook event=\"Stop\">\n{goOn}\n</hook>");
                    run.Conversation.Add(feedback);
                    await _recorder.AppendMessageAsync(run.SessionId, feedback, CancellationToken.None).ConfigureAwait(false);
                    continue;
                }

                return (RunOutcome.Completed, null);
            }

            var prepared = Prepare(calls);
            run.Pending.AddRange(prepared);
            if (run.Loops.Observe(step, [.. prepared.Select(c => c.Signature)]) is { } repeated)
            {
                var reason = LoopReason(repeated);
                await AnswerPendingAsync(run, $"not run: {reason}").ConfigureAwait(false);
                PublishStep(run, step, response.Usage);
                return (RunOutcome.LoopDetected, reason);
            }

            await ExecuteAsync(run, step, prepared, cancellationToken).ConfigureAwait(false);
            PublishStep(run, step, usage);
            if (cancellationToken.IsCancellationRequested)
            {
                return (RunOutcome.Cancelled, CancelledByUser);
            }

            if (run.Request.Hooks?.TakeStopRequest() is { } stopped)
            {
                return (RunOutcome.Completed, "stopped by a hook: " + stopped);
            }
        }

        return (RunOutcome.StepLimit,
            $"stopped after {run.MaxSteps} steps without a final answer (the step limit). Continue the session to go on, or raise --max-steps.");
    }

    /// <summary>Why a refused turn stopped: the provider's refusal, with the text it gave (or that it gave none).</summary>
    private static string RefusedReason(RunState run, string text) =>
        $"the provider refused the request (stop reason: refusal / content filter){(string.IsNullOrWhiteSpace(text) ? " and gave no text" : string.Empty)}. "
        + $"Rephrase the request, or continue the session with another model than {run.Request.Model?.Id ?? "this one"}";

    /// <summary>Streams one step's answer, repeating the request on retryable failures (the partial answer is discarded).</summary>
    private async Task<ChatResponse> RequestAsync(RunState run, int step, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RequestOnceAsync(run, step, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelRequestException ex) when (_options.Retry.DelayBefore(ex.InnerException!, attempt, Random.Shared.NextDouble()) is { } delay)
            {
                Publish(new ModelRetryingEvent(run.SessionId, step, attempt, delay.TotalMilliseconds, _tools.Scrubber.Scrub(ProviderErrorHints.Describe(ex.InnerException!, attempt))));
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelRequestException ex)
            {
                throw new ModelRequestException(ProviderErrorHints.Describe(ex.InnerException!, attempt), ex.InnerException!);
            }
        }
    }

    /// <summary>
    /// Offers the current tool set and the deferred tools loaded so far: the set changes between steps when an MCP
    /// server's tool list changed or the permission mode did, the loaded tools when the model loaded or called one.
    /// A reference and a count comparison when nothing changed.
    /// </summary>
    private void RefreshTools(RunState run)
    {
        var toolSet = _tools.GetToolSet();
        if (run.Request.ToolsToLoad?.Invoke() is { Count: > 0 } named)
        {
            _tools.LoadTools(ToolPipeline.Matching(toolSet, named));
        }

        var loaded = _tools.GetLoadedTools();
        if (!ReferenceEquals(toolSet, run.ToolSet) || loaded.Count != run.LoadedTools)
        {
            // A new options object: the earlier requests' options stay as they were sent.
            var options = run.ChatOptions.Clone();
            options.Tools = OfferedTools(toolSet, loaded);
            run.ToolSet = toolSet;
            run.LoadedTools = loaded.Count;
            run.ChatOptions = options;
        }
    }

    private async Task<ChatResponse> RequestOnceAsync(RunState run, int step, CancellationToken cancellationToken)
    {
        var updates = new List<ChatResponseUpdate>();
        var started = _time.GetTimestamp();
        var failed = false;
        using var activity = _tools.Telemetry.StartModelCall(run.Tags);
        // Deltas are scrubbed as a stream: a secret split across deltas is held back until it is whole (stored
        // messages are scrubbed whole by the store).
        var texts = new SecretStreamScrubber(_tools.Scrubber);
        var thoughts = new SecretStreamScrubber(_tools.Scrubber);
        RefreshTools(run);
        try
        {
            var stream = _client.GetStreamingResponseAsync(run.Trimmer.ForRequest(run.Conversation.Snapshot()), run.ChatOptions, cancellationToken);
            await foreach (var update in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
                foreach (var content in update.Contents)
                {
                    if (content is TextContent { Text.Length: > 0 } text)
                    {
                        await PublishDeltaAsync(run, step, texts.Push(text.Text), reasoning: false, cancellationToken).ConfigureAwait(false);
                    }
                    else if (content is TextReasoningContent { Text.Length: > 0 } reasoning)
                    {
                        await PublishDeltaAsync(run, step, thoughts.Push(reasoning.Text), reasoning: true, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            await PublishDeltaAsync(run, step, thoughts.Flush(), reasoning: true, cancellationToken).ConfigureAwait(false);
            await PublishDeltaAsync(run, step, texts.Flush(), reasoning: false, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled: the held-back tail is published without waiting for a full subscriber.
            var tail = texts.Flush();
            if (tail.Length > 0)
            {
                Publish(new MessageDeltaEvent(run.SessionId, step, tail));
            }

            await KeepPartialTextAsync(run, updates).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failed = true;
            throw new ModelRequestException($"the model request failed: {ex.Message}", ex);
        }
        finally
        {
            _tools.Telemetry.RecordModelRequest(run.Tags, _time.GetElapsedTime(started), failed);
            if (failed)
            {
                AgentTelemetry.EndModelCall(activity, null, failed: true);
            }
        }

        var response = updates.ToChatResponse();
        AgentTelemetry.EndModelCall(activity, response, failed: false);
        _tools.Telemetry.RecordTokens(run.Tags, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount);
        return response;
    }

    /// <summary>Publishes a scrubbed delta (nothing when the scrubber is holding the text back), waiting for a full front end.</summary>
    private ValueTask PublishDeltaAsync(RunState run, int step, string text, bool reasoning, CancellationToken cancellationToken) =>
        text.Length == 0 ? ValueTask.CompletedTask
        : reasoning ? PublishAsync(new ReasoningDeltaEvent(run.SessionId, step, text), cancellationToken)
        : PublishAsync(new MessageDeltaEvent(run.SessionId, step, text), cancellationToken);

    /// <summary>Keeps the text streamed before Ctrl+C (never half a tool call, which would have no result).</summary>
    private async Task KeepPartialTextAsync(RunState run, List<ChatResponseUpdate> updates)
    {
        var text = string.Concat(updates.SelectMany(u => u.Contents).OfType<TextContent>().Select(t => t.Text));
        if (!string.IsNullOrWhiteSpace(text))
        {
            await AppendAsync(run, new ChatMessage(ChatRole.Assistant, text)).ConfigureAwait(false);
        }
    }

    /// <summary>The summary by the small model when there is one (within its own window), else — or when it fails — by the run's model.</summary>
    private async Task<ChatMessage> SummarizeAsync(RunState run, int cut, CancellationToken cancellationToken)
    {
        if (run.Request.Summarizer?.Invoke() is { } small)
        {
            var window = Math.Min(run.Window, small.Model is { ContextWindow: > 0 } model ? model.ContextWindow : _options.DefaultContextWindow);
            try
            {
                return await new ConversationCompactor(small.Client, _options).SummarizeAsync(run.Conversation, cut, window, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSmallModelSummaryFailed(ex, run.SessionId);
                Publish(new WarningEvent(Source, $"the small model could not summarise ({ToolFailures.MessageOf(ex)}); the run's model does it instead"));
            }
        }

        return await _compactor.SummarizeAsync(run.Conversation, cut, run.Window, run.ChatOptions.ModelId, cancellationToken).ConfigureAwait(false);
    }

    private async Task CompactAsync(RunState run, CancellationToken cancellationToken)
    {
        var conversation = run.Conversation;
        var before = conversation.EstimatedTokens;
        int cut;
        ChatMessage summary;
        try
        {
            if (_compactor.ChooseCut(conversation, run.Window) is not { } chosen)
            {
                return;
            }

            cut = chosen;
            if (run.Request.Hooks is { } hooks)
            {
                // Only when there is something to compact: a full window with nothing to cut is not a compaction.
                await hooks.PreCompactAsync("auto", cancellationToken).ConfigureAwait(false);
            }

            summary = await SummarizeAsync(run, cut, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failed summary is not fatal: warn and go on without compaction for this run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            run.CompactionEnabled = false;
            LogCompactionFailed(ex, run.SessionId);
            Publish(new WarningEvent(Source, $"could not compact the conversation ({ToolFailures.MessageOf(ex)}); the full history is kept and the run goes on without compaction (details in 'agent logs')"));
            return;
        }

        var summarized = cut - conversation.FirstMessageIndex;
        conversation.ReplaceOlder(cut, summary);
        await RecordAsync(run, summary).ConfigureAwait(false);
        for (var i = conversation.FirstMessageIndex + 1; i < conversation.Count; i++)
        {
            await RecordAsync(run, Carried(conversation.Messages[i])).ConfigureAwait(false);
        }

        Publish(new CompactionEvent(run.SessionId, summarized, before, conversation.EstimatedTokens));
    }

    /// <summary>A copy of a message kept verbatim across a compaction, marked <see cref="CarriedMessageMarker"/> (also for <c>AgentSession.CompactAsync</c>).</summary>
    internal static ChatMessage Carried(ChatMessage message)
    {
        var properties = message.AdditionalProperties?.Clone() ?? [];
        properties[CarriedMessageMarker] = true;
        return new ChatMessage(message.Role, message.Contents)
        {
            AuthorName = message.AuthorName,
            MessageId = message.MessageId,
            CreatedAt = message.CreatedAt,
            AdditionalProperties = properties,
        };
    }

    private void PublishStep(RunState run, int step, UsageDetails? usage) =>
        Publish(new StepCompletedEvent(run.SessionId, step, usage?.InputTokenCount, usage?.OutputTokenCount) { ReasoningTokens = usage?.ReasoningTokenCount });

    private string LoopReason(string signature)
    {
        var separator = signature.IndexOf('\n', StringComparison.Ordinal);
        var tool = separator < 0 ? signature : signature[..separator];
        var arguments = separator < 0 ? string.Empty : ToolOutput.Preview(_tools.Scrubber.Scrub(signature[(separator + 1)..]), 200);
        return $"loop detected: the model called '{tool}' with the same arguments {_options.LoopRepeatThreshold} times within {_options.LoopWindowSteps} steps ({arguments}). " +
               "Rephrase the task or check why the tool's result did not help.";
    }
}
