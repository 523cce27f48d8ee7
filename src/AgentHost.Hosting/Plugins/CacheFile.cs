using System.Text.Json;

namespace AgentHost.Hosting.Plugins;

/// <summary>
/// Writes the host's JSON cache files (<c>{"version": N, "SECTION": {…}}</c>: the tool schema cache, the plugin
/// snapshots) through a temporary file and a rename, so that a reader never sees half a file. A failure is not an error:
/// the cache is only rebuilt next time.
/// </summary>
internal static class CacheFile
{
    /// <summary>Writes the file; returns <see langword="null"/>, or why it could not be written (the temporary file is removed).</summary>
    /// <param name="path">The cache file.</param>
    /// <param name="version">The format version written as <c>version</c>.</param>
    /// <param name="section">The name of the object that holds the entries.</param>
    /// <param name="writeEntries">Writes the entries (properties) inside that object.</param>
    public static string? TryWrite(string path, int version, string section, Action<Utf8JsonWriter> writeEntries)
    {
        var temp = path + "." + Environment.ProcessId + ".tmp";
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
