using System.IO.Compression;
using System.Xml;
using System.Xml.Linq;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
using NuGet.Versioning;

namespace AgentHost.Installation;

/// <summary>Reads and safely extracts plugin packages (<c>.nupkg</c> zip files).</summary>
/// <remarks>
/// Extraction skips NuGet's packaging metadata (<c>[Content_Types].xml</c>, <c>_rels/</c>, <c>package/</c>, the root
/// <c>*.nuspec</c> and <c>.signature.p7s</c>), refuses entries that would land outside the destination (zip-slip) and
/// caps the entry count and the total extracted size. Stateless and thread-safe.
/// </remarks>
internal static class NupkgExtractor
{
    /// <summary>The default cap on the total extracted size: 512 MiB.</summary>
    public const long DefaultMaxTotalBytes = 512L * 1024 * 1024;

    /// <summary>The default cap on the number of entries.</summary>
    public const int DefaultMaxEntries = 20_000;

    /// <summary>Extracts a package into <paramref name="destination"/> (created when missing).</summary>
    /// <param name="packagePath">The .nupkg file.</param>
    /// <param name="destination">The folder to fill.</param>
    /// <param name="displayName">How to name the package in messages (its path or URL).</param>
    /// <param name="maxTotalBytes">The largest total size of extracted files.</param>
    /// <param name="maxEntries">The largest number of entries.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="AgentHostException">The package is corrupt, unsafe or too large.</exception>
    public static void Extract(
        string packagePath,
        string destination,
        string displayName,
        long maxTotalBytes = DefaultMaxTotalBytes,
        int maxEntries = DefaultMaxEntries,
        CancellationToken cancellationToken = default)
    {
        using var archive = Open(packagePath, displayName);
        if (archive.Entries.Count > maxEntries)
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"{displayName}: the package has {archive.Entries.Count} entries, more than the {maxEntries} allowed; refusing to install it.");
        }

        RejectLinks(archive, displayName);
        var root = Path.GetFullPath(destination);
        var rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(root);
        var written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long total = 0;
        var buffer = new byte[81920];
        foreach (var entry in archive.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = EntryName(entry);
            if (name.Length == 0 || IsPackagingMetadata(name))
            {
                continue;
            }

            var target = Path.GetFullPath(Path.Combine(root, name));
            if (!IsSafeEntryName(name) || !target.StartsWith(rootWithSeparator, StringComparison.Ordinal))
            {
                throw new AgentHostException(
                    ErrorKind.Plugin,
                    $"{displayName}: package entry '{entry.FullName}' points outside the plugin folder (absolute path or '..'); refusing to install this package. It is corrupt or malicious; ask its publisher for a fixed version.");
            }

            if (name.EndsWith('/'))
            {
                Directory.CreateDirectory(target);
                continue;
            }

            if (!written.Add(name))
            {
                throw new AgentHostException(ErrorKind.Plugin, $"{displayName}: package entry '{entry.FullName}' appears twice; refusing to install a corrupt package.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try
            {
                using var input = entry.Open();
                using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
                int read;
                while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
                {
                    total += read;
                    if (total > maxTotalBytes)
                    {
                        throw new AgentHostException(
                            ErrorKind.Plugin,
                            $"{displayName}: the package expands to more than {maxTotalBytes / (1024 * 1024)} MiB; refusing to install it.");
                    }

                    output.Write(buffer, 0, read);
                }
            }
            catch (InvalidDataException ex)
            {
                throw new AgentHostException(ErrorKind.Plugin, $"{displayName}: package entry '{entry.FullName}' is corrupt ({ex.Message}). Download the package again.", ex);
            }
        }
    }

    /// <summary>Unix mode bits of a zip entry made on Unix (the high 16 bits of its external attributes).</summary>
    private const int UnixFileTypeMask = 0xF000;

    /// <summary>The Unix file type of a symbolic link.</summary>
    private const int UnixSymbolicLink = 0xA000;

    /// <summary>Refuses a package holding a symbolic link before anything is written: plugins may not contain links.</summary>
    private static void RejectLinks(ZipArchive archive, string displayName)
    {
        foreach (var entry in archive.Entries)
        {
            if (((entry.ExternalAttributes >> 16) & UnixFileTypeMask) != UnixSymbolicLink)
            {
                continue;
            }

            string target;
            try
            {
                using var reader = new StreamReader(entry.Open());
                var buffer = new char[1024];
                target = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length));
            }
            catch (InvalidDataException)
            {
                target = "?";
            }

            throw new AgentHostException(
                ErrorKind.Plugin,
                $"package {displayName} contains a symbolic link {entry.FullName} → {target}; plugins may not contain links. Nothing was installed; ask its publisher for a package with the real files.");
        }
    }

    /// <summary>Reads the package identity from its root <c>.nuspec</c>.</summary>
    /// <param name="packagePath">The .nupkg file.</param>
    /// <returns>The id and version, or <see langword="null"/> when the package has no readable nuspec.</returns>
    /// <exception cref="AgentHostException">The file is not a zip archive.</exception>
    public static (string Id, NuGetVersion Version)? ReadIdentity(string packagePath)
    {
        using var archive = Open(packagePath, packagePath);
        var nuspec = archive.Entries.FirstOrDefault(e => !e.FullName.Contains('/', StringComparison.Ordinal)
            && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase));
        if (nuspec is null)
        {
            return null;
        }

        try
        {
            using var stream = nuspec.Open();
            var document = XDocument.Load(stream);
            var metadata = document.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata");
            var id = metadata?.Elements().FirstOrDefault(e => e.Name.LocalName == "id")?.Value.Trim();
            var versionText = metadata?.Elements().FirstOrDefault(e => e.Name.LocalName == "version")?.Value.Trim();
            return !string.IsNullOrEmpty(id) && NuGetVersion.TryParse(versionText, out var version) ? (id, version) : null;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>Reads the text of the root <c>plugin.yaml</c>.</summary>
    /// <param name="packagePath">The .nupkg file.</param>
    /// <returns>The text, or <see langword="null"/> when the package has no manifest.</returns>
    /// <exception cref="AgentHostException">The file is not a zip archive.</exception>
    public static string? ReadManifestText(string packagePath)
    {
        using var archive = Open(packagePath, packagePath);
        var entry = archive.GetEntry(PluginManifest.FileName);
        if (entry is null)
        {
            return null;
        }

        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    /// <summary>Whether an entry name is a relative path without <c>..</c> segments.</summary>
    /// <param name="name">The entry name with <c>/</c> separators.</param>
    /// <returns><see langword="true"/> when safe.</returns>
    internal static bool IsSafeEntryName(string name) =>
        !name.StartsWith('/')
        && !Path.IsPathRooted(name)
        && !(name.Length >= 2 && name[1] == ':')
        && !name.Split('/').Contains("..", StringComparer.Ordinal);

    private static string EntryName(ZipArchiveEntry entry)
    {
        var name = entry.FullName.Replace('\\', '/');
        return name.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(name) : name;
    }

    private static bool IsPackagingMetadata(string name) =>
        name.Equals("[Content_Types].xml", StringComparison.OrdinalIgnoreCase)
        || name.Equals(".signature.p7s", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("_rels/", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("package/", StringComparison.OrdinalIgnoreCase)
        || (!name.Contains('/', StringComparison.Ordinal) && name.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase));

    private static ZipArchive Open(string packagePath, string displayName)
    {
        try
        {
            return ZipFile.OpenRead(packagePath);
        }
        catch (InvalidDataException ex)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"{displayName}: not a valid .nupkg (zip) file ({ex.Message}).", ex);
        }
    }
}
