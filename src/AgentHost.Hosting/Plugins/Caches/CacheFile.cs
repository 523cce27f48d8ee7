using System.Text.Json;

namespace AgentHost.Hosting.Plugins.Caches;

/// <summary>
/// Reads and writes the host's JSON cache files (<c>{"version": N, "SECTION": {…}}</c>, see
/// <see cref="KeyedCacheFile{TEntry}"/>), writing through a temporary file and a rename, so that a reader never sees half
/// a file. A failure is not an error: the cache is only rebuilt next time.
/// </summary>
internal static partial class CacheFile
{
    /// <summary>Writes the file; returns <see langword="null"/>, or why it could not be written (the temporary file is removed).</summary>
    /// <param name="path">The cache file.</param>
    /// <param name="version">The format version written as <c>version</c>.</param>
    /// <param name="section">The name of the object that holds the entries.</param>
    /// <param name="writeEntries">Writes the entries (properties) inside that object.</param>
    public static string? TryWrite(string path, int version, string section, Action<Utf8JsonWriter> writeEntries)
    {
        // Its own temporary file per write, not per process: two writers of one file in one process (two sessions' caches,
        // two plugin loads) would otherwise write into one temporary file, and one of them rename the other's half-written file.
        var temp = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var stream = File.Create(temp))
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteNumber("version", version);
                writer.WriteStartObject(section);
                writeEntries(writer);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            File.Move(temp, path, overwrite: true);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            return ex.Message;
        }
    }

    /// <summary>Reads a cache file written by <see cref="TryWrite"/>.</summary>
    /// <param name="path">The cache file.</param>
    /// <param name="version">The format version expected.</param>
    /// <param name="section">The name of the object that holds the entries.</param>
    /// <param name="entries">That object (valid while the returned document is).</param>
    /// <returns>The document (dispose it), or <see langword="null"/> when there is no file.</returns>
    /// <exception cref="InvalidDataException">The file is not of that version or has no such section.</exception>
    /// <exception cref="JsonException">It is not JSON.</exception>
    /// <exception cref="IOException">It cannot be read.</exception>
    public static JsonDocument? Read(string path, int version, string section, out JsonElement entries)
    {
        entries = default;
        if (!File.Exists(path))
        {
            return null;
        }

        var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("version", out var found) && found.ValueKind == JsonValueKind.Number && found.TryGetInt32(out var number) && number == version
            && root.TryGetProperty(section, out entries) && entries.ValueKind == JsonValueKind.Object)
        {
            return document;
        }

        document.Dispose();
        throw new InvalidDataException($"not a version {version} cache file with '{section}'");
    }

    /// <summary>
    /// Reads a cache file written by <see cref="TryWrite"/> one entry at a time, through a small buffer, each entry its
    /// own element: a large file is never held in one array. (A 358 KB skill cache read whole was four arrays on the
    /// large-object heap, the file, the document's table and a copy of each, and the full collection they set off cost
    /// every run with a hundred plugins ~15 ms of CPU and 4 MB, #50.)
    /// </summary>
    /// <param name="path">The cache file.</param>
    /// <param name="version">The format version expected.</param>
    /// <param name="section">The name of the object that holds the entries.</param>
    /// <returns>The entries in the file's order (each element keeps its own copy), or <see langword="null"/> when there is no file.</returns>
    /// <exception cref="InvalidDataException">The file is not of that version or has no such section.</exception>
    /// <exception cref="JsonException">It is not JSON.</exception>
    /// <exception cref="IOException">It cannot be read.</exception>
    public static IReadOnlyList<KeyValuePair<string, JsonElement>>? ReadEntries(string path, int version, string section)
    {
        ArgumentNullException.ThrowIfNull(section);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        using (stream)
        {
            return new EntryReader(stream, section).Read(version);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind; the next save overwrites it.
        }
    }
}
