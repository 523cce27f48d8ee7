using AgentHost.Hosting.Text;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AgentHost.Hosting.Plugins.Installed;

/// <summary>Per-project plugin switches in <c>.agent/plugins.yaml</c>: they override the global enabled state.</summary>
/// <remarks>The file holds two lists, <c>enabled:</c> and <c>disabled:</c>; it may be committed with the project.</remarks>
public sealed class ProjectPluginState
{
    /// <summary>The file name inside <c>.agent/</c>.</summary>
    public const string FileName = "plugins.yaml";

    private ProjectPluginState(string path, SortedSet<string> enabled, SortedSet<string> disabled)
    {
        FilePath = path;
        Enabled = enabled;
        Disabled = disabled;
    }

    /// <summary>The file path.</summary>
    public string FilePath { get; }

    /// <summary>Plugin ids enabled in this project.</summary>
    public SortedSet<string> Enabled { get; }

    /// <summary>Plugin ids disabled in this project.</summary>
    public SortedSet<string> Disabled { get; }

    /// <summary>Loads the state for a project root (empty when the file does not exist).</summary>
    /// <param name="projectRoot">The project root (which holds <c>.agent/</c>).</param>
    /// <returns>The state.</returns>
    public static ProjectPluginState Load(string projectRoot)
    {
        var path = Path.Combine(projectRoot, ".agent", FileName);
        var enabled = new SortedSet<string>(StringComparer.Ordinal);
        var disabled = new SortedSet<string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            try
            {
                var doc = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build()
                    .Deserialize<Document?>(TextFiles.Read(path));
                enabled.UnionWith(doc?.Enabled ?? []);
                disabled.UnionWith(doc?.Disabled ?? []);
            }
            catch (YamlDotNet.Core.YamlException ex)
            {
                throw new AgentHostException(
                    ErrorKind.Configuration,
                    $"{path}:{ex.Start.Line}:{ex.Start.Column}: invalid plugin switches ({ex.InnerException?.Message ?? ex.Message}). The file holds two lists, 'enabled:' and 'disabled:', of plugin ids.",
                    ex);
            }
        }

        return new ProjectPluginState(path, enabled, disabled);
    }

    /// <summary>The project's verdict for a plugin: <see langword="true"/>/<see langword="false"/>, or <see langword="null"/> to use the global state.</summary>
    /// <param name="id">The plugin id.</param>
    /// <returns>The override.</returns>
    public bool? IsEnabled(string id) => Disabled.Contains(id) ? false : Enabled.Contains(id) ? true : null;

    /// <summary>Sets the project's verdict for a plugin (in memory; call <see cref="Save"/>).</summary>
    /// <param name="id">The plugin id.</param>
    /// <param name="enabled">The verdict.</param>
    public void Set(string id, bool enabled)
    {
        (enabled ? Enabled : Disabled).Add(id);
        (enabled ? Disabled : Enabled).Remove(id);
    }

    /// <summary>Forgets the project's verdict for a plugin.</summary>
    /// <param name="id">The plugin id.</param>
    public void Clear(string id)
    {
        Enabled.Remove(id);
        Disabled.Remove(id);
    }

    /// <summary>Writes the file atomically.</summary>
    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var yaml = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build()
            .Serialize(new Document { Enabled = [.. Enabled], Disabled = [.. Disabled] });
        var temp = FilePath + ".tmp";
        File.WriteAllText(temp, "# Plugin switches for this project (agent plugin enable|disable --project).\n" + yaml);
        File.Move(temp, FilePath, overwrite: true);
    }

    private sealed class Document
    {
        public List<string>? Enabled { get; set; }

        public List<string>? Disabled { get; set; }
    }
}
