using System.Globalization;

namespace AgentHost.Common.Shell;

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
internal static partial class ShellCommandParser
{
    private const int MaxDepth = 12;

    /// <summary>Parses a command line.</summary>
    /// <param name="commandLine">The command line.</param>
    /// <returns>The parts, or an error.</returns>
    public static ShellParseResult Parse(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var parts = new List<ShellCommandPart>();
        if (UnsafeCharacter(commandLine) is { } unsafeCharacter)
        {
            return new ShellParseResult(parts, unsafeCharacter);
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

    public static void ParseInto(string text, List<ShellCommandPart> parts, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException("commands are nested too deeply");
        }

        var scanner = new Scanner(text, parts, depth);
        scanner.ParseSequence(terminator: null);
    }

    /// <summary>
    /// Why a character of the line is outside what the parser understands, or <see langword="null"/>. Bash reads a
    /// carriage return, <c>\v</c>, <c>\f</c>, other control characters and Unicode line separators as part of a word
    /// (<c>git\r status</c> runs a program named <c>git\r</c>), drops NUL bytes (<c>r\0m</c> runs <c>rm</c>), and a
    /// terminal may hide them or format characters from the person approving the line; so only tab and newline are
    /// understood, anywhere in the line (quoted text included).
    /// </summary>
    public static string? UnsafeCharacter(string text)
    {
        foreach (var c in text)
        {
            if (c is '\t' or '\n' or ' ')
            {
                continue;
            }

            if (c == '\0')
            {
                return "the command line contains a NUL byte";
            }

            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (char.IsControl(c) || char.IsWhiteSpace(c) || category is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format)
            {
                return $"the command line contains the character U+{(int)c:X4} (a carriage return, line separator or other control character the shell reads differently from how it is shown)";
            }
        }

        return null;
    }

    /// <summary>
    /// Parses the expansions of text that is otherwise data but is expanded like a double-quoted string (an unquoted
    /// here-document body): <c>$(…)</c> and backticks are commands, and arithmetic and <c>${…}</c> are checked as in a word.
    /// </summary>
    public static void ScanExpandingText(string text, List<ShellCommandPart> parts, int depth)
    {
        var scanner = new Scanner(text, parts, depth + 1);
        scanner.ScanExpansions();
    }
}
