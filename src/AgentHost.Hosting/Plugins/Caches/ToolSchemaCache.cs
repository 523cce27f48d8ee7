using System.Text.Json;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Hosting.Plugins.Caches;

/// <summary>
/// Remembers the JSON schemas of tools registered from delegates (<c>AddTool</c>), keyed by the build of the method
/// that produced them, in <c>cache/tool-schemas.json</c> under the data directory. A run whose plugins are unchanged
/// describes its tools to the model from this file instead of reflecting over every tool method; a tool is built by
/// reflection only when it is first called.
/// </summary>
/// <remarks>
/// Thread-safe. The file is only a cache: unreadable or malformed, it is ignored and rewritten; when it cannot be
/// written the schemas are generated again next time.
/// </remarks>
/// <param name="filePath">The cache file.</param>
public sealed class ToolSchemaCache(string filePath)
{
    /// <summary>At most this many schemas are kept; beyond it the file keeps only those this process used.</summary>
    internal const int MaxEntries = 2_000;

    private readonly Lock _lock = new();
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private Dictionary<string, JsonElement>? _entries;
    private bool _changed;

    /// <summary>The cache file.</summary>
    public string FilePath { get; } = filePath;

    /// <summary>Gives <paramref name="function"/> its cached schema when it has one; otherwise it generates it when read.</summary>
    /// <param name="function">A registered tool function.</param>
    /// <returns>A key to pass to <see cref="Remember"/> when the schema was not cached, else <see langword="null"/>.</returns>
    public string? Apply(AIFunction function)
    {
        if (function is not DeferredMethodFunction deferred || deferred.IsMaterialized)
        {
            return null;
        }

        var key = deferred.SchemaKey;
        lock (_lock)
        {
            _used.Add(key);
            if (Entries().TryGetValue(key, out var schema))
            {
                deferred.UseKnownSchema(schema);
                return null;
            }
        }

        return key;
    }

    /// <summary>Records a schema generated for <paramref name="key"/>.</summary>
    public void Remember(string key, JsonElement schema)
    {
        lock (_lock)
        {
            Entries()[key] = schema.Clone();
            _changed = true;
        }
    }

    /// <summary>Writes the file when schemas were added (atomically; failures only mean regenerating next time).</summary>
    public void SaveIfChanged()
    {
        lock (_lock)
        {
            if (!_changed)
            {
                return;
            }

            _changed = false;
            var entries = Entries();
            var keep = entries.Count > MaxEntries ? entries.Where(e => _used.Contains(e.Key)) : entries;
            _ = CacheFile.TryWrite(FilePath, 1, "schemas", writer =>
            {
                foreach (var (key, schema) in keep.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    schema.WriteTo(writer);
                }
            });
        }
    }

    private Dictionary<string, JsonElement> Entries() => _entries ??= Load();

    private Dictionary<string, JsonElement> Load()
    {
        var entries = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            using var document = CacheFile.Read(FilePath, 1, "schemas", out var schemas);
            if (document is null)
            {
                return entries;
            }

            // One copy of the whole section outlives the file's document (not one per schema: most runs use a few of them).
            foreach (var entry in schemas.Clone().EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.Object)
                {
                    entries[entry.Name] = entry.Value;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException or InvalidDataException)
        {
            entries.Clear(); // A cache: start again.
        }

        return entries;
    }
}
