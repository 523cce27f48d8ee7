using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Hosting.Plugins.Caches;

/// <summary>
/// One of the host's cache files: entries by key in <c>{"version": N, "SECTION": {"key": entry, …}}</c>, read once on
/// first use, looked up, set and removed in memory, and written back by <see cref="SaveIfChanged"/> only when something
/// changed, through a temporary file and a rename (a reader, in this process or another, sees the old file or the new
/// one, never half of one).
/// </summary>
/// <remarks>
/// <para>
/// Only a cache: a missing file is empty; an unreadable, malformed or other-version file is ignored (logged at the
/// format's level) and rewritten at the next save; an entry that cannot be read, or that its lookup's validity check
/// rejects (the file it caches changed), is dropped and not used. A save that cannot write is logged and forgotten: the
/// entries are built again next time. An entry's JSON is read when it is first looked up, not when the file is read,
/// and an entry never looked up is written back as it was read.
/// </para>
/// <para>
/// Processes do not merge: the last save wins, and what another process saved in between is lost (built again by the
/// next run that needs it). Thread-safe.
/// </para>
/// </remarks>
/// <typeparam name="TEntry">The entry type.</typeparam>
public sealed partial class KeyedCacheFile<TEntry>
    where TEntry : class
{
    private readonly Lock _lock = new();
    private readonly KeyedCacheFormat<TEntry> _format;
    private readonly ILogger _logger;
    private Dictionary<string, Slot>? _slots;
    private bool _changed;

    /// <summary>Creates the cache over <paramref name="filePath"/> (read on first use).</summary>
    /// <param name="filePath">The cache file.</param>
    /// <param name="format">What the file holds and how it is read and written.</param>
    /// <param name="logger">Where an ignored file or entry and a failed save are reported; nowhere by default.</param>
    public KeyedCacheFile(string filePath, KeyedCacheFormat<TEntry> format, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        ArgumentNullException.ThrowIfNull(format);
        FilePath = filePath;
        _format = format;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The cache file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// The entry of <paramref name="key"/>, when there is one that can be read and that <paramref name="isCurrent"/>
    /// accepts; an entry it rejects (or that cannot be read) is dropped, and the file is rewritten at the next save.
    /// An entry found counts as used (see <see cref="KeyedCacheFormat{TEntry}.MaxEntries"/>).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="entry">The entry, when found.</param>
    /// <param name="isCurrent">Whether the entry still holds for what it caches (its file unchanged, say); any entry when <see langword="null"/>.</param>
    /// <returns>Whether an entry was found.</returns>
    public bool TryGet(string key, [NotNullWhen(true)] out TEntry? entry, Func<TEntry, bool>? isCurrent = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        entry = null;
        lock (_lock)
        {
            var slots = Slots();
            if (!slots.TryGetValue(key, out var slot))
            {
                return false;
            }

            slot.IsUsed = true;
            if (slot.Entry is null)
            {
                slot.Entry = Decode(key, slot.Stored);
                slot.Stored = default;
            }

            if (slot.Entry is { } found && Current(key, found, isCurrent))
            {
                entry = found;
                return true;
            }

            // Unreadable or stale: forgotten.
            slots.Remove(key);
            _changed = true;
            return false;
        }
    }

    /// <summary>Records (or replaces) the entry of <paramref name="key"/>; the key counts as used.</summary>
    /// <param name="key">The key.</param>
    /// <param name="entry">The entry.</param>
    public void Set(string key, TEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            Slots()[key] = new Slot { Entry = entry, IsUsed = true };
            _changed = true;
        }
    }

    /// <summary>Forgets the entry of <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether there was one.</returns>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            var removed = Slots().Remove(key);
            _changed |= removed;
            return removed;
        }
    }

    /// <summary>
    /// Writes the file when entries were set, removed or dropped, or when the format's
    /// <see cref="KeyedCacheFormat{TEntry}.MaxEntries"/> drops unused ones; never reads the file for it.
    /// </summary>
    /// <returns>Whether the file was written.</returns>
    public bool SaveIfChanged()
    {
        lock (_lock)
        {
            if (_slots is null)
            {
                return false;
            }

            var trim = _slots.Count > _format.MaxEntries && _slots.Values.Any(s => !s.IsUsed);
            if (!_changed && !trim)
            {
                return false;
            }

            _changed = false;
            if (trim)
            {
                foreach (var key in _slots.Where(s => !s.Value.IsUsed).Select(s => s.Key).ToList())
                {
                    _slots.Remove(key);
                }
            }

            var kept = _slots.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
            if (CacheFile.TryWrite(FilePath, _format.Version, _format.Section, writer => Write(writer, kept)) is { } failure)
            {
                CacheFileLog.NotSaved(_logger, _format.LogLevel, _format.Name, FilePath, failure);
                return false;
            }

            return true;
        }
    }

    private void Write(Utf8JsonWriter writer, List<KeyValuePair<string, Slot>> kept)
    {
        foreach (var (key, slot) in kept)
        {
            writer.WritePropertyName(key);
            if (slot.Entry is { } entry)
            {
                _format.Write(writer, entry);
            }
            else
            {
                slot.Stored.WriteTo(writer); // never looked up here: kept as it was read
            }
        }
    }

    private Dictionary<string, Slot> Slots() => _slots ??= Load();

    private Dictionary<string, Slot> Load()
    {
        var slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
        try
        {
            if (_format.Streaming)
            {
                foreach (var (key, value) in CacheFile.ReadEntries(FilePath, _format.Version, _format.Section) ?? [])
                {
                    slots[key] = new Slot { Stored = value };
                }

                return slots;
            }

            using var document = CacheFile.Read(FilePath, _format.Version, _format.Section, out var section);
            if (document is not null)
            {
                // One copy of the whole section outlives the file's document (not one per entry: most runs use a few).
                foreach (var property in section.Clone().EnumerateObject())
                {
                    slots[property.Name] = new Slot { Stored = property.Value };
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            // InvalidDataException: another version or shape. Rewritten in this format at the next save.
            CacheFileLog.Ignored(_logger, _format.LogLevel, _format.Name, FilePath, ex.Message);
            slots.Clear();
            _changed = true;
        }

        return slots;
    }

    private TEntry? Decode(string key, JsonElement stored)
    {
        try
        {
            if (_format.Read(key, stored) is { } entry)
            {
                return entry;
            }

            CacheFileLog.EntryIgnored(_logger, _format.LogLevel, _format.Name, FilePath, key, "not of this format or build");
        }
        catch (Exception ex) when (IsMalformed(ex))
        {
            CacheFileLog.EntryIgnored(_logger, _format.LogLevel, _format.Name, FilePath, key, ex.Message);
        }

        return null;
    }

    /// <summary>Whether the validity check accepts the entry; an entry it cannot check (malformed inside) is logged and not.</summary>
    private bool Current(string key, TEntry entry, Func<TEntry, bool>? isCurrent)
    {
        try
        {
            return isCurrent is null || isCurrent(entry);
        }
        catch (Exception ex) when (IsMalformed(ex))
        {
            CacheFileLog.EntryIgnored(_logger, _format.LogLevel, _format.Name, FilePath, key, ex.Message);
            return false;
        }
    }

    private static bool IsMalformed(Exception ex) =>
        ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or InvalidDataException or ArgumentException or NotSupportedException or IndexOutOfRangeException;

    /// <summary>One entry: as read (or set), or its stored JSON until it is first looked up; and whether this instance used it.</summary>
    private sealed class Slot
    {
        public TEntry? Entry { get; set; }

        public JsonElement Stored { get; set; }

        public bool IsUsed { get; set; }
    }
}

/// <summary>The log messages of <see cref="KeyedCacheFile{TEntry}"/> (at the level its format names).</summary>
internal static partial class CacheFileLog
{
    [LoggerMessage(Message = "{Cache} {Path} ignored ({Reason}); it is built again and the file rewritten")]
    public static partial void Ignored(ILogger logger, LogLevel level, string cache, string path, string reason);

    [LoggerMessage(Message = "{Cache} {Path}: malformed entry {Key} ignored ({Reason}); it is built again")]
    public static partial void EntryIgnored(ILogger logger, LogLevel level, string cache, string path, string key, string reason);

    [LoggerMessage(Message = "{Cache} {Path} not saved: {Reason}")]
    public static partial void NotSaved(ILogger logger, LogLevel level, string cache, string path, string reason);
}
