using System.Globalization;
using AgentHost.Common.Hashing;

namespace AgentHost.Plugins.Files;

/// <summary>
/// What a file looked like when a tool read or wrote it: its size, last-write time and, for files small enough for the
/// write tools, a SHA-256 of its bytes. The hash decides when it is known, because last-write times can be too coarse
/// (FAT: 2 s, HFS+ and some network file systems: 1 s) to see a same-size edit made right after a read.
/// </summary>
/// <param name="Length">The size in bytes.</param>
/// <param name="LastWriteUtc">The last-write time.</param>
/// <param name="Hash">The SHA-256 of the content, or <see langword="null"/> for files over <see cref="MaxHashedBytes"/>.</param>
internal sealed record FileStamp(long Length, DateTime LastWriteUtc, byte[]? Hash)
{
    /// <summary>The largest file whose content is hashed (the write tools' limit).</summary>
    public const long MaxHashedBytes = TextFile.MaxBytes;

    /// <summary>The stamp of content just read from (or written to) <paramref name="fullPath"/>.</summary>
    /// <param name="fullPath">The file.</param>
    /// <param name="content">Its bytes.</param>
    /// <returns>The stamp.</returns>
    public static FileStamp Of(string fullPath, ReadOnlySpan<byte> content) =>
        new(content.Length, File.GetLastWriteTimeUtc(fullPath), Sha256.HashData(content));

    /// <summary>The stamp of a file as it is on disk now (reading it when it is small enough to hash).</summary>
    /// <param name="fullPath">The file.</param>
    /// <returns>The stamp.</returns>
    public static FileStamp Read(string fullPath)
    {
        var info = new FileInfo(fullPath);
        return info.Length > MaxHashedBytes ? new FileStamp(info.Length, info.LastWriteTimeUtc, null) : Of(fullPath, File.ReadAllBytes(fullPath));
    }

    /// <summary>How <paramref name="now"/> differs from this stamp, for a message; <see langword="null"/> when it is the same file content.</summary>
    /// <param name="now">The stamp of the file now.</param>
    /// <returns>The difference, or <see langword="null"/>.</returns>
    public string? DifferenceTo(FileStamp now)
    {
        if (Length != now.Length)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its size went from {Length} to {now.Length} bytes");
        }

        if (Hash is not null && now.Hash is not null)
        {
            return Hash.AsSpan().SequenceEqual(now.Hash) ? null : "its content is different, though its size is the same";
        }

        return LastWriteUtc == now.LastWriteUtc ? null : "its last-write time changed";
    }
}
