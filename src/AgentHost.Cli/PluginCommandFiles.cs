using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Cli;

/// <summary>A plugin's prompt command: its file and the names it answers to.</summary>
/// <param name="PluginId">The plugin.</param>
/// <param name="Name">The command's own name (the file name without <c>.md</c>).</param>
/// <param name="File">The Markdown file.</param>
internal sealed record PluginCommandFile(string PluginId, string Name, string File)
{
    /// <summary>
    /// The name qualified with the plugin, as Claude Code names it: <c>plugin:command</c>, by the plugin's own name (a
    /// marketplace plugin's id without its <c>@marketplace</c>).
    /// </summary>
    public string QualifiedName => $"{PluginIds.NameOf(PluginId)}:{Name}";

    /// <summary>The name qualified with the plugin's whole id (<c>plugin@marketplace:command</c>), for plugins that share a name.</summary>
    public string FullyQualifiedName => $"{PluginId}:{Name}";
}

/// <summary>
/// The prompt commands of plugins: every <c>*.md</c> in the folders (or the files) of
/// <see cref="PluginManifest.CommandDirectories"/>, subfolders included, named after the file.
/// </summary>
internal static class PluginCommandFiles
{
    public static IReadOnlyList<PluginCommandFile> Find(PluginManifest manifest)
    {
        var result = new List<PluginCommandFile>();
        foreach (var folder in manifest.CommandDirectories)
        {
            foreach (var relative in ClaudePluginReader.MarkdownFiles(manifest.Directory, folder))
            {
                var name = Path.GetFileNameWithoutExtension(relative);
                if (name.Length > 0 && !name.Any(c => char.IsWhiteSpace(c) || c == ':') && !result.Any(c => c.Name == name))
                {
                    result.Add(new PluginCommandFile(manifest.Id, name, Path.Combine(manifest.Directory, relative)));
                }
            }
        }

        return result;
    }
}
