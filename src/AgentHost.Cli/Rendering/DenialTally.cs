using AgentHost.Permissions;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// Counts a run's tool calls and permission denials, so a run whose every call was denied does not look like success
/// (exit code 5) and the closing line can say which <c>--allow</c> flags would let the denied calls run.
/// </summary>
internal sealed class DenialTally
{
    private readonly List<string> _rules = [];
    private int _calls;
    private int _denied;

    /// <summary>The model's tool calls that completed (in any status).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Tool calls the permission system denied.</summary>
    public int Denied => Volatile.Read(ref _denied);

    /// <summary>Whether the run made tool calls and every one was denied.</summary>
    public bool AllDenied => Calls > 0 && Denied == Calls;

    /// <summary>The <c>--allow</c> flags that would let the denied calls run, in the order they were denied (none when no rule can).</summary>
    public string AllowFlags
    {
        get
        {
            lock (_rules)
            {
                return string.Join(' ', _rules.Select(rule => AllowOption.Name + " " + DenialAdvice.Quote(rule)));
            }
        }
    }

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
                }

                break;
            case PermissionDecidedEvent { Decision: "deny", SessionId.Length: > 0, SuggestedRules: { Count: > 0 } rules }:
                lock (_rules)
                {
                    _rules.AddRange(rules.Where(rule => !_rules.Contains(rule)));
                }

                break;
        }
    }

    /// <summary>One sentence about the denials, or <see langword="null"/> when there were none.</summary>
    public string? Summary()
    {
        if (Denied == 0)
        {
            return null;
        }

        var what = AllDenied ? $"every tool call was denied ({Denied})" : $"{Denied} of {Calls} tool calls {(Denied == 1 ? "was" : "were")} denied";
        var flags = AllowFlags;
        return flags.Length > 0 ? $"{what}; to allow {(Denied == 1 ? "it" : "them")}, run again with {flags} (see the reasons above)" : $"{what} (see the reasons above)";
    }
}
