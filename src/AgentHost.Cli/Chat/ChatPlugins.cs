using System.CommandLine;
using AgentHost.Agent.Service;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;

namespace AgentHost.Cli.Chat;

/// <summary>The plugins a chat loads, chosen as <c>agent run</c> chooses them (a resumed session's recorded plugins, else --plugin and the defaults).</summary>
internal sealed record ChatPlugins(IReadOnlyList<string> Requested, IReadOnlyList<string> Defaults, IReadOnlyList<string> Recorded)
{
    public static ChatPlugins Choose(CliContext context, PluginOptions options, ParseResult parseResult, ConfigurationSnapshot configuration, PluginRuntime runtime, RememberedRun? remembered)
    {
        var installed = runtime.ListInstalled().Select(p => p.Locked.Id).ToHashSet(StringComparer.Ordinal);
        var typed = options.Requested(parseResult).Select(name => installed.Contains(name) ? name : Absolute(name)).ToList();
        if (remembered?.Plugins is { } before)
        {
            var dropped = parseResult.GetValue(options.NoDefaults) ? configuration.DefaultPlugins : [];
            var again = before.Where(p => !dropped.Contains(p)).Concat(typed).Distinct(StringComparer.Ordinal).ToList();
            return new ChatPlugins(again, [], again);
        }

        var defaults = options.Defaults(parseResult, configuration);
        return new ChatPlugins(typed, defaults, [.. typed.Concat(defaults.Where(d => !installed.Contains(d))).Distinct(StringComparer.Ordinal)]);

        string Absolute(string name)
        {
            var folder = Path.GetFullPath(name, context.Environment.CurrentDirectory);
            return File.Exists(Path.Combine(folder, PluginManifest.FileName)) ? folder : name;
        }
    }
}
