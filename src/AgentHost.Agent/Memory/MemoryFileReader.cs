using System.Text;

namespace AgentHost.Agent.Memory;

/// <summary>
/// Reads one memory file as text: byte order marks removed (UTF-8, UTF-16), line ends normalised to <c>\n</c>,
/// surrounding blank lines trimmed, cut to a character cap. Binary, undecodable, oversized and unreadable files
/// are refused with a reason.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class MemoryFileReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a file.</summary>
    /// <param name="fullPath">The file.</param>
    /// <param name="displayPath">The path shown to the model.</param>
    /// <param name="options">The caps.</param>
    /// <param name="file">The file, when readable.</param>
    /// <param name="problem">Why it was not, when not (names the file).</param>
    /// <returns>Whether the file was read.</returns>
    public static bool TryRead(string fullPath, string displayPath, ProjectMemoryOptions options, out MemoryFile? file, out string? problem)
    {
        file = null;
        problem = null;
        string text;
        try
        {
            var info = new FileInfo(fullPath);
            if (info.Length > options.MaxFileBytes)
            {
                problem = $"memory file {displayPath} is {info.Length:N0} bytes, over the {options.MaxFileBytes:N0}-byte limit; skipped. Shorten it or move detail into files the agent can read on demand.";
                return false;
            }

            var bytes = File.ReadAllBytes(fullPath);
            text = Decode(bytes);
        }
        catch (DecoderFallbackException)
        {
            problem = $"memory file {displayPath} is not UTF-8 text; skipped. Save it as UTF-8.";
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"memory file {displayPath} could not be read ({ex.Message}); skipped.";
            return false;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            problem = $"memory file {displayPath} looks binary (it contains NUL characters); skipped.";
            return false;
        }

        text = Normalise(text);
        var original = text.Length;
        var truncated = original > options.MaxFileCharacters;
        if (truncated)
        {
            var cut = options.MaxFileCharacters;
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            text = text[..cut].TrimEnd();
        }

        file = new MemoryFile(fullPath, displayPath, text, truncated, original);
        return true;
    }

    /// <summary>Line ends to <c>\n</c>; leading empty lines and trailing white space removed.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The normalised text.</returns>
    public static string Normalise(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim('\n').TrimEnd();

    private static string Decode(byte[] bytes)
    {
        if (bytes is [0xEF, 0xBB, 0xBF, ..])
        {
            return StrictUtf8.GetString(bytes, 3, bytes.Length - 3);
        }

        if (bytes is [0xFF, 0xFE, ..])
        {
            return new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true).GetString(bytes, 2, bytes.Length - 2);
        }

        if (bytes is [0xFE, 0xFF, ..])
        {
            return new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true).GetString(bytes, 2, bytes.Length - 2);
        }

        return StrictUtf8.GetString(bytes);
    }
}
