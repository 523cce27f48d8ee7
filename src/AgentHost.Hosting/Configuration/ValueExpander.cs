using System.Text;

namespace AgentHost.Hosting.Configuration;

/// <summary>Expands <c>$VAR</c>, <c>${VAR}</c> and <c>${VAR:-default}</c> in config values; <c>$$</c> is a literal dollar.</summary>
/// <remarks>
/// A variable that is unset or empty expands to its default, or to nothing (reported in
/// <see cref="Expansion.UnsetVariables"/>). A <c>$</c> not followed by a name, <c>{</c> or <c>$</c> stays as it is.
/// </remarks>
public static class ValueExpander
{
    /// <summary>The result of expanding one value.</summary>
    /// <param name="Value">The expanded value.</param>
    /// <param name="UnsetVariables">Variables used without a default that were unset or empty.</param>
    /// <param name="Error">A syntax error (e.g. an unclosed <c>${</c>), or <see langword="null"/>.</param>
    public sealed record Expansion(string Value, IReadOnlyList<string> UnsetVariables, string? Error);

    public static Expansion Expand(string text, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(variables);
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return new Expansion(text, [], null);
        }

        var unset = new List<string>();
        string? error = null;
        var value = Expand(text, variables, unset, ref error);
        return new Expansion(value, unset, error);
    }

    private static string Expand(string text, IReadOnlyDictionary<string, string> variables, List<string> unset, ref string? error)
    {
        var result = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (c != '$' || i + 1 == text.Length)
            {
                result.Append(c);
                i++;
            }
            else if (next == '$')
            {
                result.Append('$');
                i += 2;
            }
            else if (next == '{')
            {
                var close = FindClose(text, i + 2);
                if (close < 0)
                {
                    error ??= $"'${{' at position {i + 1} is never closed. Close it with '}}', or write '$$' for a literal dollar";
                    result.Append(text, i, text.Length - i);
                    break;
                }

                result.Append(ExpandBraced(text[(i + 2)..close], variables, unset, ref error));
                i = close + 1;
            }
            else if (IsNameStart(next))
            {
                var name = ReadName(text, i + 1);
                result.Append(Lookup(name, variables) ?? Unset(name, unset));
                i += 1 + name.Length;
            }
            else
            {
                result.Append('$');
                i++;
            }
        }

        return result.ToString();
    }

    private static string ExpandBraced(string inner, IReadOnlyDictionary<string, string> variables, List<string> unset, ref string? error)
    {
        var name = inner.Length > 0 && IsNameStart(inner[0]) ? ReadName(inner, 0) : string.Empty;
        var rest = inner[name.Length..];
        if (name.Length == 0 || (rest.Length > 0 && !rest.StartsWith(":-", StringComparison.Ordinal)))
        {
            error ??= $"'${{{inner}}}' is not a supported expansion. Use ${{NAME}} or ${{NAME:-default}} (NAME: letters, digits, '_'), or '$$' for a literal dollar";
            return string.Empty;
        }

        if (Lookup(name, variables) is { } value)
        {
            return value;
        }

        return rest.Length == 0 ? Unset(name, unset) : Expand(rest[2..], variables, unset, ref error);
    }

    private static int FindClose(string text, int start)
    {
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] is '{' or '$')
            {
                depth += text[i + 1] == '{' ? 1 : 0;
                i++;
            }
            else if (text[i] == '}')
            {
                if (depth == 0)
                {
                    return i;
                }

                depth--;
            }
        }

        return -1;
    }

    private static string? Lookup(string name, IReadOnlyDictionary<string, string> variables) =>
        variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private static string Unset(string name, List<string> unset)
    {
        if (!unset.Contains(name, StringComparer.Ordinal))
        {
            unset.Add(name);
        }

        return string.Empty;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static string ReadName(string text, int start)
    {
        var end = start;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
        {
            end++;
        }

        return text[start..end];
    }
}
