using System.Text;

namespace AgentHost.Hosting.Text;

/// <summary>
/// Reads a small text file whole, as <see cref="File.ReadAllText(string)"/> does (UTF-8 unless a byte order mark says
/// UTF-16 or UTF-32; the mark is not part of the text; invalid bytes become U+FFFD), for the files every run reads: each
/// skill's <c>SKILL.md</c>, each installed plugin's manifest, hooks and server files, the configuration files.
/// </summary>
/// <remarks>
/// <see cref="File.ReadAllText(string)"/> reads through a <see cref="StreamReader"/> with 4 KB of bytes and 8 KB of
/// characters of buffers, about 14 KB for a 1 KB file; this reads the bytes once and decodes them (about 3 KB), and a
/// short run keeps all it allocates (33036a48:docs/benchmarks.md, "#50: what 100 installed plugins allocate").
/// </remarks>
public static class TextFiles
{
    /// <summary>Reads the text of a file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The text, without a byte order mark.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static string Read(string path) => Decode(File.ReadAllBytes(path));

    /// <summary>Decodes the bytes of a text file as <see cref="Read"/> does.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The text, without a byte order mark.</returns>
    public static string Decode(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [0xEF, 0xBB, 0xBF, ..] => Encoding.UTF8.GetString(bytes[3..]),
        [0xFF, 0xFE, 0x00, 0x00, ..] => Encoding.UTF32.GetString(bytes[4..]),
        [0xFF, 0xFE, ..] => Encoding.Unicode.GetString(bytes[2..]),
        [0xFE, 0xFF, ..] => Encoding.BigEndianUnicode.GetString(bytes[2..]),
        [0x00, 0x00, 0xFE, 0xFF, ..] => new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetString(bytes[4..]),
        _ => Encoding.UTF8.GetString(bytes),
    };
}
