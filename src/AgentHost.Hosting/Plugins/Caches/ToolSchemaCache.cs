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
public sealed class ToolSchemaCache
{
    /// <summary>At most this many schemas are kept; beyond it the file keeps only those this process used.</summary>
    internal const int MaxEntries = 2_000;

    /// <summary>Version 1: each schema by its key, as generated.</summary>
    private static readonly KeyedCacheFormat<Schema> Format = new(
        "Tool schema cache", 1, "schemas", static (_, element) => element.ValueKind == JsonValueKind.Object ? new Schema(element) : null, static (writer, schema) => schema.Value.WriteTo(writer))
    {
        MaxEntries = MaxEntries,
    };

    private readonly KeyedCacheFile<Schema> _file;

    /// <summary>Creates the cache over <paramref name="filePath"/> (read on first use).</summary>
    /// <param name="filePath">The cache file.</param>
    public ToolSchemaCache(string filePath) => _file = new KeyedCacheFile<Schema>(filePath, Format);

    /// <summary>The cache file.</summary>
    public string FilePath => _file.FilePath;

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
        if (_file.TryGet(key, out var schema))
        {
            deferred.UseKnownSchema(schema.Value);
            return null;
        }

        return key;
    }

    /// <summary>Records a schema generated for <paramref name="key"/>.</summary>
    public void Remember(string key, JsonElement schema) => _file.Set(key, new Schema(schema.Clone()));

    /// <summary>Writes the file when schemas were added (atomically; failures only mean regenerating next time).</summary>
    public void SaveIfChanged() => _file.SaveIfChanged();

    /// <summary>One schema.</summary>
    private sealed record Schema(JsonElement Value);
}
