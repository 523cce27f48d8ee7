using System.Collections.Concurrent;
using System.Text.Json;
using AgentHost.Hosting.Plugins.Caches;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Skills;

/// <summary>
/// The parse results of <c>SKILL.md</c> files kept between runs (<c>cache/skill-parses.json</c> under the data folder),
/// so that a run parses only the skills whose files changed since (issue #50: a hundred plugins bring two hundred
/// skills, and each parse costs a YAML load). An entry is used only while its file has exactly the device, inode, size,
/// modification time and inode change time (ctime) it had when it was parsed, and only by the build of the host that
/// wrote it (the parser's rules are part of the result).
/// </summary>
/// <remarks>
/// <para>
/// The same guarantee as the plugins' verification record (<c>PluginStamps</c>): editing, replacing, or
/// <c>touch</c>-ing a file back to its old time changes its ctime, which only the kernel sets; a file that changed
/// within <see cref="FileStat.RacyWindow"/> of being read is not recorded (a change right after could keep its
/// times). The file is stat'ed before it is read, so a change between the two makes the entry miss next time rather
/// than hold old content. The cache lives under the data folder, never in a project; an entry holds data only (the
/// fields, the body, the problems, the content hash), the same the parser returns.
/// </para>
/// <para>
/// Linux only (<c>statx(2)</c>): elsewhere every run parses, as before. Only a cache (<see cref="KeyedCacheFile{TEntry}"/>,
/// read streaming): a missing, unreadable, malformed or other-version file, or a malformed entry, is ignored (debug log)
/// and rewritten. The file keeps the entries of the
/// skills the last process that wrote it read, no others. One instance per file in a process (<see cref="For"/>),
/// shared by its sessions. Thread-safe.
/// </para>
/// </remarks>
internal sealed class SkillParseCache
{
    /// <summary>The file format's version.</summary>
    internal const int FormatVersion = 1;

    private static readonly ConcurrentDictionary<string, SkillParseCache> Shared = new(StringComparer.Ordinal);

    /// <summary>The build whose parser wrote an entry: another build's entries are not used.</summary>
    private static readonly string HostBuild = typeof(SkillParseCache).Module.ModuleVersionId.ToString("N") + ":" + typeof(FileStat).Module.ModuleVersionId.ToString("N");

    /// <summary>
    /// Each skill by its file and plugin folder: the build, the file's stat, the content hash and the parse. Read entry
    /// by entry (with a hundred plugins' skills the file is hundreds of KB, which read whole went to the large-object
    /// heap); kept: only the skills the last process read.
    /// </summary>
    private static readonly KeyedCacheFormat<Entry> Format = new("Skill parse cache", FormatVersion, "skills", ReadEntry, Write)
    {
        Streaming = true,
        MaxEntries = 0,
    };

    private readonly KeyedCacheFile<Entry> _file;
    private readonly TimeProvider _time;
    private int _hits;
    private int _parses;

    /// <summary>Creates the cache over <paramref name="filePath"/> (read on first use).</summary>
    /// <param name="filePath">The cache file.</param>
    /// <param name="logger">Where an ignored file or a failed write is reported (debug).</param>
    /// <param name="time">The clock the racy window is measured on; the system's by default.</param>
    public SkillParseCache(string filePath, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        _file = new KeyedCacheFile<Entry>(filePath, Format, logger);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Whether entries can be used on this system (Linux with <c>statx</c>).</summary>
    public static bool Supported => LinuxFileStat.Available;

    /// <summary>The cache file.</summary>
    public string FilePath => _file.FilePath;

    /// <summary>How many parses were answered from the cache.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>How many files were parsed (not answered from the cache).</summary>
    public int Parses => Volatile.Read(ref _parses);

    /// <summary>The process's one cache over <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The cache file.</param>
    /// <param name="loggers">Where the cache made first reports (debug).</param>
    /// <returns>The cache.</returns>
    public static SkillParseCache For(string filePath, ILoggerFactory loggers) =>
        Shared.GetOrAdd(Path.GetFullPath(filePath), static (path, loggers) => new SkillParseCache(path, loggers.CreateLogger<SkillParseCache>()), loggers);

    /// <summary>
    /// <see cref="SkillParser.ParseFile(string, string?, out string?)"/> of the file found as <paramref name="stamp"/>,
    /// from the cache when its file did not change since it was parsed; a new parse is recorded (saved by <see cref="SaveIfChanged"/>).
    /// </summary>
    /// <param name="stamp">The file as the scan found it (its real path is stat'ed).</param>
    /// <param name="pluginDirectory">The folder of the plugin that contributes the skill; <see langword="null"/> for a loose skill.</param>
    /// <param name="contentHash">The content hash of the file parsed, or <see langword="null"/> when it could not be read.</param>
    /// <returns>The skill and its problems.</returns>
    internal SkillParseResult Parse(SkillFileStamp stamp, string? pluginDirectory, out string? contentHash)
    {
        if (!Supported)
        {
            Interlocked.Increment(ref _parses);
            return SkillParser.ParseFile(stamp.Path, pluginDirectory, out contentHash);
        }

        // The clock before the stat, the stat before the read: a change after either misses next time.
        var limit = FileStat.RacyLimit(_time);
        var key = stamp.Path + "\n" + pluginDirectory;
        var stated = LinuxFileStat.TryStat(stamp.RealPath, out var stat);
        if (_file.TryGet(key, out var entry, e => stated && e.Stat == stat))
        {
            // An entry of a file that changed (or a malformed one) was dropped: parsed again below.
            Interlocked.Increment(ref _hits);
            contentHash = entry.Hash;
            return entry.Result;
        }

        Interlocked.Increment(ref _parses);
        var result = SkillParser.ParseFile(stamp.Path, pluginDirectory, out contentHash);
        if (stated && contentHash is not null && !stat.IsRacy(limit))
        {
            _file.Set(key, new Entry(stat, contentHash, result));
        }

        return result;
    }

    /// <summary>
    /// Writes the file when entries were added or dropped, or when it holds entries of skills this process did not read
    /// (another project's, a removed plugin's): the file keeps only the skills this process read, so that a run reads no
    /// more of it than it uses. Atomically; a failure only means parsing again next time.
    /// </summary>
    public void SaveIfChanged() => _file.SaveIfChanged();

    /// <summary>An entry of this build (its skill read from the path in its key), or <see langword="null"/>.</summary>
    private static Entry? ReadEntry(string key, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("build", out var build) || build.ValueKind != JsonValueKind.String || build.GetString() != HostBuild
            || !element.TryGetProperty("stat", out var stat) || stat.ValueKind != JsonValueKind.Array || stat.GetArrayLength() != 5
            || !element.TryGetProperty("hash", out var hash) || hash.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        foreach (var number in stat.EnumerateArray())
        {
            if (number.ValueKind != JsonValueKind.Number)
            {
                return null;
            }
        }

        if (!stat[0].TryGetUInt64(out var device) || !stat[1].TryGetUInt64(out var inode) || !stat[2].TryGetInt64(out var size)
            || !stat[3].TryGetInt64(out var modified) || !stat[4].TryGetInt64(out var changed))
        {
            return null;
        }

        var path = key[..key.IndexOf('\n', StringComparison.Ordinal)];
        return new Entry(new FileStat(device, inode, size, modified, changed), hash.GetString()!, SkillParseJson.Read(element, path));
    }

    private static void Write(Utf8JsonWriter writer, Entry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("build", HostBuild);
        writer.WriteStartArray("stat");
        writer.WriteNumberValue(entry.Stat.Device);
        writer.WriteNumberValue(entry.Stat.Inode);
        writer.WriteNumberValue(entry.Stat.Size);
        writer.WriteNumberValue(entry.Stat.ModifiedNs);
        writer.WriteNumberValue(entry.Stat.ChangedNs);
        writer.WriteEndArray();
        writer.WriteString("hash", entry.Hash);
        SkillParseJson.Write(writer, entry.Result);
        writer.WriteEndObject();
    }

    /// <summary>One cached parse: the file's stat when it was read, its content hash, and the result.</summary>
    private sealed record Entry(FileStat Stat, string Hash, SkillParseResult Result);
}
