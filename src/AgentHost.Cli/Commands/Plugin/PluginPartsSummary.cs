using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary>
/// What a plugin's manifest contributes, by name — skills, commands, hooks, MCP and LSP servers — and, for a plugin in
/// another format, every part that is not mapped. Shown by <c>agent plugin install</c> before it asks, and by
/// <c>agent plugin info</c>.
/// </summary>
internal static class PluginPartsSummary
{
    /// <summary>The lines, each a label padded to <paramref name="width"/> and the value; not-mapped parts one per line.</summary>
    public static IEnumerable<string> Lines(PluginManifest m, int width = 13)
    {
        string Label(string label) => label.PadRight(width);
        string Shown(string text) => m.Format == PluginFormat.ClaudeCode ? text.Replace(m.Directory, ClaudePluginReader.RootVariable, StringComparison.Ordinal) : text;
        if (m.Format == PluginFormat.ClaudeCode)
        {
            yield return $"{Label("Format")}Claude Code plugin ({(m.FilePath == m.Directory ? "default layout without plugin.json, named after its folder" : ClaudePluginReader.ManifestPath)})";
        }

        if (m.SkillDirectories.Count > 0)
        {
            var names = SkillNames(m);
            yield return $"{Label("Skills")}{string.Join(", ", m.SkillDirectories.Select(d => d + "/"))}{(names.Count > 0 ? $": {string.Join(", ", names)}" : string.Empty)}";
        }

        var commands = PluginCommandFiles.Find(m);
        if (commands.Count > 0)
        {
            yield return $"{Label("Commands")}{string.Join(", ", commands.Select(c => "/" + c.QualifiedName))}";
        }

        if (m.WorkflowDirectories.Count > 0)
        {
            yield return $"{Label("Workflows")}{string.Join(", ", m.WorkflowDirectories.Select(d => d + "/"))}";
        }

        if (m.HookFiles.Count > 0)
        {
            yield return $"{Label("Hooks")}{string.Join(", ", m.HookFiles)}";
        }

        if (m.LspServers.Count > 0)
        {
            yield return $"{Label("LSP servers")}{string.Join(", ", m.LspServers.Select(s => $"{s.Name} ({Shown(string.Join(' ', [s.Command, .. s.Args]))}; {string.Join(' ', s.FileExtensions)})"))}";
        }

        if (m.McpServers.Count > 0)
        {
            yield return $"{Label("MCP servers")}{string.Join(", ", m.McpServers.Select(s => $"{s.Name} ({Shown(s.Url is { } url ? url.ToString() : string.Join(' ', [s.Command!, .. s.Args]))})"))}";
        }

        if (m.NotMapped.Count > 0)
        {
            yield return $"{Label("NOT MAPPED")}{m.NotMapped.Count} part(s) of this plugin are not supported and will not be used:";
            foreach (var line in m.NotMapped)
            {
                yield return $"{new string(' ', width)}- {line}";
            }
        }
    }

    /// <summary>The skills in the plugin's skill folders: each folder holding a <c>SKILL.md</c>, by its name.</summary>
    public static IReadOnlyList<string> SkillNames(PluginManifest m) =>
        [.. m.SkillDirectories
            .Select(d => Path.Combine(m.Directory, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "SKILL.md", SearchOption.AllDirectories))
            .Select(f => Path.GetFileName(Path.GetDirectoryName(f))!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
}
