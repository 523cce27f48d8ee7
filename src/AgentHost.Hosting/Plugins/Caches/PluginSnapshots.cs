using System.Runtime.InteropServices;
using AgentHost.Common.Hashing;
using System.Text;
using System.Text.Json;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Plugins.Caches;

/// <summary>What a lazily activated plugin registered the last time its code ran: its tools, as the model sees them.</summary>
/// <param name="Tools">The tools, in registration order.</param>
internal sealed record PluginSnapshot(IReadOnlyList<ToolSnapshot> Tools);

/// <summary>One tool of a <see cref="PluginSnapshot"/>: everything the host reads before the tool is called.</summary>
/// <param name="Name">The tool name.</param>
/// <param name="Description">The description the model sees.</param>
/// <param name="Schema">The parameters' JSON schema.</param>
/// <param name="Effect">The declared effect.</param>
/// <param name="TimeoutMs">The declared time limit, if any.</param>
/// <param name="Parallelizable">The declared parallelism, if any.</param>
/// <param name="Describes">Whether the tool describes its calls itself (then the plugin activates to describe one).</param>
internal sealed record ToolSnapshot(string Name, string Description, JsonElement Schema, ToolEffect Effect, double? TimeoutMs, bool? Parallelizable, bool Describes)
{
    /// <summary>The declared deferral (<see cref="ToolMetadata.Deferred"/>), if any.</summary>
    public bool? Deferred { get; init; }

    /// <summary>
    /// Whether the tool runs its processes in the host's sandbox (<see cref="ToolMetadata.Sandboxed"/>): a stand-in
    /// without it would run a dormant shell's first command unsandboxed.
    /// </summary>
    public bool Sandboxed { get; init; }
}

/// <summary>
/// The startup snapshot of lazily activated plugins (<c>activation: lazy</c>), in <c>cache/plugin-snapshots.json</c>
/// under the data directory (never in a project folder): for each plugin build, the tools its <c>Register</c>
/// produced. A run whose plugin is unchanged registers stand-ins for those tools without loading the plugin's code;
/// the first call of one of them activates the plugin (hash check, assembly, <c>Register</c>) and swaps the real tools in.
/// </summary>
/// <remarks>
/// <para>
/// Keyed by <see cref="KeyOf"/>: the plugin's id, version and folder, its lockfile hash (installed plugins), a
/// fingerprint of its files (path, size and modification time of each, so any change to the folder misses), its
/// settings, the host and SDK builds and the runtime identifier. The snapshot holds data only (names, descriptions,
/// schemas, effects); no plugin code runs on its strength, and an installed plugin's content hash is still verified
/// before its code loads, at activation.
/// </para>
/// <para>
/// Only a cache (<see cref="KeyedCacheFile{TEntry}"/>): an unreadable, malformed or unknown-version file is ignored with
/// a warning in the log (the plugins then load eagerly and the file is rewritten), and a malformed entry is skipped the
/// same way when it is looked up. Thread-safe.
/// </para>
/// </remarks>
public sealed class PluginSnapshots
{
    /// <summary>The file format's version (2: every tool says whether it is <c>sandboxed</c>; a version 1 file is ignored and captured again).</summary>
    internal const int FormatVersion = 2;

    /// <summary>At most this many entries are kept; beyond it the file keeps only those this process used.</summary>
    internal const int MaxEntries = 200;

    private static readonly string HostBuild = typeof(PluginSnapshots).Module.ModuleVersionId.ToString("N") + ":" + typeof(AgentPlugin).Module.ModuleVersionId.ToString("N")
        + ":" + typeof(AIFunctionFactory).Assembly.GetName().Version;

    /// <summary>Every <see cref="ToolEffect"/> flag (an entry with another bit is from elsewhere).</summary>
    private static readonly int AllEffects = Enum.GetValues<ToolEffect>().Aggregate(0, (all, e) => all | (int)e);

    private readonly KeyedCacheFile<PluginSnapshot> _file;

    /// <summary>Creates the store over <paramref name="filePath"/> (read on first use).</summary>
    /// <param name="filePath">The cache file.</param>
    /// <param name="logger">Where an ignored (corrupt or stale) file or entry is reported.</param>
    public PluginSnapshots(string filePath, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        ArgumentNullException.ThrowIfNull(logger);
        _file = new KeyedCacheFile<PluginSnapshot>(filePath, Format, logger);
    }

    /// <summary>The cache file.</summary>
    public string FilePath => _file.FilePath;

    /// <summary>The file: each plugin build's tools (<see cref="Write(Utf8JsonWriter, PluginSnapshot)"/>).</summary>
    private static KeyedCacheFormat<PluginSnapshot> Format { get; } = new("Plugin snapshot cache", FormatVersion, "plugins", static (_, entry) => Parse(entry), Write)
    {
        MaxEntries = MaxEntries,
        LogLevel = LogLevel.Warning,
    };

    /// <summary>The snapshot of the plugin build <paramref name="key"/>, or <see langword="null"/>.</summary>
    internal PluginSnapshot? Find(string key) => _file.TryGet(key, out var snapshot) ? snapshot : null;

    /// <summary>Records (or replaces) the snapshot of <paramref name="key"/>.</summary>
    internal void Remember(string key, PluginSnapshot snapshot) => _file.Set(key, snapshot);

    /// <summary>Forgets the snapshot of <paramref name="key"/> (it did not match what the plugin registered).</summary>
    internal void Forget(string key) => _file.Remove(key);

    /// <summary>
    /// The key of a plugin build: changes when the plugin's files, its lockfile hash, its settings, the host or the
    /// runtime change.
    /// </summary>
    /// <param name="manifest">The plugin's manifest.</param>
    /// <param name="request">How it is loaded (expected hash, settings).</param>
    /// <returns>The key (hex SHA-256).</returns>
    internal static string KeyOf(PluginManifest manifest, PluginLoadRequest request)
    {
        var text = new StringBuilder();
        text.Append('v').Append(FormatVersion).Append('\n')
            .Append(manifest.Id).Append('\n')
            .Append(manifest.Version.ToNormalizedString()).Append('\n')
            .Append(Path.GetFullPath(manifest.Directory)).Append('\n')
            .Append(request.ExpectedHash ?? "-").Append('\n')
            .Append(HostBuild).Append('\n')
            .Append(RuntimeInformation.RuntimeIdentifier).Append('\n');
        foreach (var (key, value) in request.Settings.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append("setting ").Append(key).Append('=').Append(value.Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        }

        AppendFingerprint(text, Path.GetFullPath(manifest.Directory), string.Empty);
        return Convert.ToHexStringLower(Sha256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// The snapshot of what a plugin registered, when it can stand in for the plugin: only tools (besides what the
    /// manifest declares), no event subscriptions, no extra function properties. Otherwise <see langword="null"/>
    /// (the plugin stays eager).
    /// </summary>
    /// <param name="manifest">The manifest (its declared capabilities are not part of the snapshot).</param>
    /// <param name="capabilities">What the plugin's registration produced, declared capabilities included.</param>
    /// <param name="subscribed">Whether the plugin subscribed to events or capability changes while registering.</param>
    /// <param name="schemas">The tool schema cache (a cached schema saves reflecting over the tool method).</param>
    /// <returns>The snapshot, or <see langword="null"/>.</returns>
    internal static PluginSnapshot? Capture(PluginManifest manifest, IReadOnlyList<Capability> capabilities, bool subscribed, ToolSchemaCache? schemas)
    {
        if (subscribed)
        {
            return null;
        }

        var tools = new List<ToolSnapshot>();
        foreach (var capability in capabilities)
        {
            switch (capability)
            {
                case SkillDirectoryCapability or LspServerCapability or McpServerCapability when IsDeclared(manifest, capability):
                    continue;
                case ToolCapability tool when tool.Function.AdditionalProperties.Count == 0 && tool.Description == tool.Function.Description:
                    var key = schemas?.Apply(tool.Function);
                    var schema = tool.Function.JsonSchema;
                    if (key is not null)
                    {
                        schemas!.Remember(key, schema);
                    }

                    tools.Add(new ToolSnapshot(
                        tool.Name,
                        tool.Function.Description,
                        schema.Clone(),
                        tool.Metadata.Effect,
                        tool.Metadata.Timeout?.TotalMilliseconds,
                        tool.Metadata.Parallelizable,
                        tool.Metadata.DescribeCall is not null || tool.Metadata.DescribeCallAsync is not null)
                    {
                        Deferred = tool.Metadata.Deferred,
                        Sandboxed = tool.Metadata.Sandboxed,
                    });
                    continue;
                default:
                    return null;
            }
        }

        return tools.Count > 0 ? new PluginSnapshot(tools) : null;
    }

    /// <summary>Writes the file when snapshots were added or removed (atomically; a failure only means capturing again next time).</summary>
    public void SaveIfChanged() => _file.SaveIfChanged();

    private static void Write(Utf8JsonWriter writer, PluginSnapshot snapshot)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("tools");
        foreach (var tool in snapshot.Tools)
        {
            Write(writer, tool);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter writer, ToolSnapshot tool)
    {
        writer.WriteStartObject();
        writer.WriteString("name", tool.Name);
        writer.WriteString("description", tool.Description);
        writer.WritePropertyName("schema");
        tool.Schema.WriteTo(writer);
        writer.WriteNumber("effect", (int)tool.Effect);
        if (tool.TimeoutMs is { } timeout)
        {
            writer.WriteNumber("timeout_ms", timeout);
        }

        if (tool.Parallelizable is { } parallel)
        {
            writer.WriteBoolean("parallelizable", parallel);
        }

        if (tool.Deferred is { } deferred)
        {
            writer.WriteBoolean("deferred", deferred);
        }

        writer.WriteBoolean("describes", tool.Describes);
        writer.WriteBoolean("sandboxed", tool.Sandboxed);
        writer.WriteEndObject();
    }

    /// <summary>One entry, or <see langword="null"/> when anything in it is missing or of the wrong kind.</summary>
    private static PluginSnapshot? Parse(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("tools", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            return null;
        }

        var tools = new List<ToolSnapshot>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in array.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object
                || !TryString(tool, "name", out var name) || name.Length == 0 || !names.Add(name)
                || !TryString(tool, "description", out var description)
                || !tool.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object
                || !tool.TryGetProperty("effect", out var effectValue) || effectValue.ValueKind != JsonValueKind.Number || !effectValue.TryGetInt32(out var effect) || effect < 0 || (effect & ~AllEffects) != 0
                || !tool.TryGetProperty("describes", out var describes) || describes.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
                || !tool.TryGetProperty("sandboxed", out var sandboxed) || sandboxed.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return null;
            }

            double? timeout = null;
            if (tool.TryGetProperty("timeout_ms", out var timeoutValue))
            {
                if (timeoutValue.ValueKind != JsonValueKind.Number || !timeoutValue.TryGetDouble(out var ms) || ms <= 0 || double.IsNaN(ms) || ms > TimeSpan.MaxValue.TotalMilliseconds)
                {
                    return null;
                }

                timeout = ms;
            }

            bool? parallel = null;
            if (tool.TryGetProperty("parallelizable", out var parallelValue))
            {
                if (parallelValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return null;
                }

                parallel = parallelValue.GetBoolean();
            }

            bool? deferred = null;
            if (tool.TryGetProperty("deferred", out var deferredValue))
            {
                if (deferredValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return null;
                }

                deferred = deferredValue.GetBoolean();
            }

            tools.Add(new ToolSnapshot(name, description, schema, (ToolEffect)effect, timeout, parallel, describes.GetBoolean()) { Deferred = deferred, Sandboxed = sandboxed.GetBoolean() });
        }

        return new PluginSnapshot(tools);
    }

    private static bool TryString(JsonElement element, string property, out string value)
    {
        value = element.TryGetProperty(property, out var found) && found.ValueKind == JsonValueKind.String ? found.GetString()! : null!;
        return value is not null;
    }

    private static bool IsDeclared(PluginManifest manifest, Capability capability) => capability switch
    {
        LspServerCapability lsp => manifest.LspServers.Contains(lsp),
        McpServerCapability mcp => manifest.McpServers.Contains(mcp),
        SkillDirectoryCapability skills => manifest.SkillDirectories.Any(f => f.Replace('\\', '/').Replace('/', '.') == skills.Name),
        _ => false,
    };

    /// <summary>Every file below <paramref name="folder"/> as relative path, size and modification time (links as their target), in ordinal order.</summary>
    private static void AppendFingerprint(StringBuilder text, string folder, string relative)
    {
        var entries = new DirectoryInfo(folder)
            .EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false })
            .OrderBy(e => e.Name, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var path = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
            if (entry.LinkTarget is { } target)
            {
                text.Append("link ").Append(path).Append(' ').Append(target).Append('\n');
            }
            else if (entry is DirectoryInfo directory)
            {
                AppendFingerprint(text, directory.FullName, path);
            }
            else if (entry is FileInfo file)
            {
                text.Append("file ").Append(path).Append(' ').Append(file.Length).Append(' ').Append(file.LastWriteTimeUtc.Ticks).Append('\n');
            }
        }
    }
}
