using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Hosting.Configuration;

/// <summary>A YAML syntax error, located and explained: <c>invalid YAML: what — fix</c>.</summary>
/// <param name="Line">The 1-based line (in the text given to <see cref="YamlSyntax.Load"/>).</param>
/// <param name="Column">The 1-based column.</param>
/// <param name="Message">What is wrong and how to fix it, without the location.</param>
public sealed record YamlSyntaxError(int Line, int Column, string Message);

/// <summary>Thrown by <see cref="YamlSyntax.Load"/> for text that is not valid YAML.</summary>
public sealed class YamlSyntaxException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The error.</param>
    /// <param name="inner">YamlDotNet's exception.</param>
    public YamlSyntaxException(YamlSyntaxError error, Exception inner)
        : base(error?.Message, inner)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>Creates the exception.</summary>
    public YamlSyntaxException()
        : this(new YamlSyntaxError(1, 1, "invalid YAML"), new YamlException("invalid YAML"))
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public YamlSyntaxException(string message)
        : this(new YamlSyntaxError(1, 1, message), new YamlException(message))
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public YamlSyntaxException(string message, Exception inner)
        : this(new YamlSyntaxError(1, 1, message), inner)
    {
    }

    /// <summary>Where and what.</summary>
    public YamlSyntaxError Error { get; }
}

/// <summary>
/// The one way the host reads YAML text (config files, SKILL.md frontmatter, plugin.yaml): every syntax error —
/// including the shapes YamlDotNet reports with a bare <see cref="InvalidOperationException"/> and no position, such as
/// an unclosed flow sequence followed by another key — becomes a <see cref="YamlSyntaxError"/> with a line, a column,
/// what is wrong and the fix, never a resource key or a stack trace.
/// </summary>
/// <remarks>Shared source: the scripted provider plugin compiles this file too (it cannot reference the kernel).</remarks>
public static class YamlSyntax
{
    private static readonly (string Clue, string Fix)[] Fixes =
    [
        ("Duplicate key", "each key may appear once in a section; remove or merge the repeated key"),
        ("tab", "indent with spaces, not tabs"),
        ("flow sequence", "close the list with ']' and separate its items with ','"),
        ("flow mapping", "close the mapping with '}' and separate its entries with ','"),
        ("quoted scalar, found unexpected end", "close the quoted text with the same quote it starts with"),
        ("unknown escape", "inside double quotes write a backslash as \\\\, or use single quotes"),
        ("invalid mapping", "indent nested keys under their parent, and quote values that contain ': '"),
        ("could not find expected ':'", "write each setting as 'key: value' with a space after the colon"),
        ("did not find expected key", "check the indentation: keys of one section must line up"),
        ("block end", "check the indentation: keys of one section must line up"),
        ("alias", "define the anchor (&name) before using it (*name)"),
    ];

    /// <summary>Parses YAML text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The documents.</returns>
    /// <exception cref="YamlSyntaxException">The text is not valid YAML.</exception>
    /// <summary>
    /// Runs YamlDotNet's parser-wide static set-up (its default tag directives build a compiled regular expression, a few
    /// milliseconds of code generation on first use) so that the first configuration file parsed does not pay for it.
    /// Idempotent and thread-safe (a class constructor runs once); parses nothing.
    /// </summary>
    public static void Prepare() => System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(YamlDotNet.Core.Tokens.TagDirective).TypeHandle);

    public static YamlStream Load(string text) =>
        Parse(text, out var stream, out var failure) ? stream : throw new YamlSyntaxException(failure.Error, failure.Inner);

    /// <summary>Parses YAML text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="stream">The documents, when valid.</param>
    /// <param name="error">Where and what, when not.</param>
    /// <returns>Whether the text is valid YAML.</returns>
    public static bool TryLoad(string text, out YamlStream stream, out YamlSyntaxError? error)
    {
        var result = Parse(text, out stream, out var failure);
        error = result ? null : failure.Error;
        return result;
    }

    private static bool Parse(string text, out YamlStream stream, out (YamlSyntaxError Error, Exception Inner) failure)
    {
        ArgumentNullException.ThrowIfNull(text);
        stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new Parser(scanner));
            failure = default;
            return true;
        }
        catch (YamlException ex)
        {
            var (line, column) = Locate(text, ex.Message, ex.Start.Line, ex.Start.Column);
            failure = (new YamlSyntaxError(line, column, Describe(ex.Message)), ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException && ex.TargetSite?.DeclaringType?.Assembly == typeof(YamlStream).Assembly)
        {
            // YamlDotNet fails on some broken shapes (an unclosed '[' followed by 'key:' on the next line) with a bare
            // exception whose message is a resource key; the scanner still knows where it stopped.
            var position = scanner.CurrentPosition;
            var (line, column) = Locate(text, string.Empty, position.Line, position.Column);
            failure = (new YamlSyntaxError(line, column, "invalid YAML: the text cannot be read from here — a '[' or '{' opened before is probably not closed; close it with ']' or '}' on the same line, or quote text that starts with '[' or '{'"), ex);
        }

        stream = new YamlStream();
        return false;
    }

    /// <summary>
    /// Where to point: a tab in indentation is found directly; a position past the end (an unclosed bracket or quote)
    /// moves to the end of the last line.
    /// </summary>
    private static (int Line, int Column) Locate(string text, string message, long line, long column)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
                var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
                if (tab >= 0 && tab < indent)
                {
                    return (i + 1, tab + 1);
                }
            }
        }

        var count = lines.Length;
        while (count > 1 && lines[count - 1].Trim().Length == 0)
        {
            count--;
        }

        return line > count ? (count, lines[count - 1].Length + 1) : ((int)Math.Max(1, line), (int)Math.Max(1, column));
    }

    private static string Describe(string message)
    {
        var what = message.Trim().TrimEnd('.');
        if (what.Length > 0)
        {
            what = char.ToLowerInvariant(what[0]) + what[1..];
        }

        var fix = Fixes.FirstOrDefault(candidate => what.Contains(candidate.Clue, StringComparison.OrdinalIgnoreCase)).Fix
            ?? "check the YAML syntax here: 'key: value' pairs, indentation with spaces, matching quotes and brackets";
        return $"invalid YAML: {what} — {fix}";
    }
}
