using System.Globalization;

namespace AgentHost.Sessions;

/// <summary>
/// Recognises the image formats models take (PNG, JPEG, GIF, WebP) by their first bytes — never by the file name —
/// and describes an image part in one readable line.
/// </summary>
public static class ImageFormats
{
    /// <summary>The largest image attached to a prompt, and stored with a session: 5 MiB.</summary>
    public const int DefaultMaxImageBytes = 5 * 1024 * 1024;

    /// <summary>How many leading bytes <see cref="Detect"/> needs.</summary>
    public const int HeaderLength = 12;

    /// <summary>The formats, for messages.</summary>
    public const string Names = "PNG, JPEG, GIF or WebP";

    private static ReadOnlySpan<byte> Png => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> Gif87 => "GIF87a"u8;

    private static ReadOnlySpan<byte> Gif89 => "GIF89a"u8;

    private static ReadOnlySpan<byte> Riff => "RIFF"u8;

    private static ReadOnlySpan<byte> Webp => "WEBP"u8;

    /// <summary>The media type of an image by its first bytes.</summary>
    /// <param name="header">The start of the file (at least <see cref="HeaderLength"/> bytes when the file is that long).</param>
    /// <returns><c>image/png</c>, <c>image/jpeg</c>, <c>image/gif</c>, <c>image/webp</c>, or <see langword="null"/> for anything else.</returns>
    public static string? Detect(ReadOnlySpan<byte> header) =>
        header.StartsWith(Png) ? "image/png"
        : header.StartsWith(Jpeg) ? "image/jpeg"
        : header.StartsWith(Gif87) || header.StartsWith(Gif89) ? "image/gif"
        : header.Length >= 12 && header.StartsWith(Riff) && header[8..12].SequenceEqual(Webp) ? "image/webp"
        : null;

    /// <summary>One line for people: <c>[image: shot.png, image/png, 123 KB]</c>.</summary>
    /// <param name="name">The image's name; <c>(unnamed)</c> when absent.</param>
    /// <param name="mediaType">Its media type.</param>
    /// <param name="length">Its size in bytes.</param>
    /// <returns>The line.</returns>
    public static string Describe(string? name, string mediaType, long length) =>
        $"[image: {(string.IsNullOrEmpty(name) ? "(unnamed)" : name)}, {mediaType}, {Size(length)}]";

    /// <summary>A size for people: <c>812 B</c>, <c>123 KB</c>, <c>4.2 MB</c> (1 KB = 1024 bytes).</summary>
    /// <param name="bytes">The size.</param>
    /// <returns>The text.</returns>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{(bytes + 1023) / 1024} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
    };
}
