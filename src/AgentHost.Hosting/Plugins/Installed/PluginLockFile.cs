using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Text;

namespace AgentHost.Hosting.Plugins.Installed;

/// <summary>One installed plugin as recorded in <c>plugins.lock.json</c>.</summary>
/// <param name="Id">The plugin id.</param>
/// <param name="Version">The installed version.</param>
/// <param name="Source">Where it came from: <c>catalog</c>, <c>feed:&lt;name&gt;</c>, <c>folder</c>, <c>nupkg</c>, <c>git</c> or <c>marketplace:&lt;name&gt;</c>.</param>
/// <param name="Origin">The path or URL it was installed from.</param>
/// <param name="Sha512">The content hash of the installed folder (<see cref="PluginHasher"/>).</param>
/// <param name="Enabled">Whether it is enabled globally.</param>
/// <param name="InstalledAt">When it was installed.</param>
public sealed record LockedPlugin(
    string Id,
    string Version,
    string Source,
    string Origin,
    string Sha512,
    bool Enabled,
    DateTimeOffset InstalledAt)
{
    /// <summary>The package signature as checked at install (<c>unsigned</c>, or <c>signed (author): subject, SHA-256 …</c>); absent for folders and older entries.</summary>
    public string? Signature { get; init; }

    /// <summary>The git repository it was cloned from (URL, ref, sub-folder, commit); absent when it did not come from git.</summary>
    public GitPin? Git { get; init; }

    /// <summary>
    /// The name of the plugin's own folder inside <c>&lt;id&gt;/&lt;version&gt;/</c> (its name, so a plugin whose code
    /// imports itself by its folder name finds itself); <see langword="null"/> for a plugin installed before this layout,
    /// whose files sit directly in <c>&lt;id&gt;/&lt;version&gt;/</c> (it keeps loading from there).
    /// </summary>
    public string? Folder { get; init; }
}

/// <summary>Where a plugin installed from git came from, so <c>agent plugin update</c> can clone it again.</summary>
/// <param name="Url">The repository URL.</param>
/// <param name="Ref">The branch or tag asked for; <see langword="null"/> for the default branch.</param>
/// <param name="Path">The plugin's folder inside the repository; <see langword="null"/> for its root.</param>
/// <param name="Commit">The commit that was installed.</param>
public sealed record GitPin(string Url, string? Ref, string? Path, string Commit)
{
    /// <summary>The commit pinned by the source (a marketplace entry's <c>sha</c>); <see langword="null"/> when not pinned.</summary>
    public string? Sha { get; init; }

    /// <summary>As shown to people: <c>URL#ref (path P) at commit C</c>.</summary>
    public string Display => $"{Url}{(Ref is null ? string.Empty : "#" + Ref)}{(Path is null ? string.Empty : $" (path {Path})")} at commit {Commit}";
}

/// <summary>The lockfile of globally installed plugins, with atomic writes.</summary>
/// <remarks>Not thread-safe; the CLI reads and writes it from one command at a time.</remarks>
public sealed class PluginLockFile
{
    /// <summary>What every error about the file's content tells the user to do.</summary>
    internal const string Remedy = "Restore it from a backup, or delete it and reinstall your plugins.";

    private readonly SortedDictionary<string, LockedPlugin> _plugins;

    private PluginLockFile(string path, SortedDictionary<string, LockedPlugin> plugins)
    {
        FilePath = path;
        _plugins = plugins;
    }

    /// <summary>The lockfile path.</summary>
    public string FilePath { get; }

    /// <summary>The installed plugins, ordered by id.</summary>
    public IReadOnlyCollection<LockedPlugin> Plugins => _plugins.Values;

    /// <summary>Loads the lockfile, or an empty one when the file does not exist.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The lockfile.</returns>
    /// <exception cref="AgentHostException">The file is not valid JSON; nothing is overwritten.</exception>
    public static PluginLockFile Load(string path)
    {
        var plugins = new SortedDictionary<string, LockedPlugin>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return new PluginLockFile(path, plugins);
        }

        try
        {
            // Read with JsonDocument, not the serializer: every run reads this file on its way to the first model request,
            // and the serializer's first use costs ~25 ms more there (issue #50; docs/performance.md). Saved with the serializer.
            using var document = JsonDocument.Parse(TextFiles.Read(path));
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("plugins", out var entries) && entries.ValueKind != JsonValueKind.Null)
            {
                var index = 0;
                foreach (var entry in entries.EnumerateArray())
                {
                    var plugin = LockFileReader.Plugin(entry, path, index++);
                    plugins[plugin.Id] = plugin;
                }
            }
            else if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new AgentHostException(ErrorKind.Plugin, $"{path}: the plugin lockfile is not a JSON object with a 'plugins' list. {Remedy}");
            }
        }
        catch (JsonException ex)
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"{path}:{(ex.LineNumber ?? 0) + 1}: the plugin lockfile is not valid JSON ({ex.Message}). {Remedy}",
                ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"{path}: the plugin lockfile has a value of the wrong kind ({ex.Message}). {Remedy}",
                ex);
        }

        return new PluginLockFile(path, plugins);
    }

    /// <summary>Finds an installed plugin.</summary>
    /// <param name="id">The plugin id.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public LockedPlugin? Find(string id) => _plugins.GetValueOrDefault(id);

    /// <summary>Adds or replaces an entry (in memory; call <see cref="Save"/>).</summary>
    /// <param name="plugin">The entry.</param>
    public void Set(LockedPlugin plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        _plugins[plugin.Id] = plugin;
    }

    /// <summary>Removes an entry (in memory; call <see cref="Save"/>).</summary>
    /// <param name="id">The plugin id.</param>
    /// <returns>Whether it existed.</returns>
    public bool Remove(string id) => _plugins.Remove(id);

    /// <summary>Writes the lockfile atomically (temporary file, then rename).</summary>
    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temp = FilePath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new LockFileDocument(1, [.. _plugins.Values]), LockFileJsonContext.Default.LockFileDocument));
        File.Move(temp, FilePath, overwrite: true);
    }
}

/// <summary>The lockfile's JSON shape.</summary>
/// <param name="Version">The format version (1).</param>
/// <param name="Plugins">The installed plugins.</param>
internal sealed record LockFileDocument(int Version, List<LockedPlugin> Plugins);

/// <summary>Source-generated serialisation for the lockfile: no reflection or JIT warm-up on the startup path.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LockFileDocument))]
internal sealed partial class LockFileJsonContext : JsonSerializerContext;
