using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// Finds the lines of a UTF-8 buffer that match grep's pattern. Plain text is searched as bytes (vectorized
/// <c>IndexOf</c>, ASCII case folding when asked), with no decoding at all; a regex with required literals
/// (<see cref="RegexLiteral"/>) is run only on the lines holding the rarest of them (found by byte search) and all the
/// others; any other regex runs over the decoded buffer and each hit is confirmed on its own line, so a match never
/// spans lines. Thread-safe (one instance is shared by every worker).
/// </summary>
internal sealed class LineMatcher
{
    private const int StackLine = 512;
    private static readonly SearchValues<char> Syntax = SearchValues.Create(@"\^$.|?*+()[]{}");
    private readonly Regex? _regex;
    private readonly ByteLiteral? _literal;
    private readonly ByteLiteral[] _others;
    private readonly bool _dollar;

    /// <summary>Text every match starts with (<see cref="LeadingLiteral"/>): a line is given to the regex from its first occurrence on.</summary>
    private ByteLiteral? _prefix;

    private LineMatcher(Regex? regex, ByteLiteral? literal, ByteLiteral[] others, bool dollar, bool countsPerChunk = true)
    {
        _regex = regex;
        _literal = literal;
        _others = others;
        _dollar = dollar;
        CountsPerChunk = countsPerChunk;
    }

    /// <summary>
    /// Whether scanning a file in pieces of whole lines counts what scanning it whole counts (<see cref="ChunkedScan"/>).
    /// True for plain text and for regexes confirmed line by line; false for a regex run over the whole text that uses
    /// <c>\A</c>, <c>\z</c>, <c>\Z</c>, <c>\G</c> or a lookaround, whose answer can depend on where the text starts or
    /// what follows a line.
    /// </summary>
    public bool CountsPerChunk { get; }

    /// <summary>Builds the matcher.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="literal">Treat the pattern as plain text.</param>
    /// <param name="ignoreCase">Match without case.</param>
    /// <exception cref="ToolException">The pattern is empty, spans lines, or is not a valid regex.</exception>
    public static LineMatcher Create(string pattern, bool literal, bool ignoreCase)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            throw new ToolException("pattern is empty; give the text or regular expression to search for.");
        }

        if (pattern.Contains('\n') || (literal && pattern.Contains('\r')))
        {
            throw new ToolException("pattern contains a line break; grep matches within one line, so search for one line of the text.");
        }

        var plain = literal || RegexLiteral.IsPlainText(pattern);
        // Byte search folds ASCII only, so without case a non-ASCII literal cannot be searched as bytes.
        var texts = (plain ? [pattern] : RegexLiteral.Required(pattern)).Where(t => !ignoreCase || Ascii.IsValid(t)).ToList();
        var usable = texts.Count > 0 && (plain || texts[0].Length >= RegexLiteral.MinimumLength);
        var first = usable ? new ByteLiteral(texts[0], ignoreCase) : null;
        var others = usable ? texts.Skip(1).Select(t => new ByteLiteral(t, ignoreCase)).ToArray() : [];
        if (plain && first is not null)
        {
            return new LineMatcher(null, first, [], dollar: false);
        }

        var options = RegexOptions.CultureInvariant | RegexOptions.Multiline | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        if (first is null)
        {
            // The regex scans whole files: compiling pays for itself.
            options |= RegexOptions.Compiled;
        }

        Regex regex;
        try
        {
            regex = new Regex(plain ? Regex.Escape(pattern) : pattern, options, TimeSpan.FromSeconds(2));
        }
        catch (ArgumentException ex)
        {
            throw new ToolException($"pattern is not a valid .NET regular expression ({ex.Message}). Escape special characters such as ( [ . * with a backslash, or set literal to true to search for the text as it is.");
        }

        var prefix = first is not null ? LeadingLiteral(pattern) : null;
        return new LineMatcher(regex, first, others, dollar: !plain && pattern.Contains('$'), countsPerChunk: first is not null || !DependsOnPosition(pattern))
        {
            // Not without case: the regex folds more than ASCII (the Kelvin sign is a k).
            _prefix = prefix is { Length: > 0 } && !ignoreCase ? new ByteLiteral(prefix, fold: false) : null,
        };
    }

    /// <summary>
    /// The plain text the pattern starts with, which every match then starts with (<c>handle</c> in
    /// <c>handle[A-Z]\w*Event\(</c>), or <see langword="null"/>. Conservative: none for a pattern with <c>|</c>, any
    /// <c>(?</c> group (lookbehinds, inline options) or <c>\G</c>; the last character is left out when a quantifier
    /// follows it. A match starting at an occurrence of the prefix depends only on the text from there on (no
    /// lookbehind), so a line can be given to the regex from the prefix's first occurrence on.
    /// </summary>
    internal static string? LeadingLiteral(string pattern)
    {
        if (pattern.Contains('|') || pattern.Contains("(?", StringComparison.Ordinal) || pattern.Contains(@"\G", StringComparison.Ordinal))
        {
            return null;
        }

        var end = pattern.AsSpan().IndexOfAny(Syntax);
        if (end < 0)
        {
            return pattern;
        }

        if (pattern[end] is '?' or '*' or '+' or '{')
        {
            end--;
        }

        return end > 0 ? pattern[..end] : null;
    }

    private static bool DependsOnPosition(string pattern) =>
        pattern.Contains(@"\A", StringComparison.Ordinal) || pattern.Contains(@"\z", StringComparison.Ordinal)
        || pattern.Contains(@"\Z", StringComparison.Ordinal) || pattern.Contains(@"\G", StringComparison.Ordinal)
        || pattern.Contains("(?=", StringComparison.Ordinal) || pattern.Contains("(?!", StringComparison.Ordinal)
        || pattern.Contains("(?<=", StringComparison.Ordinal) || pattern.Contains("(?<!", StringComparison.Ordinal);

    /// <summary>Where the first match in a (decoded) line starts, or 0 when it cannot be told; used to show the part of a long line that matched.</summary>
    public int Column(ReadOnlySpan<char> line)
    {
        if (_regex is null)
        {
            return Math.Max(0, line.IndexOf(_literal!.Text, _literal.Fold ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
        }

        try
        {
            foreach (var match in _regex.EnumerateMatches(line))
            {
                return match.Index;
            }

            return 0;
        }
        catch (RegexMatchTimeoutException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Where the first match in a line of UTF-8 bytes starts, in bytes, when that can be told without decoding it:
    /// plain text matched exactly (no case folding, no U+FFFD in it), whose bytes start a character and are whole
    /// characters, so the first byte match is where <see cref="Column"/> finds the first match in the decoded line.
    /// -1 when there is no match or the pattern needs the decoded line.
    /// </summary>
    public int ByteColumn(ReadOnlySpan<byte> line) =>
        _regex is null && _literal is { Fold: false } literal && !literal.Text.Contains('\uFFFD', StringComparison.Ordinal) ? literal.IndexIn(line) : -1;

    /// <summary>
    /// Counts the matching lines of <paramref name="text"/> (UTF-8, no byte order mark), adding their 1-based numbers
    /// (and, when searched as bytes, where they start) to <paramref name="lines"/> when given, until it is full; stops
    /// after the first when <paramref name="firstOnly"/>.
    /// </summary>
    public int Scan(ReadOnlySpan<byte> text, MatchedLines? lines, bool firstOnly)
    {
        return _literal is not null ? ScanBytes(text, lines, firstOnly) : ScanDecoded(text, lines, firstOnly);
    }

    private int ScanBytes(ReadOnlySpan<byte> text, MatchedLines? lines, bool firstOnly)
    {
        var count = 0;
        var position = 0;
        var lineNumber = 1;
        var counted = 0;
        while (position < text.Length)
        {
            var hit = _literal!.IndexIn(text[position..]);
            if (hit < 0)
            {
                break;
            }

            hit += position;
            var start = position + text[position..hit].LastIndexOf((byte)'\n') + 1;
            var newline = text[hit..].IndexOf((byte)'\n');
            var end = newline < 0 ? text.Length : hit + newline;
            if (_regex is null || (HasOthers(text[start..end]) && Confirm(text[start..end])))
            {
                count++;
                if (lines is { Full: false })
                {
                    lineNumber += text[counted..start].Count((byte)'\n');
                    counted = start;
                    lines.Add(lineNumber, start);
                }

                if (firstOnly)
                {
                    break;
                }
            }

            position = end + 1;
        }

        return count;
    }

    private bool HasOthers(ReadOnlySpan<byte> line)
    {
        foreach (var other in _others)
        {
            if (other.IndexIn(line) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs the regex on one line (without its line break).</summary>
    private bool Confirm(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == '\r')
        {
            line = line[..^1];
        }

        if (_prefix is not null)
        {
            // Every match starts with the prefix: the text before its first occurrence cannot take part.
            var first = _prefix.IndexIn(line);
            if (first < 0)
            {
                return false;
            }

            line = line[first..];
        }

        var length = Encoding.UTF8.GetMaxCharCount(line.Length);
        char[]? rented = null;
        var chars = length <= StackLine ? stackalloc char[StackLine] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetChars(line, chars);
            return _regex!.IsMatch(chars[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private int ScanDecoded(ReadOnlySpan<byte> text, MatchedLines? lines, bool firstOnly)
    {
        var rented = ArrayPool<char>.Shared.Rent(Math.Max(16, Encoding.UTF8.GetMaxCharCount(text.Length)));
        try
        {
            var length = Encoding.UTF8.GetChars(text, rented);
            ReadOnlySpan<char> chars = rented.AsSpan(0, length);
            return _dollar && chars.Contains('\r') ? ScanEachLine(chars, lines, firstOnly) : ScanWhole(chars, lines, firstOnly);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>One regex pass over the whole text; each hit is confirmed on its line, and the search goes on at the next line.</summary>
    private int ScanWhole(ReadOnlySpan<char> chars, MatchedLines? lines, bool firstOnly)
    {
        var regex = _regex!;
        var count = 0;
        var position = 0;
        var lineNumber = 1;
        var counted = 0;
        while (position < chars.Length)
        {
            var hit = -1;
            foreach (var match in regex.EnumerateMatches(chars, position))
            {
                hit = match.Index;
                break;
            }

            if (hit < 0)
            {
                break;
            }

            // A hit on a line break (a pattern such as \s+x) belongs to the line the break ends; confirming it
            // there fails unless that line matches on its own.
            var start = position + chars[position..hit].LastIndexOf('\n') + 1;
            if (start >= chars.Length)
            {
                // An empty match after the last line break: there is no line there.
                break;
            }

            var newline = chars[hit..].IndexOf('\n');
            var end = newline < 0 ? chars.Length : hit + newline;
            var line = chars[start..end];
            if (regex.IsMatch(line.EndsWith('\r') ? line[..^1] : line))
            {
                count++;
                if (lines is { Full: false })
                {
                    lineNumber += chars[counted..start].Count('\n');
                    counted = start;
                    lines.Add(lineNumber, -1);
                }

                if (firstOnly)
                {
                    break;
                }
            }

            position = end + 1;
        }

        return count;
    }

    /// <summary>Line by line (used when <c>$</c> meets <c>\r\n</c> line ends, which .NET's <c>$</c> does not see as a line end).</summary>
    private int ScanEachLine(ReadOnlySpan<char> chars, MatchedLines? lines, bool firstOnly)
    {
        var count = 0;
        var lineNumber = 0;
        var rest = chars;
        while (!rest.IsEmpty)
        {
            lineNumber++;
            var newline = rest.IndexOf('\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? [] : rest[(newline + 1)..];
            if (_regex!.IsMatch(line.EndsWith('\r') ? line[..^1] : line))
            {
                count++;
                lines?.Add(lineNumber, -1);
                if (firstOnly)
                {
                    break;
                }
            }
        }

        return count;
    }


    /// <summary>A literal as UTF-8 bytes, found by a vectorized search (with ASCII case folding when <see cref="Fold"/>).</summary>
    private sealed class ByteLiteral
    {
        private readonly byte[] _bytes;
        private readonly SearchValues<byte>? _first;

        public ByteLiteral(string text, bool fold)
        {
            Text = text;
            Fold = fold;
            _bytes = Encoding.UTF8.GetBytes(text);
            if (fold)
            {
                var first = (char)_bytes[0];
                _first = SearchValues.Create([(byte)char.ToLowerInvariant(first), (byte)char.ToUpperInvariant(first)]);
            }
        }

        public string Text { get; }

        public bool Fold { get; }

        public int IndexIn(ReadOnlySpan<byte> text)
        {
            if (_first is null)
            {
                return text.IndexOf(_bytes);
            }

            var offset = 0;
            while (true)
            {
                var i = text[offset..].IndexOfAny(_first);
                if (i < 0)
                {
                    return -1;
                }

                i += offset;
                if (text.Length - i < _bytes.Length)
                {
                    return -1;
                }

                if (Ascii.EqualsIgnoreCase(text.Slice(i, _bytes.Length), _bytes))
                {
                    return i;
                }

                offset = i + 1;
            }
        }
    }
}
