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
    private bool _midLine;

    /// <summary>Whether to show details such as why a model was chosen (<c>--verbose</c>).</summary>
    public bool Verbose { get; init; }

    /// <summary>Where the answer goes when not straight to stdout (Markdown drawn at a terminal); <see langword="null"/>: as it came.</summary>
    public IAnswerWriter? Answer { get; init; }

    /// <summary>Whether to show tool progress updates, a line each (when stderr is a terminal; always with <see cref="Verbose"/>).</summary>
    public bool ShowProgress { get; init; }

    public void Render(AgentEvent agentEvent)
    {
        if (agentEvent is MessageDeltaEvent delta)
        {
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

        if (agentEvent is ModelRetryingEvent)
        {
            Answer?.Discard();
        }
        else if (agentEvent is not ReasoningDeltaEvent)
        {
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
                console.WriteInfo($"  permission: {decided.Decision} {decided.Action}{(decided.Subject is null ? string.Empty : " " + decided.Subject)} ({decided.Reason})");
                if (decided.Fix is { } fix)
                {
                    console.WriteInfo($"    fix: {fix}");
                }

                break;
            case PermissionModeChangedEvent changed:
                console.WriteInfo($"  permission mode: {changed.Mode} (switched by {changed.ChangedBy})");
                break;
            case ToolCallCompletedEvent { Status: ToolCallStatus.Denied }:
                break; // the permission line above says why, and how to allow it
            case ToolCallCompletedEvent completed when completed.Status == ToolCallStatus.Succeeded:
                console.WriteInfo($"  ✓ {completed.Tool} ({completed.DurationMs:F0} ms){ResultPreview.Render(completed.ResultPreview, Verbose)}");
                break;
            case ToolCallCompletedEvent completed:
                console.WriteInfo($"  ✗ {completed.Tool} {completed.Status.ToString().ToLowerInvariant()}: {Shorten(completed.Error ?? completed.ResultPreview, 300)}");
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
        }
    }

    public void EndLine()
    {
        Answer?.Flush();
        if (_midLine)
        {
            console.WriteLine();
            _midLine = false;
        }
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
