namespace AgentHost.Hosting.Hooks;

/// <summary>
/// Fields of a Claude Code command hook that change when or how it runs and that the host does not implement: a hook
/// with one of them is not run (running it on every matching call, or in the foreground, would do what its author did
/// not ask for) and is reported — by the hooks engine when it reads the hook, and in a plugin's install summary.
/// (<c>"async": true</c> is supported: such a hook runs in the background, as in Claude Code.)
/// </summary>
public static class UnsupportedHookFields
{
    private static readonly (string Field, string What)[] Fields =
    [
        ("if", "a condition on the call ('if')"),
        ("asyncRewake", "running in the background and waking the agent ('asyncRewake')"),
    ];

    /// <summary>Why a hook with these fields is not run, or <see langword="null"/> when none applies.</summary>
    /// <param name="field">A field's value by name (<see langword="null"/> when absent); a <c>false</c> or empty value does not count.</param>
    /// <returns>One sentence naming the fields, or <see langword="null"/>.</returns>
    public static string? Reason(Func<string, string?> field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var found = Fields.Where(f => field(f.Field) is { Length: > 0 } value && !value.Equals("false", StringComparison.OrdinalIgnoreCase)).Select(f => f.What).ToList();
        return found.Count == 0 ? null : $"{string.Join(" and ", found)} {(found.Count == 1 ? "is" : "are")} not supported, so this hook is not run";
    }
}
