using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// The <c>view</c> tool: numbered lines of a text file, a page at a time. Records the file in the session's read ledger.
/// </summary>
internal static class ViewTool
{
    /// <summary>Lines longer than this are cut.</summary>
    public const int MaxLineLength = 2000;

    /// <summary>The most characters of numbered lines in one result (the rest is left for the next page).</summary>
    public const int MaxOutputChars = 30_000;

    /// <summary>Files up to this size are read whole (line count known, content hashed); larger ones are paged by streaming.</summary>
    public const long MaxWholeFileBytes = TextFile.MaxBytes;

    /// <summary>The most lines one call shows.</summary>
    public const int MaxLimit = 2000;

    private const int ProbeBytes = 8192;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<string> RunAsync(FileToolCall call, string path, int offset, int limit, CancellationToken cancellationToken = default)
    {
        var paths = call.Paths;
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ToolException("path is empty; give a file path relative to the project root.");
        }

        var full = paths.Resolve(path) ?? throw new ToolException($"'{path}' is outside the project root; view files inside {paths.Root}.");
        if (Directory.Exists(full))
        {
            throw new ToolException($"'{path}' is a directory; use ls to list it.");
        }

        if (!File.Exists(full))
        {
            throw new ToolException($"no file '{path}' in the project.{NearbyNames.DidYouMean(paths, full, cancellationToken)}");
        }

        AgentIgnore.Check(paths, full, path, "read");
        var relative = paths.Relative(full);
        var first = Math.Max(1, offset);
        var count = Math.Clamp(limit, 1, MaxLimit);
        var length = new FileInfo(full).Length;
        // An editor that serves files shows its buffer (unsaved changes included), whatever the size on disk.
        var buffer = await EditorBuffer.ReadAsync(call, full, path, cancellationToken).ConfigureAwait(false);
        return buffer is null && length > MaxWholeFileBytes
            ? Stream(call, full, relative, length, first, count, cancellationToken)
            : Whole(call, full, relative, first, count, buffer?.Bytes);
    }

    private static string Whole(FileToolCall call, string full, string relative, int first, int count, byte[]? buffer)
    {
        var bytes = buffer ?? TextFile.ReadAllBytes(call.Paths, full, relative);
        call.RecordViewed(full, FileStamp.Of(full, bytes));
        var (encoding, preamble) = Detect(bytes);
        if (encoding is UTF8Encoding && Array.IndexOf(bytes, (byte)0) >= 0)
        {
            return Binary(relative, bytes.Length, "it contains NUL bytes");
        }

        string text;
        try
        {
            text = encoding.GetString(bytes, preamble, bytes.Length - preamble);
        }
        catch (DecoderFallbackException)
        {
            return Binary(relative, bytes.Length, encoding is UTF8Encoding ? "it is not valid UTF-8" : "it is not valid UTF-16");
        }

        if (text.Length == 0)
        {
            return $"[the file '{relative}' is empty]";
        }

        var lines = text.Split('\n');
        var total = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        if (first > total)
        {
            return string.Create(CultureInfo.InvariantCulture, $"[the file has {total} lines; offset {first} is past the end]");
        }

        var builder = new StringBuilder();
        var last = first - 1;
        var end = Math.Min(total, first + count - 1);
        while (last < end && Append(builder, last + 1, lines[last]))
        {
            last++;
        }

        if (last < total)
        {
            builder.Append(CultureInfo.InvariantCulture, $"[lines {first}-{last} of {total}{CutNote(last, end)}; continue with offset {last + 1}]\n");
        }

        return builder.ToString().TrimEnd('\n');
    }

    private static FileStream OpenChecked(WorkspacePaths paths, string full, string relative)
    {
        try
        {
            return paths.OpenRead(full, 64 * 1024);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ToolException($"could not read '{relative}': {ex.Message}");
        }
    }

    /// <summary>A file too large to read whole: reads only up to the page, never counts all lines.</summary>
    private static string Stream(FileToolCall call, string full, string relative, long length, int first, int count, CancellationToken cancellationToken)
    {
        using var stream = OpenChecked(call.Paths, full, relative);
        var head = new byte[ProbeBytes];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        call.RecordViewed(full, new FileStamp(length, File.GetLastWriteTimeUtc(full), null));
        var (encoding, preamble) = Detect(head.AsSpan(0, read).ToArray());
        if (encoding is UTF8Encoding && Array.IndexOf(head, (byte)0, 0, read) >= 0)
        {
            return Binary(relative, length, "it contains NUL bytes");
        }

        stream.Position = preamble;
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        var builder = new StringBuilder();
        int number = 0, last = first - 1;
        try
        {
            for (var line = ReadLine(reader); line is not null; line = ReadLine(reader))
            {
                if (++number < first)
                {
                    if (number % 10_000 == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    continue;
                }

                if (number >= first + count || !Append(builder, number, line))
                {
                    break;
                }

                last = number;
            }
        }
        catch (DecoderFallbackException)
        {
            return Binary(relative, length, encoding is UTF8Encoding ? "it is not valid UTF-8" : "it is not valid UTF-16");
        }

        if (number < first)
        {
            return string.Create(CultureInfo.InvariantCulture, $"[the file has {number} lines; offset {first} is past the end]");
        }

        var size = length.ToString("N0", CultureInfo.InvariantCulture);
        return reader.EndOfStream && number == last
            ? builder.Append(CultureInfo.InvariantCulture, $"[lines {first}-{last} of {last}]").ToString()
            : builder.Append(CultureInfo.InvariantCulture,
                $"[lines {first}-{last}; the file is {size} bytes, too large to count its lines{CutNote(last, first + count - 1)}; continue with offset {last + 1}]").ToString();
    }

    /// <summary>Appends a numbered line unless the page is full; the first line of a page is always shown.</summary>
    private static bool Append(StringBuilder builder, int number, string line)
    {
        if (line.EndsWith('\r'))
        {
            line = line[..^1];
        }

        var shown = line.Length > MaxLineLength
            ? string.Create(CultureInfo.InvariantCulture, $"{line[..MaxLineLength]} [… line cut: {line.Length - MaxLineLength} more characters …]")
            : line;
        if (builder.Length > 0 && builder.Length + shown.Length + 8 > MaxOutputChars)
        {
            return false;
        }

        builder.Append(CultureInfo.InvariantCulture, $"{number,6}\t").Append(shown).Append('\n');
        return true;
    }

    private static string CutNote(int last, int end) =>
        last < end ? string.Create(CultureInfo.InvariantCulture, $" (page cut at {MaxOutputChars:N0} characters)") : string.Empty;

    private static string? ReadLine(StreamReader reader)
    {
        // StreamReader.ReadLine also breaks at a lone '\r'; the write tools only treat '\n' as a line break, so must view.
        var builder = new StringBuilder();
        int next;
        while ((next = reader.Read()) >= 0)
        {
            if (next == '\n')
            {
                return builder.ToString();
            }

            builder.Append((char)next);
        }

        return builder.Length > 0 ? builder.ToString() : null;
    }

    private static string Binary(string relative, long length, string why) =>
        string.Create(CultureInfo.InvariantCulture, $"'{relative}' is a binary file ({length:N0} bytes; {why}); it cannot be shown as text.");

    private static (Encoding Encoding, int Preamble) Detect(byte[] bytes) => bytes switch
    {
        [0xEF, 0xBB, 0xBF, ..] => (StrictUtf8, 3),
        [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2),
        [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2),
        _ => (StrictUtf8, 0),
    };
}
