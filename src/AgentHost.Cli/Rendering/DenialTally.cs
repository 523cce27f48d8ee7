using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// Counts a run's tool calls and permission denials, so a run in which the model's calls were denied does not look
/// like success (exit code 5 unless <c>--ignore-denials</c>), the closing line can say what was refused, and which
/// <c>--allow</c> flags would let the denied calls run.
/// </summary>
/// <remarks>Thread-safe: the bus delivers events on its own thread while the front end reads the counts.</remarks>
internal sealed class DenialTally
{
    /// <summary>The most refused calls the closing line names; the rest are counted.</summary>
    public const int MaxNamed = 5;

    private readonly List<string> _rules = [];
    private readonly Dictionary<string, string> _deniedCalls = new(StringComparer.Ordinal);
    private readonly List<string> _refused = [];
    private int _calls;
    private int _denied;

    /// <summary>The model's tool calls that completed (in any status).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Tool calls the permission system denied.</summary>
    public int Denied => Volatile.Read(ref _denied);

    /// <summary>Whether the run made tool calls and every one was denied.</summary>
    public bool AllDenied => Calls > 0 && Denied == Calls;

    /// <summary>What each denied call wanted to do (<c>write notes.txt</c>), in the order they were denied.</summary>
    public IReadOnlyList<string> Refused
    {
        get
        {
            lock (_rules)
            {
                return [.. _refused];
            }
        }
    }

    /// <summary>The rules that would let the denied calls run, in the order they were denied (none when no rule can).</summary>
    public IReadOnlyList<string> Rules
    {
        get
        {
            lock (_rules)
            {
                return [.. _rules];
            }
        }
    }

    /// <summary>The <c>--allow</c> flags that would let the denied calls run, in the order they were denied (none when no rule can).</summary>
    public string AllowFlags => string.Join(' ', Rules.Select(rule => AllowOption.Name + " " + DenialAdvice.Quote(rule)));

    public void Observe(AgentEvent agentEvent)
    {
        switch (agentEvent)
        {
            // The model's calls only: an @reference the host fetched before the first step (step 0) is not the run's work.
            case ToolCallCompletedEvent { Step: > 0 } completed:
                Interlocked.Increment(ref _calls);
                if (completed.Status == ToolCallStatus.Denied)
                {
                    Interlocked.Increment(ref _denied);
                    lock (_rules)
                    {
                        _refused.Add(_deniedCalls.Remove(completed.CallId, out var what) ? what : completed.Tool);
                    }
                }

                break;
            case PermissionDecidedEvent { Decision: "deny", SessionId.Length: > 0 } denied:
                lock (_rules)
                {
                    _deniedCalls[denied.CallId] = OneLine(denied.Subject is { Length: > 0 } subject ? $"{denied.Action} {subject}" : denied.Action);
                    _rules.AddRange((denied.SuggestedRules ?? []).Where(rule => !_rules.Contains(rule)));
                }

                break;
        }
    }

    /// <summary>Whether a completed run ends as <c>denied</c> (exit 5): any denial, or with <c>--ignore-denials</c> only every call denied.</summary>
    public bool CountsAsDenied(bool ignoreDenials) => Denied > 0 && (AllDenied || !ignoreDenials);

    /// <summary>
    /// Adds how the run ended to its <c>run.completed</c> line of <c>-o json</c>: <c>status</c> (<c>denied</c>, else the
    /// outcome), <c>toolCalls</c>, <c>deniedCalls</c>, <c>refused</c> (what each denied call wanted) and <c>allow</c>
    /// (the rules that would allow them).
    /// </summary>
    public void WriteOutcome(System.Text.Json.Utf8JsonWriter writer, RunCompletedEvent completed, bool ignoreDenials)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(completed);
        var status = completed.Outcome == RunOutcome.Completed && CountsAsDenied(ignoreDenials) ? "denied" : System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(completed.Outcome.ToString());
        writer.WriteString("status", status);
        writer.WriteNumber("toolCalls", Calls);
        writer.WriteNumber("deniedCalls", Denied);
        writer.WriteStartArray("refused");
        foreach (var refused in Refused)
        {
            writer.WriteStringValue(refused);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("allow");
        foreach (var rule in Rules)
        {
            writer.WriteStringValue(rule);
        }

        writer.WriteEndArray();
    }

    /// <summary>A subject on one line, capped (a shell command can be long and span lines).</summary>
    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 80 ? line : line[..79] + "…";
    }

    /// <summary>One sentence about the denials, or <see langword="null"/> when there were none.</summary>
    public string? Summary()
    {
        if (Denied == 0)
        {
            return null;
        }

        var what = AllDenied ? $"every tool call was denied ({Denied})" : $"{Denied} of {Calls} tool calls {(Denied == 1 ? "was" : "were")} denied";
        var refused = Refused;
        var named = string.Join(", ", refused.Take(MaxNamed)) + (refused.Count > MaxNamed ? $" and {refused.Count - MaxNamed} more" : string.Empty);
        what += $" (refused: {named})";
        var flags = AllowFlags;
        return flags.Length > 0 ? $"{what}; to allow {(Denied == 1 ? "it" : "them")}, run again with {flags} (see the reasons above)" : $"{what} (see the reasons above)";
    }
}
