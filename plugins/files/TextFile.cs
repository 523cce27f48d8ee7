using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// A text file as the write tools see it: its content with line endings normalised to <c>\n</c>, plus what is needed
/// to write it back the way it was (encoding, byte order mark, dominant line ending).
/// </summary>
internal sealed class TextFile
{
    /// <summary>The largest file the write tools read.</summary>
    public const long MaxBytes = 5 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _bytes;
    private readonly Encoding _encoding;
    private readonly byte[] _preamble;

    private TextFile(byte[] bytes, FileStamp stamp, Encoding encoding, byte[] preamble, string text, string? newLine, bool mixed)
    {
        _bytes = bytes;
        Stamp = stamp;
        _encoding = encoding;
        _preamble = preamble;
        Text = text;
        NewLine = newLine;
        HasMixedLineEndings = mixed;
    }

    /// <summary>What the file looked like when it was read (for the read ledger).</summary>
    public FileStamp Stamp { get; }

    /// <summary>The content with every <c>\r\n</c> replaced by <c>\n</c>.</summary>
    public string Text { get; }

    /// <summary>The dominant line ending (<c>\n</c> or <c>\r\n</c>); <see langword="null"/> when the file has no line breaks.</summary>
    public string? NewLine { get; }

    /// <summary>Whether the file mixes <c>\n</c> and <c>\r\n</c> (writing it back makes them all <see cref="NewLine"/>).</summary>
    public bool HasMixedLineEndings { get; }

    /// <summary>A short name of the line ending style for messages.</summary>
    public string NewLineName => NewLine == "\r\n" ? "CRLF" : "LF";

    /// <summary>Reads a UTF-8 (with or without BOM) or UTF-16 text file.</summary>
    /// <param name="paths">The workspace (the file is read through a checked handle).</param>
    /// <param name="fullPath">The resolved path.</param>
    /// <param name="displayPath">The path as the model wrote it, for messages.</param>
    /// <returns>The file.</returns>
    /// <exception cref="ToolException">The file is too large, binary or not UTF-8/UTF-16 text.</exception>
    /// <param name="buffer">The file as the session's editor has it (<see cref="EditorBuffer"/>), read instead of the disk; <see langword="null"/> for the disk.</param>
    public static TextFile Read(WorkspacePaths paths, string fullPath, string displayPath, EditorBuffer? buffer = null)
    {
        var length = buffer?.Bytes.Length ?? new FileInfo(fullPath).Length;
        if (length > MaxBytes)
        {
            throw new ToolException($"'{displayPath}' is {length} bytes, over the {MaxBytes}-byte limit of the write tools.");
        }

        var bytes = buffer?.Bytes ?? ReadAllBytes(paths, fullPath, displayPath);
        var stamp = FileStamp.Of(fullPath, bytes);
        var (encoding, preamble) = DetectEncoding(bytes);
        if (encoding is UTF8Encoding && Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, 8192)) >= 0)
        {
            throw new ToolException($"'{displayPath}' is a binary file; the files tools only change text files.");
        }

        string raw;
        try
        {
            raw = encoding.GetString(bytes, preamble.Length, bytes.Length - preamble.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new ToolException($"'{displayPath}' is not valid UTF-8 or UTF-16 text; the files tools do not change files in other encodings.");
        }

        var (crlf, lf) = CountLineEndings(raw);
        var newLine = crlf == 0 && lf == 0 ? null : crlf > lf ? "\r\n" : "\n";
        return new TextFile(bytes, stamp, encoding, preamble, Normalise(raw), newLine, crlf > 0 && lf > 0);
    }

    /// <summary>The text of bytes the write tools made (<see cref="Encode"/>, or a new file's UTF-8), for an editor's write.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The text, without a byte order mark.</returns>
    public static string Decode(byte[] bytes)
    {
        var (encoding, preamble) = DetectEncoding(bytes);
        return encoding.GetString(bytes, preamble.Length, bytes.Length - preamble.Length);
    }

    /// <summary>Replaces every <c>\r\n</c> with <c>\n</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The normalised text.</returns>
    public static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The dominant line ending of <paramref name="text"/>, or <see langword="null"/> when it has none.</summary>
    /// <param name="text">The text.</param>
    /// <returns><c>\r\n</c>, <c>\n</c> or <see langword="null"/>.</returns>
    public static string? DominantNewLine(string text)
    {
        var (crlf, lf) = CountLineEndings(text);
        return crlf == 0 && lf == 0 ? null : crlf > lf ? "\r\n" : "\n";
    }

    /// <summary>Encodes normalised text the way this file is stored: same encoding, byte order mark and line ending.</summary>
    /// <param name="text">Text with <c>\n</c> line endings.</param>
    /// <param name="newLine">The line ending to use when the file had none.</param>
    /// <returns>The bytes to write.</returns>
    public byte[] Encode(string text, string? newLine = null)
    {
        var style = NewLine ?? newLine ?? "\n";
        var body = _encoding.GetBytes(style == "\n" ? text : text.Replace("\n", style, StringComparison.Ordinal));
        return [.. _preamble, .. body];
    }

    /// <summary>Whether <paramref name="bytes"/> are exactly the file's current content.</summary>
    /// <param name="bytes">The bytes about to be written.</param>
    /// <returns><see langword="true"/> when writing them would change nothing.</returns>
    public bool IsSameAs(byte[] bytes) => _bytes.AsSpan().SequenceEqual(bytes);

    /// <summary>
    /// Reads a whole file through a handle whose real path is checked to be inside the workspace before a byte is read
    /// (see <see cref="WorkspacePaths.OpenRead"/>), so a folder swapped for a link cannot make a tool read outside.
    /// </summary>
    /// <param name="paths">The workspace.</param>
    /// <param name="fullPath">The resolved path.</param>
    /// <param name="displayPath">The path for messages.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ToolException">The file now leads outside the workspace, or cannot be read.</exception>
    public static byte[] ReadAllBytes(WorkspacePaths paths, string fullPath, string displayPath)
    {
        try
        {
            using var stream = paths.OpenRead(fullPath);
            using var buffer = new MemoryStream(stream.CanSeek ? (int)Math.Min(stream.Length, int.MaxValue) : 0);
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ToolException($"could not read '{displayPath}': {ex.Message}");
        }
    }

    private static (Encoding Encoding, byte[] Preamble) DetectEncoding(byte[] bytes)
    {
        if (bytes is [0xEF, 0xBB, 0xBF, ..])
        {
            return (StrictUtf8, [0xEF, 0xBB, 0xBF]);
        }

        if (bytes is [0xFF, 0xFE, ..])
        {
            return (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), [0xFF, 0xFE]);
        }

        if (bytes is [0xFE, 0xFF, ..])
        {
            return (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), [0xFE, 0xFF]);
        }

        return (StrictUtf8, []);
    }

    private static (int Crlf, int Lf) CountLineEndings(string text)
    {
        int crlf = 0, lf = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                if (i > 0 && text[i - 1] == '\r')
                {
                    crlf++;
                }
                else
                {
                    lf++;
                }
            }
        }

        return (crlf, lf);
    }
}
