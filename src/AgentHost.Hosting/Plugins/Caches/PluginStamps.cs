using System.Buffers;
using System.Text;
using System.Text.Json;
using AgentHost.Common.Hashing;
using AgentHost.Hosting.Plugins.Manifests;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Plugins.Caches;

/// <summary>
/// The files of one plugin folder as stamped at one moment: what <see cref="PluginHasher"/> covers, each with its
/// <see cref="FileStat"/>, in the hasher's order, and every real folder it walked with its own.
/// </summary>
/// <param name="Directory">The full path of the folder.</param>
/// <param name="Files">The files and links by relative path.</param>
/// <param name="Folders">The folders by relative path (the root as <c>""</c>): a file added, removed or renamed in one changes its stat.</param>
/// <param name="Racy">
/// Whether a file changed so recently (<see cref="FileStat.RacyWindow"/>) that a change right after the stamp could
/// keep its times: such a stamp is never recorded.
/// </param>
internal sealed record FolderStamp(string Directory, IReadOnlyList<(string Relative, FileStat Stat)> Files, IReadOnlyList<(string Relative, FileStat Stat)> Folders, bool Racy);

/// <summary>
/// The record of plugin folders whose content hash was verified (<c>cache/plugin-verified/</c> under the data folder),
/// so that a run skips re-hashing a folder whose files provably did not change since: each recorded file and folder
/// with the same device, inode, size, modification time and inode change time (ctime) as when its hash matched the
/// lockfile. The check stats only what the record lists (no folder is listed): a file added, removed or renamed
/// changes the modification and change times of the folder that holds it, and every folder is recorded.
/// </summary>
/// <remarks>
/// <para>
/// Why this cannot be forged by an unprivileged process: changing a file's content, replacing it (a new inode), or
/// adding, removing or renaming a file changes the stamp; <c>touch</c> and <c>utimensat</c> set the modification time
/// back but set the ctime to now, and only the kernel sets a ctime (changing the clock needs privilege). A file that
/// changed within <see cref="FileStat.RacyWindow"/> of the stamp (timestamps are kept at the kernel's coarse tick, a few ms) is
/// not recorded, as git does with its "racily clean" entries: its plugin is hashed again next run. The record lives
/// beside the lockfile under the data folder (a protected path, like the lockfile and the plugins folder): whoever
/// can write it could rewrite <c>plugins.lock.json</c> as well.
/// </para>
/// <para>
/// Linux only (<c>statx(2)</c>; .NET exposes neither inode numbers nor ctimes): elsewhere every run hashes. Each record
/// is a <see cref="KeyedCacheFile{TEntry}"/> of one entry keyed by the folder's full path. A missing, unreadable,
/// malformed or foreign record (another folder, another hash, another format) means "hash it"; a successful hash then
/// writes it again (temporary file and rename). Thread-safe: one file per folder.
/// </para>
/// </remarks>
internal sealed partial class PluginStamps
{
    /// <summary>
    /// The record's format version (2: the folders are recorded too, and the check lists no folder; 3: the record is
    /// keyed by its folder, <c>{"verified": {"/full/path": {…}}}</c>).
    /// </summary>
    internal const int FormatVersion = 3;

    /// <summary>A record: the folder's hash, the kept manifest (when any), its files' and folders' stats (as arrays), each kept as read.</summary>
    private static readonly KeyedCacheFormat<Verification> Format = new("Plugin verification record", FormatVersion, "verified", static (_, element) => Read(element), Write)
    {
        MaxEntries = 0,
    };

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private int _skipped;
    private int _recorded;
    private int _manifestsKept;

    /// <summary>Creates the record over <paramref name="folder"/>.</summary>
    /// <param name="folder">The folder of the record files.</param>
    /// <param name="logger">Where an ignored record or a failed write is reported (debug).</param>
    /// <param name="time">The clock the racy window is measured on; the system's by default.</param>
    public PluginStamps(string folder, ILogger logger, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(logger);
        Folder = folder;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Whether stamps can be taken on this system (Linux with <c>statx</c>).</summary>
    public static bool Supported => LinuxFileStat.Available;

    /// <summary>The folder of the record files.</summary>
    public string Folder { get; }

    /// <summary>How many checks passed on their stamp, without reading the plugin's files.</summary>
    public int Skipped => Volatile.Read(ref _skipped);

    /// <summary>How many verified stamps were recorded.</summary>
    public int Recorded => Volatile.Read(ref _recorded);

    /// <summary>How many manifests were taken from records instead of the plugins' files.</summary>
    public int ManifestsKept => Volatile.Read(ref _manifestsKept);

    /// <summary>Stamps <paramref name="directory"/>'s files now, or returns <see langword="null"/> when one cannot be stamped (then hash).</summary>
    /// <param name="directory">The plugin folder.</param>
    /// <returns>The stamp.</returns>
    public FolderStamp? Take(string directory)
    {
        if (!Supported)
        {
            return null;
        }

        // The clock is read before the files: a file changed after it has a ctime past the racy limit or, when it was
        // older, a ctime different from the one stamped.
        var limit = FileStat.RacyLimit(_time);
        try
        {
            var root = Path.GetFullPath(directory);
            var folderNames = new List<string>();
            var entries = PluginHasher.Entries(root, folderNames);
            var files = new (string, FileStat)[entries.Count];
            var folders = new (string, FileStat)[folderNames.Count];
            var racy = false;
            for (var i = 0; i < entries.Count; i++)
            {
                if (!LinuxFileStat.TryStat(entries[i].Info.FullName, out var stat))
                {
                    return null;
                }

                files[i] = (entries[i].Relative, stat);
                racy |= stat.IsRacy(limit);
            }

            for (var i = 0; i < folderNames.Count; i++)
            {
                if (!LinuxFileStat.TryStat(PathOf(root, folderNames[i]), out var stat))
                {
                    return null;
                }

                folders[i] = (folderNames[i], stat);
                racy |= stat.IsRacy(limit);
            }

            return new FolderStamp(root, files, folders, racy);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the record says <paramref name="directory"/> hashed to <paramref name="expectedHash"/> and every file and
    /// folder it lists still has the stat recorded: then nothing in the folder changed since (see the class remarks),
    /// and neither its files nor its folders are read or listed.
    /// </summary>
    /// <param name="directory">The plugin folder.</param>
    /// <param name="expectedHash">The lockfile's hash.</param>
    /// <returns><see langword="true"/> when the hash need not be computed.</returns>
    public bool Verified(string directory, string expectedHash) => Verified(directory, expectedHash, out _);

    /// <summary>
    /// <see cref="Verified(string, string)"/>, and the plugin's manifest as the record keeps it (a Claude Code plugin's,
    /// written by this build of the host: <see cref="PluginManifestJson"/>), or <see langword="null"/>.
    /// </summary>
    /// <param name="directory">The plugin folder.</param>
    /// <param name="expectedHash">The lockfile's hash.</param>
    /// <param name="manifest">The kept manifest, only when the folder is verified.</param>
    /// <returns><see langword="true"/> when the hash need not be computed.</returns>
    public bool Verified(string directory, string expectedHash, out PluginManifest? manifest)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(expectedHash);
        manifest = null;
        if (!Supported)
        {
            return false;
        }

        var root = Path.GetFullPath(directory);
        if (!Open(root).TryGet(root, out var record, r => r.Hash == expectedHash && Unchanged(r, root)))
        {
            return false;
        }

        manifest = KeptManifest(record, root);
        if (manifest is not null)
        {
            Interlocked.Increment(ref _manifestsKept);
        }

        Interlocked.Increment(ref _skipped);
        return true;
    }

    /// <summary>Records that the folder, as <paramref name="stamp"/> (taken before hashing) saw it, hashed to <paramref name="hash"/>; not when the stamp is racy.</summary>
    /// <param name="stamp">The stamp taken before the hash was computed.</param>
    /// <param name="hash">The computed hash, equal to the lockfile's.</param>
    /// <param name="manifest">
    /// The plugin's manifest, read after <paramref name="stamp"/> was taken, kept in the record when it is of a kind
    /// kept (<see cref="PluginManifestJson.Keeps"/>); <see langword="null"/> for none.
    /// </param>
    public void Record(FolderStamp stamp, string hash, PluginManifest? manifest = null)
    {
        ArgumentNullException.ThrowIfNull(stamp);
        ArgumentNullException.ThrowIfNull(hash);
        if (stamp.Racy)
        {
            return;
        }

        var kept = manifest is not null && PluginManifestJson.Keeps(manifest) ? manifest : null;
        if (Save(stamp.Directory, new Verification(hash, ManifestElement(kept), Element(w => WriteStats(w, stamp.Files)), Element(w => WriteStats(w, stamp.Folders)))))
        {
            Interlocked.Increment(ref _recorded);
        }
    }

    /// <summary>
    /// Adds <paramref name="manifest"/> to the record of a folder that <see cref="Verified(string, string, out PluginManifest?)"/>
    /// just passed without a kept manifest (written before manifests were kept, by another build, or unreadable), so
    /// the next load takes it from there. The manifest must have been read after that check: any change to the
    /// folder since changes a stamp the record lists, and the record then passes no more. The stamps are copied as
    /// recorded; nothing is written when the record no longer is of this folder and hash.
    /// </summary>
    /// <param name="directory">The plugin folder.</param>
    /// <param name="expectedHash">The lockfile's hash.</param>
    /// <param name="manifest">The manifest read from the folder after the check.</param>
    public void Keep(string directory, string expectedHash, PluginManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (!Supported || !PluginManifestJson.Keeps(manifest))
        {
            return;
        }

        var root = Path.GetFullPath(directory);
        var file = Open(root);
        if (file.TryGet(root, out var record, r => r.Hash == expectedHash))
        {
            file.Set(root, record with { Manifest = ManifestElement(manifest) });
            file.SaveIfChanged();
        }
    }

    /// <summary>The record file of a folder: named after the SHA-256 of its full path (managed: no OpenSSL load), the path itself inside.</summary>
    internal string FileOf(string directory) =>
        Path.Combine(Folder, Convert.ToHexStringLower(Sha256.HashData(Encoding.UTF8.GetBytes(directory)))[..32] + ".json");

    /// <summary>The build whose manifest reader wrote a kept manifest: another build's is not used (its reader's rules may differ).</summary>
    private static readonly string HostBuild = typeof(PluginStamps).Module.ModuleVersionId.ToString("N");

    /// <summary>The record's manifest when it keeps one written by this build; a malformed one is logged and ignored.</summary>
    private PluginManifest? KeptManifest(Verification record, string root)
    {
        if (record.Manifest is not { ValueKind: JsonValueKind.Object } kept
            || !kept.TryGetProperty("build", out var build) || build.GetString() != HostBuild)
        {
            return null;
        }

        try
        {
            return PluginManifestJson.Read(kept);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            var path = FileOf(root);
            LogIgnored(path, "its manifest: " + ex.Message);
            return null;
        }
    }

    /// <summary>The record file of <paramref name="root"/> (one entry, keyed by the folder: another folder's file is not used).</summary>
    private KeyedCacheFile<Verification> Open(string root) => new(FileOf(root), Format, _logger);

    /// <summary>Writes <paramref name="record"/> as the folder's only entry; whether it was written.</summary>
    private bool Save(string root, Verification record)
    {
        var file = Open(root);
        file.Set(root, record);
        return file.SaveIfChanged();
    }

    /// <summary>A record's parts, each an element as read: what was written is written again, and what is checked is checked in place.</summary>
    private static Verification? Read(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("sha512", out var hash) && hash.ValueKind == JsonValueKind.String
        && element.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array
        && element.TryGetProperty("folders", out var folders) && folders.ValueKind == JsonValueKind.Array
            ? new Verification(hash.GetString()!, element.TryGetProperty("manifest", out var manifest) ? manifest : null, files, folders)
            : null;

    private static void Write(Utf8JsonWriter writer, Verification record)
    {
        writer.WriteStartObject();
        writer.WriteString("sha512", record.Hash);
        if (record.Manifest is { } manifest)
        {
            writer.WritePropertyName("manifest");
            manifest.WriteTo(writer);
        }

        writer.WritePropertyName("files");
        record.Files.WriteTo(writer);
        writer.WritePropertyName("folders");
        record.Folders.WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <summary>A manifest to keep, with the build that wrote it; <see langword="null"/> for none.</summary>
    private static JsonElement? ManifestElement(PluginManifest? manifest) => manifest is null ? null : Element(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("build", HostBuild);
        PluginManifestJson.Write(writer, manifest);
        writer.WriteEndObject();
    });

    /// <summary>What <paramref name="write"/> writes, as an element.</summary>
    private static JsonElement Element(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void WriteStats(Utf8JsonWriter writer, IReadOnlyList<(string Relative, FileStat Stat)> entries)
    {
        writer.WriteStartArray();
        foreach (var (relative, stat) in entries)
        {
            WriteStat(writer, relative, stat);
        }

        writer.WriteEndArray();
    }

    /// <summary>Whether each file and folder the record lists has its recorded stat now (a malformed record throws).</summary>
    private static bool Unchanged(Verification record, string root) =>
        record.Folders.GetArrayLength() > 0 // the root is always recorded
        && AllUnchanged(record.Folders, root) && AllUnchanged(record.Files, root);

    /// <summary>Whether each <c>[relative, device, inode, size, mtime, ctime]</c> entry has that stat now.</summary>
    private static bool AllUnchanged(JsonElement entries, string root)
    {
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.GetArrayLength() != 6 || entry[0].GetString() is not { } relative
                || !LinuxFileStat.TryStat(PathOf(root, relative), out var now)
                || now != new FileStat(entry[1].GetUInt64(), entry[2].GetUInt64(), entry[3].GetInt64(), entry[4].GetInt64(), entry[5].GetInt64()))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteStat(Utf8JsonWriter writer, string relative, FileStat stat)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(relative);
        writer.WriteNumberValue(stat.Device);
        writer.WriteNumberValue(stat.Inode);
        writer.WriteNumberValue(stat.Size);
        writer.WriteNumberValue(stat.ModifiedNs);
        writer.WriteNumberValue(stat.ChangedNs);
        writer.WriteEndArray();
    }

    /// <summary>The full path of an entry by its relative path (the record is as trusted as the lockfile beside it: same protected folder).</summary>
    private static string PathOf(string root, string relative) => relative.Length == 0 ? root : Path.Combine(root, relative);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Plugin verification record {Path} ignored ({Reason}); the plugin is hashed")]
    private partial void LogIgnored(string path, string reason);

    /// <summary>One folder's record: its hash, the kept manifest (an object, or absent or <c>null</c>), and its files' and folders' stats.</summary>
    private sealed record Verification(string Hash, JsonElement? Manifest, JsonElement Files, JsonElement Folders);
}
