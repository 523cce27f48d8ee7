using System.Globalization;
using AgentHost.Cli.Interaction;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// Renders a run for people (<c>--output text</c>): the answer streams to stdout; tool activity, permission
/// decisions and warnings go to stderr so stdout stays the answer.
/// </summary>
internal sealed class TextRunRenderer(IConsoleInteraction console)
{
    private readonly List<string> _calls = [];
    private bool _midLine;

    /// <summary>Whether to show details such as why a model was chosen (<c>--verbose</c>).</summary>
    public bool Verbose { get; init; }

    /// <summary>Where the answer goes when not straight to stdout (Markdown drawn at a terminal); <see langword="null"/>: as it came.</summary>
    public IAnswerWriter? Answer { get; init; }

    /// <summary>Whether to show tool progress updates, a line each (when stderr is a terminal; always with <see cref="Verbose"/>).</summary>
    public bool ShowProgress { get; init; }

    /// <summary>Where reasoning is shown (dimmed, at a terminal); <see langword="null"/>: reasoning is not shown.</summary>
    public ReasoningWriter? Reasoning { get; init; }

    /// <summary>
    /// Whether each finished tool call's line ends with the number <c>/expand N</c> takes (the chat); the numbers
    /// restart with each run and follow the order the lines are shown in.
    /// </summary>
    public bool NumberCalls { get; init; }

    /// <summary>When set, a file tool's change is drawn as its diff under the tool's line (the chat does).</summary>
    public DiffPreview? Diffs { get; init; }

    /// <summary>The session of the last run shown (<see langword="null"/> before the first).</summary>
    public string? RunSessionId { get; private set; }

    /// <summary>The call ids of the last run's numbered tool lines: the first is <c>/expand 1</c>.</summary>
    public IReadOnlyList<string> Calls => _calls;

    public void Render(AgentEvent agentEvent)
    {
        if (agentEvent is ReasoningDeltaEvent reasoning)
        {
            if (Reasoning is { } writer)
            {
                if (writer.WillDraw(reasoning.Step) && !writer.IsOpen)
                {
                    FlushAnswer();
                }

                writer.Append(reasoning.Step, reasoning.Text);
            }

            return;
        }

        if (agentEvent is MessageDeltaEvent delta)
        {
            Reasoning?.Close(delta.Step);
            if (Answer is { } answer)
            {
                answer.Append(delta.Text);
            }
            else
            {
                console.Write(delta.Text);
                _midLine = !delta.Text.EndsWith('\n');
            }

            return;
        }

        if (agentEvent is RunStartedEvent run)
        {
            RunSessionId = run.SessionId;
            _calls.Clear();
            Reasoning?.Reset();
            return;
        }

        if (agentEvent is ModelRetryingEvent)
        {
            Reasoning?.Close();
            Reasoning?.Reopen();
            Answer?.Discard();
        }
        else if (agentEvent is not (ModelSelectedEvent or PluginLoadedEvent or PluginUnloadedEvent or LspServerStateChangedEvent or LspDiagnosticsEvent))
        {
            Reasoning?.Close(agentEvent is ToolCallStartedEvent started ? started.Step : -1);
            Answer?.Flush();
        }

        switch (agentEvent)
        {
            case ToolCallStartedEvent started:
                EndLine();
                console.WriteInfo($"→ {started.Tool} {Shorten(started.ArgumentsJson, 160)}");
                break;
            case ToolCallProgressEvent progress when ShowProgress || Verbose:
                EndLine();
                console.WriteInfo(progress.Fraction is { } fraction
                    ? $"  … {progress.Tool}: {Shorten(progress.Message, 200)} ({fraction * 100:0}%)"
                    : $"  … {progress.Tool}: {Shorten(progress.Message, 200)}");
                break;
            case PermissionDecidedEvent decided:
                EndLine(); // the end of a turn's write (memory.auto_update) is decided after the answer's last line
                console.WriteInfo($"  permission: {decided.Decision} {decided.Action}{(decided.Subject is null ? string.Empty : " " + decided.Subject)} ({decided.Reason})");
                if (decided.Fix is { } fix)
                {
                    console.WriteInfo($"    fix: {fix}");
                }

                break;
            case HookRanEvent hook when hook.Decision is not null || Verbose:
                EndLine();
                console.WriteInfo($"  hook {hook.HookEvent} ({hook.Source}): {hook.Outcome}{(hook.Decision is { } decision ? ", " + decision : string.Empty)}{(hook.Reason is { Length: > 0 } reason ? " — " + Shorten(reason, 300) : string.Empty)}");
                break;
            case QuestionAnsweredEvent answered:
                EndLine();
                console.WriteInfo(answered.Answer is { } text
                    ? $"  answer ({answered.AnsweredBy}): {Shorten(text, 300)}"
                    : $"  no answer ({answered.AnsweredBy})");
                break;
            case PermissionModeChangedEvent changed:
                console.WriteInfo($"  permission mode: {changed.Mode} (switched by {changed.ChangedBy})");
                break;
            case ToolCallCompletedEvent { Status: ToolCallStatus.Denied }:
                break; // the permission line above says why, and how to allow it
            case ToolCallCompletedEvent completed when completed.Status == ToolCallStatus.Succeeded:
                console.WriteInfo($"  ✓ {completed.Tool} ({completed.DurationMs:F0} ms){ResultPreview.Render(completed.ResultPreview, Verbose)}{Edits(completed)}{Number(completed)}");
                Diffs?.Write(console, completed.ResultPreview);
                break;
            case ToolCallCompletedEvent completed:
                console.WriteInfo($"  ✗ {completed.Tool} {completed.Status.ToString().ToLowerInvariant()}: {Shorten(completed.Error ?? completed.ResultPreview, 300)}{Number(completed)}");
                break;
            case ModelSelectedEvent selected when Verbose:
                console.WriteInfo($"model: {selected.Provider}/{selected.Model} ({selected.Reason})");
                break;
            case ModelRetryingEvent retrying:
                EndLine();
                console.WriteInfo($"(attempt {retrying.Attempt} failed, retrying in {retrying.DelayMs / 1000:0.#} s; the partial answer above is discarded: {Shorten(retrying.Reason, 300)})");
                break;
            case CompactionEvent compaction:
                EndLine();
                console.WriteInfo(string.Create(CultureInfo.InvariantCulture, $"(summarised {compaction.MessagesSummarized} earlier messages: about {compaction.TokensBefore:N0} → {compaction.TokensAfter:N0} tokens)"));
                break;
            case PluginFailedEvent failed:
                EndLine();
                console.WriteInfo($"warning: plugin {failed.PluginId} not loaded: {failed.Error}");
                break;
            case WarningEvent warning:
                EndLine();
                console.WriteInfo($"warning: {warning.Message}");
                break;
            case AgentHost.Hosting.Events.DetailEvent detail when Verbose:
                EndLine();
                console.WriteInfo($"note: {detail.Message}");
                break;
            case Agent.Memory.MemoryUpdatedEvent memory:
                EndLine();
                MemoryLines(memory);
                break;
        }
    }

    /// <summary>Ends what is being drawn (reasoning, the answer's last block, a half line) before other output.</summary>
    public void EndLine()
    {
        Reasoning?.Close();
        FlushAnswer();
    }

    private void FlushAnswer()
    {
        Answer?.Flush();
        if (_midLine)
        {
            console.WriteLine();
            _midLine = false;
        }
    }

    /// <summary>The call's number for <c>/expand N</c>, as a suffix of its line (the chat); empty otherwise.</summary>
    private string Number(ToolCallCompletedEvent completed)
    {
        if (!NumberCalls)
        {
            return string.Empty;
        }

        _calls.Add(completed.CallId);
        return $"  [/expand {_calls.Count}]";
    }

    /// <summary>The files a write call changed and its diff summary (<c> · notes.txt +1 -0</c>), or nothing.</summary>
    internal static string Edits(ToolCallCompletedEvent completed)
    {
        if (completed.Files is not { Count: > 0 } files)
        {
            return string.Empty;
        }

        var named = string.Join(", ", files.Take(3)) + (files.Count > 3 ? $" and {files.Count - 3} more" : string.Empty);
        return $" · {named}{(completed.DiffSummary is { Length: > 0 } diff ? " " + diff : string.Empty)}";
    }

    /// <summary>What became of the turn's learned notes (<c>memory.auto_update</c>): the file's change and each note, or why nothing was written.</summary>
    private void MemoryLines(Agent.Memory.MemoryUpdatedEvent memory)
    {
        var count = memory.Notes.Count == 1 ? "1 note" : $"{memory.Notes.Count} notes";
        var duplicates = memory.Duplicates > 0 ? $"; {memory.Duplicates} already there" : string.Empty;
        if (memory.Saved)
        {
            var dropped = memory.Dropped.Count > 0 ? $"; the oldest {memory.Dropped.Count} dropped to keep the section small" : string.Empty;
            console.WriteInfo($"memory: {memory.File} {memory.DiffSummary} ({count} learned{duplicates}{dropped})");
        }
        else if (memory.Notes.Count == 0)
        {
            console.WriteInfo($"memory: nothing new for {memory.File} ({memory.Reason})");
            return;
        }
        else
        {
            console.WriteInfo($"memory: {count} not saved to {memory.File}: {memory.Reason}{duplicates}");
        }

        foreach (var note in memory.Notes)
        {
            console.WriteInfo($"  + {Shorten(note, 300)}");
        }

        foreach (var note in memory.Saved ? memory.Dropped : [])
        {
            console.WriteInfo($"  - {Shorten(note, 300)}");
        }

        if (memory.Fix is { } fix)
        {
            console.WriteInfo($"    fix: {fix}");
        }
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
