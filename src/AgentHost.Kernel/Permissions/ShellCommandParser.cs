using System.Text;

namespace AgentHost.Kernel.Permissions;

/// <summary>
/// Splits a POSIX/bash command line into simple commands for permission checks: <c>&amp;&amp;</c>, <c>||</c>, <c>;</c>,
/// <c>|</c>, <c>|&amp;</c>, <c>&amp;</c>, newlines, <c>$(…)</c>, backticks, <c>( … )</c>, process substitution and
/// here-doc bodies; quotes and escapes are respected (<c>$'\x72m'</c> is <c>rm</c>). Wrappers are looked through and
/// <c>sh -c</c>/<c>eval</c>/<c>trap</c> strings are parsed recursively; words whose value is only known at run time
/// (variables, substitutions, unquoted globs and brace expansions) are marked.
/// </summary>
/// <remarks>
/// Stateless and thread-safe. It is not a shell: constructs it does not understand, and those that run code hidden in
/// a variable's value (arithmetic on variables, <c>${!x}</c>, <c>${x@P}</c>, computed array subscripts, function
/// definitions), make the line an error.
/// </remarks>
public static partial class ShellCommandParser
{
    private const int MaxDepth = 12;

    /// <summary>Parses a command line.</summary>
    /// <param name="commandLine">The command line.</param>
    /// <returns>The parts, or an error.</returns>
    public static ShellParseResult Parse(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var parts = new List<ShellCommandPart>();
        if (commandLine.Contains('\0', StringComparison.Ordinal))
        {
            // The shell drops NUL bytes ('r\0m' runs rm), so the line does not say what runs.
            return new ShellParseResult(parts, "the command line contains a NUL byte");
        }

        try
        {
            ParseInto(commandLine, parts, 0);
            return new ShellParseResult(parts, null);
        }
        catch (FormatException ex)
        {
            return new ShellParseResult(parts, ex.Message);
        }
    }

    internal static void ParseInto(string text, List<ShellCommandPart> parts, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException("commands are nested too deeply");
        }

        var scanner = new Scanner(text, parts, depth);
        scanner.ParseSequence(terminator: null);
    }

    /// <summary>Finds <c>$(…)</c> and backtick substitutions in text that is otherwise data (here-doc bodies, <c>${…}</c>) and parses them.</summary>
    internal static void ScanForSubstitutions(string text, List<ShellCommandPart> parts, int depth)
    {
        for (var j = 0; j < text.Length; j++)
        {
            if (text[j] == '\\')
            {
                j++;
            }
            else if (text[j] == '$' && j + 1 < text.Length && text[j + 1] == '(')
            {
                var scanner = new Scanner(text, parts, depth + 1) { Position = j + 2 };
                j = scanner.ParseSequence(')') - 1;
            }
            else if (text[j] == '`')
            {
                var close = text.IndexOf('`', j + 1);
                if (close < 0)
                {
                    throw new FormatException("a backtick substitution is never closed");
                }

                ParseInto(text[(j + 1)..close], parts, depth + 1);
                j = close;
            }
        }
    }
}
