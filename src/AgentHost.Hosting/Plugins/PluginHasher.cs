using System.Security.Cryptography;
using System.Text;

namespace AgentHost.Hosting.Plugins;

/// <summary>Computes the content hash that the lockfile records for an installed plugin folder.</summary>
/// <remarks>
/// SHA-512 over every file below the folder, in ordinal order of the relative path with <c>/</c> separators:
/// for each file, the UTF-8 path, a zero byte, the length as 8 little-endian bytes, then the content. Renaming,
/// adding, removing or changing any file changes the hash. Written as <c>sha512-</c> followed by lowercase hex.
/// </remarks>
public static class PluginHasher
{
    /// <summary>The prefix of hash strings.</summary>
    public const string Prefix = "sha512-";

    /// <summary>Hashes a plugin folder.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The hash text.</returns>
    public static string ComputeHash(string directory, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(directory);
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false })
            .Select(f => (Full: f, Relative: Path.GetRelativePath(root, f).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        Span<byte> header = stackalloc byte[9];
        var buffer = new byte[81920];
        foreach (var (full, relative) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            hash.AppendData(Encoding.UTF8.GetBytes(relative));
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            header[0] = 0;
            BitConverter.TryWriteBytes(header[1..], stream.Length);
            hash.AppendData(header);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
