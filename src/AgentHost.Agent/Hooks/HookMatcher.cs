using System.Text.RegularExpressions;

namespace AgentHost.Agent.Hooks;

/// <summary>
/// A hook's matcher, as Claude Code reads one: empty or <c>*</c> matches everything; letters, digits, <c>_</c> and
/// <c>|</c> only are exact names (<c>Edit|Write</c>); anything else is a regular expression that must match the whole
/// name (<c>mcp__github__.*</c>, <c>Notebook.*</c>). Case-sensitive.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class HookMatcher
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);
    private readonly HashSet<string>? _names;
    private readonly Regex? _regex;

    private HookMatcher(HashSet<string>? names, Regex? regex)
    {
        _names = names;
        _regex = regex;
    }

    /// <summary>The matcher that matches everything.</summary>
    public static HookMatcher All { get; } = new(null, null);

    /// <summary>Reads a matcher.</summary>
    /// <param name="text">The matcher as written.</param>
    /// <param name="matcher">The matcher.</param>
    /// <param name="error">Why it is not one, with the fix.</param>
    /// <returns>Whether it could be read.</returns>
    public static bool TryParse(string? text, out HookMatcher matcher, out string? error)
    {
        error = null;
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0 || trimmed == "*")
        {
            matcher = All;
            return true;
        }

        if (trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '|'))
        {
            matcher = new HookMatcher(trimmed.Split('|', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal), null);
            return true;
        }

        try
        {
            matcher = new HookMatcher(null, new Regex("^(?:" + trimmed + ")$", RegexOptions.CultureInvariant, MatchTimeout));
            return true;
        }
        catch (RegexParseException ex)
        {
            matcher = All;
            var what = Regex.Replace(ex.Error.ToString(), "(?<=[a-z])(?=[A-Z])", " ").ToLowerInvariant();
            error = $"matcher '{trimmed}' is not a valid regular expression ({what} at position {Math.Clamp(ex.Offset - 4, 0, trimmed.Length)}). Use exact names separated by '|' (Edit|Write), a regular expression such as 'mcp__github__.*', or '*' for all";
            return false;
        }
    }

    /// <summary>Whether the matcher matches one of <paramref name="names"/> (a tool's name and its Claude Code alias).</summary>
    /// <param name="names">The names to try.</param>
    /// <returns>Whether any matches.</returns>
    public bool Matches(params ReadOnlySpan<string?> names)
    {
        if (_names is null && _regex is null)
        {
            return true;
        }

        foreach (var name in names)
        {
            if (name is null)
            {
                continue;
            }

            if (_names is not null ? _names.Contains(name) : SafeMatch(name))
            {
                return true;
            }
        }

        return false;
    }

    private bool SafeMatch(string name)
    {
        try
        {
            return _regex!.IsMatch(name);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
