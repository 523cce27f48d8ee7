using System.Buffers;
using System.Globalization;
using System.Text;
using static AgentHost.Plugins.Files.Search.GrepTool;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// Renders grep's results: one page of matching lines (<c>path:line:text</c>, context lines as <c>path-line-text</c>,
/// <c>--</c> between separate groups), of paths, or of <c>path:count</c>, then a note with the totals, what was
/// skipped and the offset of the next page. Long lines are cut around their match; a page stops early rather than
/// exceed the output budget, and its note says where to go on. A file's lines come from the lines pass 1 kept
/// (<see cref="MatchedLines"/>, read with <see cref="LineWindow"/>) when the file is still the one pass 1 read (same
/// identity); otherwise it is read whole and matched again, as before. Files are opened below the walk's start folder
/// (<see cref="StartFolder"/>), one name at a time refusing links, so a folder swapped for a link since the walk is not
/// read through.
/// </summary>
internal sealed class GrepOutput(
    Request request, OutputMode mode, int limit, SearchScope scope, LineMatcher matcher, IncludeFilter include, Hit[] hits, Stats stats)
{
    /// <summary>Lines longer than this are cut (around the match).</summary>
    public const int MaxLineChars = 500;

    /// <summary>A page stops before its text exceeds this (the host caps tool output at 32 KiB).</summary>
    public const int MaxOutputChars = 24_000;

    private const int LeadChars = 100;
    private readonly StringBuilder _text = new();
    private int _matchesWritten;
    private LineWindow? _window;

    /// <summary>A line's text as shown (decoded, cut around the match when long), from its bytes without the line break.</summary>
    internal delegate string RenderLine(int number, ReadOnlySpan<byte> line);

    /// <summary>The walk's start folder, kept open since pass 1 (Linux); files on the page are opened below it.</summary>
    public FolderHandle? StartFolder { get; init; }

    public string Render(CancellationToken cancellationToken)
    {
        var totalLines = hits.Sum(h => (long)h.Count);
        if (hits.Length == 0)
        {
            return NoMatches();
        }

        try
        {
            return mode switch
            {
                OutputMode.Files => RenderEntries(h => h.RelativePath, "files"),
                OutputMode.Count => RenderEntries(h => string.Create(CultureInfo.InvariantCulture, $"{h.RelativePath}:{h.Count}"), "files"),
                _ => RenderContent(totalLines, cancellationToken),
            };
        }
        finally
        {
            _window?.Dispose();
        }
    }

    private string NoMatches()
    {
        var filter = include.IsEmpty ? string.Empty : $" matching include '{include}'";
        var what = Plural(stats.Searched, "file");
        _text.Append(CultureInfo.InvariantCulture, $"No matches for '{request.Pattern}' in '{scope.Display}' ({what} searched{filter}).");
        AppendSkipped(prefix: " ");
        if (!scope.IsFile)
        {
            _text.Append(Paging.SkippedHint(request.Hidden || include.MentionsHidden, request.NoIgnore));
        }

        return _text.ToString();
    }

    private string RenderEntries(Func<Hit, string> line, string unit)
    {
        var end = (int)Math.Min(hits.Length, (long)request.Offset + limit);
        var shown = 0;
        for (var i = request.Offset; i < end; i++)
        {
            var text = line(hits[i]);
            if (shown > 0 && _text.Length + text.Length > MaxOutputChars)
            {
                end = i;
                break;
            }

            _text.Append(text).Append('\n');
            shown++;
        }

        var totalLines = hits.Sum(h => (long)h.Count);
        var summary = mode == OutputMode.Files
            ? $"{Plural(hits.Length, "file")} match"
            : $"{Plural(totalLines, "matching line")} in {Plural(hits.Length, "file")}";
        AppendNote(summary, hits.Length, end, unit);
        return _text.ToString().TrimEnd();
    }

    private string RenderContent(long totalLines, CancellationToken cancellationToken)
    {
        var first = (long)request.Offset;
        var last = Math.Min(totalLines, first + limit);
        long before = 0;
        long shownUpTo = first;
        var previousFile = false;
        foreach (var hit in hits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fileFirst = before;
            before += hit.Count;
            if (before <= first || fileFirst >= last)
            {
                if (fileFirst >= last)
                {
                    break;
                }

                continue;
            }

            // This file's matching lines [from, to) are on the page.
            var from = (int)Math.Max(0, first - fileFirst);
            var to = (int)Math.Min(hit.Count, last - fileFirst);
            var written = AppendFile(hit, from, to, previousFile);
            shownUpTo = fileFirst + from + written;
            previousFile = true;
            if (written < to - from)
            {
                // The output budget ran out in this file.
                break;
            }
        }

        var end = (int)Math.Min(int.MaxValue, shownUpTo);
        AppendNote($"{Plural(totalLines, "matching line")} in {Plural(hits.Length, "file")}", totalLines, end, "matches");
        return _text.ToString().TrimEnd();
    }

    /// <summary>
    /// Writes matching lines [from, to) of one file with their context; returns how many of them were handled (fewer
    /// only when the output budget ran out; a page always shows at least one match).
    /// </summary>
    private int AppendFile(Hit hit, int from, int to, bool separate)
    {
        var wanted = to - from;
        if (!NativeFile.IsSupported)
        {
            using var byPath = SearchFile.Read(hit.FullPath, -1, MaxFileBytes);
            return AppendWhole(hit, byPath, from, to, separate);
        }

        int fd;
        try
        {
            fd = StartFolder is { } folder && !scope.IsFile
                ? NativeFile.OpenBelow(folder.Fd, hit.RelativePath.AsSpan(Below(scope.RelativePath)), hit.FullPath)
                : NativeFile.OpenForReading(hit.FullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone, or something else in its place (a folder on the way swapped for a link): nothing to show.
            return wanted;
        }

        try
        {
            if (hit.Lines is { StartsKnown: true } kept && kept.Numbers.Count > from && NativeFile.Identify(fd) == kept.Identity)
            {
                try
                {
                    _window ??= new LineWindow();
                    _window.Reset(fd, hit.FullPath, kept.TextStart, kept.Identity.Size);
                    var window = _window;
                    return AppendLines(hit, kept.Numbers, from, Math.Min(to, kept.Numbers.Count), wanted, separate, (m, low, high, render) => window.Lines(kept.Numbers[m], kept.Starts[m], low, high, render));
                }
                catch (IOException)
                {
                    return wanted;
                }
            }

            long length;
            try
            {
                length = NativeFile.Length(fd, hit.FullPath);
            }
            catch (IOException)
            {
                return wanted;
            }

            using var file = SearchFile.ReadOpen(fd, hit.FullPath, length, MaxFileBytes);
            return AppendWhole(hit, file, from, to, separate);
        }
        finally
        {
            NativeFile.CloseFile(fd);
        }
    }

    /// <summary>Where a path relative to the root continues below the start folder <paramref name="start"/>.</summary>
    private static int Below(string start) => start.Length == 0 ? 0 : start.Length + 1;

    /// <summary><see cref="AppendFile"/> for a file read whole: matched again, its lines cut from the text.</summary>
    private int AppendWhole(Hit hit, SearchFile file, int from, int to, bool separate)
    {
        var wanted = to - from;
        if (file.Kind != SearchFileKind.Text)
        {
            // The file changed since pass 1 (removed, now binary or too large): nothing to show, and no reason to stop.
            return wanted;
        }

        var matched = new MatchedLines(int.MaxValue);
        matcher.Scan(file.Text, matched, firstOnly: false);
        if (matched.Numbers.Count <= from)
        {
            // The file changed since pass 1; nothing left to show here.
            return wanted;
        }

        to = Math.Min(to, matched.Numbers.Count);
        var starts = LineStarts(file.Text, matched.Numbers[to - 1] + request.Context);
        var whole = file;
        return AppendLines(hit, matched.Numbers, from, to, wanted, separate, (_, low, high, render) =>
        {
            var lines = new List<string>();
            for (var n = low; n <= Math.Min(high, starts.Count); n++)
            {
                lines.Add(render(n, Line(whole.Text, starts, n)));
            }

            return lines;
        });
    }

    /// <summary>
    /// Writes matching lines [from, to) of <paramref name="matched"/> with their context; <paramref name="lines"/> gives,
    /// for match m, the lines from low to high that exist. Returns how many matches were handled (fewer only when the
    /// output budget ran out).
    /// </summary>
    private int AppendLines(Hit hit, List<int> matched, int from, int to, int wanted, bool separate, Func<int, int, int, RenderLine, List<string>> lines)
    {
        var context = request.Context;
        var lastPrinted = 0;
        var written = 0;
        for (var m = from; m < to; m++)
        {
            var number = matched[m];
            var low = Math.Max(Math.Max(1, number - context), lastPrinted + 1);
            // Trailing context stops at the next match on the page, which starts its own group.
            var high = m + 1 < to ? Math.Min(number + context, matched[m + 1] - 1) : number + context;
            var current = number;
            var text = lines(m, low, Math.Max(high, number), (n, line) => Render(line, n == current || matched.BinarySearch(n) >= 0));
            high = low + text.Count - 1;
            var group = new StringBuilder();
            if (context > 0 && (lastPrinted > 0 ? low > lastPrinted + 1 : separate))
            {
                group.Append("--\n");
            }

            for (var n = low; n <= high; n++)
            {
                // Stop a group's trailing context at the next match; that match starts its own group.
                if (n > number && m + 1 < to && n >= matched[m + 1])
                {
                    break;
                }

                var isMatch = n == number || matched.BinarySearch(n) >= 0;
                AppendLine(group, hit.RelativePath, n, text[n - low], isMatch);
                lastPrinted = n;
            }

            if (_matchesWritten > 0 && _text.Length + group.Length > MaxOutputChars)
            {
                return written;
            }

            _text.Append(group);
            _matchesWritten++;
            written++;
        }

        // Fewer matches than pass 1 counted means the file changed meanwhile, not that the budget ran out.
        return wanted;
    }

    private static void AppendLine(StringBuilder builder, string path, int number, string text, bool isMatch)
    {
        var separator = isMatch ? ':' : '-';
        builder.Append(path).Append(separator).Append(number.ToString(CultureInfo.InvariantCulture)).Append(separator).Append(text).Append('\n');
    }

    /// <summary>
    /// A line as shown: whole up to <see cref="MaxLineChars"/> characters, otherwise that many around its match (from
    /// its start for a context line) and its length. A long line is decoded into a pooled buffer, not a string of its
    /// own: a minified file's line of 700 KB is not turned into a 1.4 MB string to show 500 characters of it.
    /// </summary>
    private string Render(ReadOnlySpan<byte> bytes, bool isMatch)
    {
        if (bytes.Length <= MaxLineChars)
        {
            // At most as many characters as bytes: never cut.
            return Encoding.UTF8.GetString(bytes);
        }

        if (isMatch && matcher.ByteColumn(bytes) is >= 0 and var hit && RenderAround(bytes, hit) is { } around)
        {
            return around;
        }

        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(bytes.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(bytes, chars);
            var line = chars.AsSpan(0, length);
            if (length <= MaxLineChars)
            {
                return new string(line);
            }

            var start = isMatch ? Math.Max(0, Math.Min(matcher.Column(line) - LeadChars, length - MaxLineChars)) : 0;
            return string.Concat(start > 0 ? "…" : string.Empty, line.Slice(start, MaxLineChars), string.Create(CultureInfo.InvariantCulture, $"… [line cut: {length} characters]"));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// <see cref="Render"/> of a long matching line whose match starts at byte <paramref name="hit"/>
    /// (<see cref="LineMatcher.ByteColumn"/>): the same text, but only the bytes around the match are decoded; the rest
    /// is only counted. The shown part starts at most <see cref="MaxLineChars"/> characters before the match, and a
    /// character takes at most 3 bytes (a 4-byte sequence is two characters, an invalid byte one), so decoding from
    /// 3 × <see cref="MaxLineChars"/> bytes before the match to as many after it covers it. The decoding starts at a
    /// byte that starts a character (not a continuation byte, or the 4th of a run), where decoding the whole line starts
    /// one too, and the characters before it are counted as that decoding would give them. <see langword="null"/> if the
    /// decoded part does not hold the part shown (never expected; the caller then decodes the whole line).
    /// </summary>
    private static string? RenderAround(ReadOnlySpan<byte> bytes, int hit)
    {
        var from = Math.Max(0, hit - (3 * MaxLineChars) - 4);
        for (var step = 0; step < 3 && from > 0 && (bytes[from] & 0xC0) == 0x80; step++)
        {
            from++;
        }

        // Counted once, in three parts: each split (from, hit) starts a character, so the counts add up.
        var before = Encoding.UTF8.GetCharCount(bytes[..from]);
        var column = before + Encoding.UTF8.GetCharCount(bytes[from..hit]);
        var length = column + Encoding.UTF8.GetCharCount(bytes[hit..]);
        if (length <= MaxLineChars)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var start = Math.Max(0, Math.Min(column - LeadChars, length - MaxLineChars));
        var to = Math.Min(bytes.Length, hit + (3 * MaxLineChars) + 4);
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(to - from));
        try
        {
            var decoded = Encoding.UTF8.GetChars(bytes[from..to], chars);
            if (start < before || start - before + MaxLineChars > decoded)
            {
                return null;
            }

            var shown = chars.AsSpan(start - before, MaxLineChars);
            return string.Concat(start > 0 ? "…" : string.Empty, shown, string.Create(CultureInfo.InvariantCulture, $"… [line cut: {length} characters]"));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private void AppendNote(string summary, long total, int end, string unit)
    {
        _text.Append('[').Append(summary);
        if (request.Offset >= total)
        {
            _text.Append(CultureInfo.InvariantCulture, $"; offset {request.Offset} is past the end");
        }
        else if (end < total || request.Offset > 0)
        {
            _text.Append(CultureInfo.InvariantCulture, $"; showing {unit} {request.Offset + 1}-{end}");
            if (end < total)
            {
                var budget = end - request.Offset < limit ? " (output size limit)" : string.Empty;
                _text.Append(CultureInfo.InvariantCulture, $"{budget}. {total - end} more: call grep again with offset={end}, or narrow the search with path, include or a more specific pattern");
            }
        }

        _text.Append('.');
        AppendSkipped(prefix: " ");
        _text.Append(']');
    }

    private void AppendSkipped(string prefix)
    {
        var parts = new List<string>();
        if (stats.Binary > 0)
        {
            parts.Add($"{Plural(stats.Binary, "binary file")}");
        }

        if (stats.TooLarge > 0)
        {
            parts.Add($"{Plural(stats.TooLarge, "file")} over {MaxFileBytes / (1024 * 1024)} MiB");
        }

        if (stats.Unreadable + stats.UnreadableFolders > 0)
        {
            parts.Add($"{stats.Unreadable + stats.UnreadableFolders} unreadable");
        }

        if (stats.TimedOut > 0)
        {
            parts.Add($"{Plural(stats.TimedOut, "file")} where the regex took too long (simplify nested quantifiers)");
        }

        if (stats.Withheld > 0)
        {
            parts.Add($"{Plural(stats.Withheld, "file")} the read permission rules keep out of search results (not searched; the user can read such a file explicitly, e.g. with view, which asks or is denied by the rules)");
        }

        if (parts.Count > 0)
        {
            _text.Append(prefix).Append("Skipped: ").Append(string.Join(", ", parts)).Append('.');
        }
    }

    /// <summary>Byte offsets where lines 1..<paramref name="upTo"/> start (index 0 is line 1).</summary>
    private static List<int> LineStarts(ReadOnlySpan<byte> text, int upTo)
    {
        var starts = new List<int> { 0 };
        var position = 0;
        while (starts.Count < upTo)
        {
            var newline = text[position..].IndexOf((byte)'\n');
            if (newline < 0 || position + newline + 1 >= text.Length)
            {
                break;
            }

            position += newline + 1;
            starts.Add(position);
        }

        return starts;
    }

    private static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> text, List<int> starts, int number)
    {
        var start = starts[number - 1];
        var end = number < starts.Count ? starts[number] - 1 : text.Length;
        var newline = text[start..end].IndexOf((byte)'\n');
        if (newline >= 0)
        {
            end = start + newline;
        }

        if (end > start && text[end - 1] == '\r')
        {
            end--;
        }

        return text[start..end];
    }

    private static string Plural(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
