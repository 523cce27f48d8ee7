using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Plugins.Caches;

/// <summary>
/// What a <see cref="KeyedCacheFile{TEntry}"/> stores and how: the file's format version and section name, how one
/// entry is read from and written to JSON, how the file is read, and which entries a save keeps.
/// </summary>
/// <typeparam name="TEntry">The entry type.</typeparam>
public sealed class KeyedCacheFormat<TEntry>
    where TEntry : class
{
    /// <summary>Describes a cache file.</summary>
    /// <param name="name">What the cache is called in the log (<c>Plugin snapshot cache</c>).</param>
    /// <param name="version">
    /// The format version (<c>version</c>). A file of another version is ignored and rewritten: bump it whenever an
    /// entry's shape changes.
    /// </param>
    /// <param name="section">The name of the object that holds the entries by key.</param>
    /// <param name="read">
    /// Reads an entry from its JSON value (called when the entry is first looked up, with its key); returns
    /// <see langword="null"/> when the value is malformed or was written by a build whose entries are not used. It may
    /// also throw <see cref="JsonException"/>, <see cref="InvalidOperationException"/>, <see cref="FormatException"/>,
    /// <see cref="KeyNotFoundException"/>, <see cref="InvalidDataException"/>, <see cref="ArgumentException"/>,
    /// <see cref="NotSupportedException"/> or <see cref="IndexOutOfRangeException"/>: the entry is then dropped the same way.
    /// </param>
    /// <param name="write">Writes an entry as one JSON value.</param>
    public KeyedCacheFormat(string name, int version, string section, Func<string, JsonElement, TEntry?> read, Action<Utf8JsonWriter, TEntry> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(section);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(write);
        (Name, Version, Section, Read, Write) = (name, version, section, read, write);
    }

    /// <summary>What the cache is called in the log.</summary>
    internal string Name { get; }

    /// <summary>The format version.</summary>
    internal int Version { get; }

    /// <summary>The name of the object that holds the entries.</summary>
    internal string Section { get; }

    /// <summary>Reads an entry (see the constructor).</summary>
    internal Func<string, JsonElement, TEntry?> Read { get; }

    /// <summary>Writes an entry.</summary>
    internal Action<Utf8JsonWriter, TEntry> Write { get; }

    /// <summary>
    /// Whether the file is read one entry at a time through a small buffer (<see cref="CacheFile.ReadEntries"/>), each
    /// entry its own element, instead of whole: for files of hundreds of KB, which read whole land on the large-object heap.
    /// </summary>
    public bool Streaming { get; init; }

    /// <summary>
    /// Beyond this many entries a save keeps only those looked up or set by this instance (0: always only those, so the
    /// file holds what the last process used and no more). A save also writes when it would drop entries.
    /// </summary>
    public int MaxEntries { get; init; } = int.MaxValue;

    /// <summary>The level at which an ignored file or entry and a failed save are logged.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Debug;
}
