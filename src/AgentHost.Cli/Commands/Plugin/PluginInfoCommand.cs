using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin info &lt;id&gt;</c>: manifest, install record, load status and every capability.</summary>
internal sealed class PluginInfoCommand : AgentCommand
{
    private readonly Argument<string> _id = new("id") { Description = "The installed plugin's id." };
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };

    public PluginInfoCommand(CliContext context)
        : base("info", "Show an installed plugin's manifest, source, hash, status and capabilities.", context)
    {
        Arguments.Add(_id);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var id = parseResult.GetRequiredValue(_id);
        await using var runtime = Context.CreatePluginRuntime(parseResult);
        var installed = runtime.ListInstalled();
        var plugin = installed.FirstOrDefault(p => p.Locked.Id == id)
            ?? throw new AgentHostException(ErrorKind.NotFound, NotInstalled(id, installed));
        var result = (await runtime.LoadInstalledAsync([id], cancellationToken).ConfigureAwait(false)).Single();
        var console = Context.Console;
        if (parseResult.GetValue(_json))
        {
            // The installed plugin as 'plugin list --json' shows it, plus what its manifest contributes and does not map.
            var described = runtime.Host.Loaded.TryGetValue(id, out var shown) ? shown.Manifest : TryReadManifest(plugin.Directory);
            var json = JsonSerializer.SerializeToNode(PluginFormatting.ToJson(plugin, result), PluginFormatting.Json)!.AsObject();
            JsonArray Strings(IEnumerable<string> values) => [.. values.Select(v => (JsonNode?)JsonValue.Create(v))];
            json["format"] = described?.Format == PluginFormat.ClaudeCode ? "claude-code" : "agenthost";
            json["skills"] = Strings(described is null ? [] : PluginPartsSummary.SkillNames(described));
            json["commands"] = Strings(described is null ? [] : PluginCommandFiles.Find(described).Select(c => c.QualifiedName));
            json["hooks"] = Strings(described?.HookFiles ?? []);
            json["notMapped"] = Strings(described?.NotMapped ?? []);
            console.WriteLine(json.ToJsonString(PluginFormatting.Json));
            return ExitCodes.Success;
        }

        var manifest = runtime.Host.Loaded.TryGetValue(id, out var loaded) ? loaded.Manifest : TryReadManifest(plugin.Directory);
        console.WriteLine($"{plugin.Locked.Id} {plugin.Locked.Version}");
        if (manifest is not null)
        {
            console.WriteLine($"  description:      {manifest.Description}");
            Optional(console, "authors", string.Join(", ", manifest.Authors));
            Optional(console, "license", manifest.License);
            console.WriteLine($"  sdk:              {manifest.Sdk}");
            console.WriteLine($"  code:             {(manifest.HasCode ? manifest.EntryAssembly + " (runs in-process: trusted code)" : "none (manifest only)")}");
            Optional(console, "uses", string.Join(", ", manifest.Uses.Select(u => u.ToString().ToLowerInvariant())));
            Optional(console, "homepage", manifest.Homepage);
            foreach (var line in PluginPartsSummary.Lines(manifest, 18))
            {
                console.WriteLine("  " + line);
            }
        }

        console.WriteLine($"  source:           {plugin.Locked.Source} ({plugin.Locked.Origin})");
        if (plugin.Locked.Git is { } git)
        {
            console.WriteLine($"  git:              {git.Display}");
        }
        console.WriteLine($"  installed:        {plugin.Directory}");
        console.WriteLine($"  sha512:           {plugin.Locked.Sha512}");
        Optional(console, "signature", plugin.Locked.Signature);
        console.WriteLine($"  enabled:          {(plugin.Enabled ? "yes" : "no")} ({plugin.EnabledBy})");
        console.WriteLine($"  status:           {PluginFormatting.Status(result)}");
        if (result.Error is not null)
        {
            console.WriteLine($"  error:            {result.Error}");
        }

        foreach (var capability in result.Capabilities)
        {
            // A declared MCP server is not started by loading the plugin: only a session (or 'agent mcp get') starts it.
            var note = capability.Kind == CapabilityKind.McpServer ? $" (declared, not started here: 'agent mcp get {capability.Name}' starts it)" : string.Empty;
            console.WriteLine($"  {KindLabel(capability.Kind),-18}{capability.QualifiedName}{(capability.Capability.Description is { } d ? " — " + d : string.Empty)}{note}");
        }

        return result.Status == PluginLoadStatus.Loaded ? ExitCodes.Success : ExitCodes.Plugin;
    }

    private static void Optional(Interaction.IConsoleInteraction console, string label, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            console.WriteLine($"  {label + ":",-18}{value}");
        }
    }

    private static string KindLabel(CapabilityKind kind) => kind.ToString().ToLowerInvariant() + ":";

    private static PluginManifest? TryReadManifest(string directory)
    {
        try
        {
            return ManifestReader.ReadFromDirectory(directory);
        }
        catch (AgentHostException)
        {
            return null;
        }
    }

    private static string NotInstalled(string id, IReadOnlyList<InstalledPlugin> installed)
    {
        var hint = CloseMatches.Hint(CloseMatches.Find(id, installed.Select(p => p.Locked.Id)));
        return $"plugin '{id}' is not installed.{(hint.Length > 0 ? hint : " See 'agent plugin list'.")}";
    }
}
