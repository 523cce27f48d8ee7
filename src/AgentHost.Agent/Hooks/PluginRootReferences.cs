using System.Text;

namespace AgentHost.Agent.Hooks;

/// <summary>
/// A plugin hook's <c>${CLAUDE_PLUGIN_ROOT}</c> (or <c>${AGENT_PLUGIN_ROOT}</c>) stays a reference to the environment
/// variable the hook runs with, never the folder's text pasted into shell source (a folder named <c>$(…)</c> would run,
/// one with a space would split). Where the reference stands unquoted it is quoted (<c>"${CLAUDE_PLUGIN_ROOT}"</c>), so
/// the folder is one word whatever it is called: the unquoted form Claude Code plugins usually write works under
/// <c>Application Support</c> too. Inside double quotes, single quotes and here-documents it is left as written: the
/// shell (or the program the quoted text is given to) reads the variable itself.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class PluginRootReferences
{
    /// <summary>The variables that name the plugin's folder.</summary>
    public static readonly IReadOnlyList<string> Names = ["CLAUDE_PLUGIN_ROOT", "AGENT_PLUGIN_ROOT"];

    /// <summary>Whether <paramref name="command"/> names a plugin-root variable (so the same text in two plugins is two commands).</summary>
    /// <param name="command">The hook's command.</param>
    /// <returns>Whether it does.</returns>
    public static bool Mentioned(string command) => Names.Any(n => command.Contains(n, StringComparison.Ordinal));

    /// <summary>The command with each unquoted reference to a plugin-root variable quoted, for the platform's shell.</summary>
    /// <param name="command">The hook's command as written.</param>
    /// <returns>The command to run.</returns>
    public static string Quote(string command) => OperatingSystem.IsWindows() ? QuoteCmd(command) : QuotePosix(command);

    /// <summary>For <c>/bin/sh</c>: each unquoted <c>${NAME}</c> or <c>$NAME</c> becomes <c>"${NAME}"</c>.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The command with its unquoted references quoted.</returns>
    public static string QuotePosix(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!Mentioned(command))
        {
            return command;
        }

        var result = new StringBuilder(command.Length + 8);
        // Each entry is a context: '"' double quotes, '(' a command substitution (unquoted inside), '`' backquotes.
        var contexts = new Stack<(char Kind, int Depth)>();
        var i = 0;
        while (i < command.Length)
        {
            var c = command[i];
            var inDouble = contexts.Count > 0 && contexts.Peek().Kind == '"';
            if (c == '\\' && i + 1 < command.Length)
            {
                result.Append(command, i, 2);
                i += 2;
            }
            else if (inDouble)
            {
                i = Double(command, i, result, contexts);
            }
            else if (c == '\'')
            {
                var close = command.IndexOf('\'', i + 1);
                var end = close < 0 ? command.Length : close + 1;
                result.Append(command, i, end - i);
                i = end;
            }
            else if (c == '$' && Reference(command, i) is { } reference)
            {
                result.Append("\"${").Append(reference.Name).Append("}\"");
                i += reference.Length;
            }
            else if (c == '<' && i + 1 < command.Length && command[i + 1] == '<' && (i + 2 >= command.Length || command[i + 2] != '<'))
            {
                i = HereDocument(command, i, result);
            }
            else
            {
                i = Structure(command, i, result, contexts);
            }
        }

        return result.ToString();
    }

    /// <summary>For <c>cmd.exe</c>: each reference outside double quotes becomes <c>"%NAME%"</c>, inside them <c>%NAME%</c>. A Windows path cannot hold a <c>"</c>, so the value cannot leave the quotes.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The command.</returns>
    public static string QuoteCmd(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var result = new StringBuilder(command.Length + 8);
        var quoted = false;
        var i = 0;
        while (i < command.Length)
        {
            if (command[i] == '"')
            {
                quoted = !quoted;
            }
            else if (command[i] == '$' && Reference(command, i) is { } reference)
            {
                result.Append(quoted ? $"%{reference.Name}%" : $"\"%{reference.Name}%\"");
                i += reference.Length;
                continue;
            }

            result.Append(command[i]);
            i++;
        }

        return result.ToString();
    }

    private static int Double(string command, int i, StringBuilder result, Stack<(char Kind, int Depth)> contexts)
    {
        var c = command[i];
        if (c == '"')
        {
            contexts.Pop();
            result.Append(c);
            return i + 1;
        }

        if (c == '$' && i + 1 < command.Length && command[i + 1] == '(')
        {
            contexts.Push(('(', 1));
            result.Append("$(");
            return i + 2;
        }

        if (c == '`')
        {
            contexts.Push(('`', 0));
        }

        result.Append(c);
        return i + 1;
    }

    /// <summary>Quotes, substitutions and backquotes outside double quotes.</summary>
    private static int Structure(string command, int i, StringBuilder result, Stack<(char Kind, int Depth)> contexts)
    {
        var c = command[i];
        switch (c)
        {
            case '"':
                contexts.Push(('"', 0));
                break;
            case '$' when i + 1 < command.Length && command[i + 1] == '(':
                contexts.Push(('(', 1));
                result.Append("$(");
                return i + 2;
            case '(' when contexts.Count > 0 && contexts.Peek().Kind == '(':
                var open = contexts.Pop();
                contexts.Push((open.Kind, open.Depth + 1));
                break;
            case ')' when contexts.Count > 0 && contexts.Peek().Kind == '(':
                var inner = contexts.Pop();
                if (inner.Depth > 1)
                {
                    contexts.Push((inner.Kind, inner.Depth - 1));
                }

                break;
            case '`' when contexts.Count > 0 && contexts.Peek().Kind == '`':
                contexts.Pop();
                break;
            case '`':
                contexts.Push(('`', 0));
                break;
        }

        result.Append(c);
        return i + 1;
    }

    /// <summary>Copies a here-document (its operator, delimiter and body up to the delimiter line) unchanged.</summary>
    private static int HereDocument(string command, int i, StringBuilder result)
    {
        var lineEnd = command.IndexOf('\n', i);
        if (lineEnd < 0)
        {
            result.Append(command, i, command.Length - i);
            return command.Length;
        }

        var header = command[(i + 2)..lineEnd];
        var stripTabs = header.StartsWith('-');
        var word = new string(header.TrimStart('-').TrimStart().TakeWhile(ch => !char.IsWhiteSpace(ch) && ch is not (';' or '|' or '&' or '<' or '>' or ')')).ToArray())
            .Replace("\"", string.Empty, StringComparison.Ordinal).Replace("'", string.Empty, StringComparison.Ordinal).Replace("\\", string.Empty, StringComparison.Ordinal);
        var position = lineEnd + 1;
        while (position < command.Length)
        {
            var next = command.IndexOf('\n', position);
            var line = next < 0 ? command[position..] : command[position..next];
            position = next < 0 ? command.Length : next + 1;
            if ((stripTabs ? line.TrimStart('\t') : line) == word)
            {
                break;
            }
        }

        result.Append(command, i, position - i);
        return position;
    }

    /// <summary>A reference to a plugin-root variable at <paramref name="i"/> (<c>${NAME}</c>, or <c>$NAME</c> not followed by a name character).</summary>
    private static (string Name, int Length)? Reference(string command, int i)
    {
        foreach (var name in Names)
        {
            if (string.CompareOrdinal(command, i, "${" + name + "}", 0, name.Length + 3) == 0)
            {
                return (name, name.Length + 3);
            }

            var end = i + 1 + name.Length;
            if (string.CompareOrdinal(command, i + 1, name, 0, name.Length) == 0
                && (end >= command.Length || !(char.IsAsciiLetterOrDigit(command[end]) || command[end] == '_')))
            {
                return (name, name.Length + 1);
            }
        }

        return null;
    }
}
