using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace AgentHost.Hosting.Plugins.Caches;

/// <summary>Computes the content hash that the lockfile records for an installed plugin folder.</summary>
/// <remarks>
/// SHA-512 over every file below the folder, in ordinal order of the relative path with <c>/</c> separators:
/// for each file, the UTF-8 path, a zero byte, the length as 8 little-endian bytes, then the content. Renaming,
/// adding, removing or changing any file changes the hash. Written as <c>sha512-</c> followed by lowercase hex.
/// A symbolic link (to a file or a folder) is hashed as its path, a zero byte, <c>link:</c> and its target, and never
/// followed: a link cannot make the hash read files outside the plugin, nor loop (an install copies files, not links,
/// so an installed plugin with a link was changed after install and is refused by its hash).
/// </remarks>
public static class PluginHasher
{
    /// <summary>The prefix of hash strings.</summary>
    public const string Prefix = "sha512-";

    private const int BufferSize = 81920;

    /// <summary>Hashes a plugin folder.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The hash text.</returns>
    public static string ComputeHash(string directory, CancellationToken cancellationToken = default)
    {
        var entries = Entries(directory);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        Span<byte> header = stackalloc byte[9];
        // A pooled buffer: every run checks each installed plugin's hash, and a new 80 KB buffer per plugin was most
        // of what 100 installed plugins allocated (and kept resident: a short run collects nothing).
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            foreach (var (relative, info) in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(Encoding.UTF8.GetBytes(relative));
                if (info.LinkTarget is { } target)
                {
                    hash.AppendData([0]);
                    hash.AppendData(Encoding.UTF8.GetBytes("link:" + target));
                    continue;
                }

                using var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                header[0] = 0;
                BitConverter.TryWriteBytes(header[1..], stream.Length);
                hash.AppendData(header);
                int read;
                while ((read = stream.Read(buffer, 0, BufferSize)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// What the hash covers: every file and link below <paramref name="directory"/> (real folders are recursed into,
    /// links never followed), by relative path with <c>/</c> separators, in ordinal order. <see cref="PluginStamps"/>
    /// stamps exactly these.
    /// </summary>
    /// <param name="directory">The plugin folder.</param>
    /// <returns>The entries.</returns>
    internal static List<(string Relative, FileSystemInfo Info)> Entries(string directory) => Entries(directory, null);

    /// <summary><see cref="Entries(string)"/>, also listing every real folder walked (the root as <c>""</c>) in <paramref name="folders"/>.</summary>
    /// <param name="directory">The plugin folder.</param>
    /// <param name="folders">Receives the folders' relative paths (<c>/</c> separators), in walk order; <see langword="null"/> for none.</param>
    /// <returns>The entries.</returns>
    internal static List<(string Relative, FileSystemInfo Info)> Entries(string directory, List<string>? folders)
    {
        var root = Path.GetFullPath(directory);
        var entries = new List<(string Relative, FileSystemInfo Info)>();
        folders?.Add(string.Empty);
        Collect(new DirectoryInfo(root), root, entries, folders);
        entries.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        return entries;
    }

    /// <summary>Every file and link below <paramref name="folder"/>, recursing into real folders only.</summary>
    private static void Collect(DirectoryInfo folder, string root, List<(string Relative, FileSystemInfo Info)> entries, List<string>? folders)
    {
        foreach (var entry in folder.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }))
        {
            if (entry is DirectoryInfo directory && entry.LinkTarget is null)
            {
                folders?.Add(Path.GetRelativePath(root, directory.FullName).Replace('\\', '/'));
                Collect(directory, root, entries, folders);
            }
            else
            {
                entries.Add((Path.GetRelativePath(root, entry.FullName).Replace('\\', '/'), entry));
            }
        }
    }
}
