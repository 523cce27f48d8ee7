using System.CommandLine;
using AgentHost.Agent.Composition;
using AgentHost.Agent.Plugins;
using AgentHost.Agent.Service;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;

namespace AgentHost.Cli;

/// <summary>The plugins a run or chat loads by name (<see cref="Requested"/>, <see cref="Defaults"/>), and what its session records (<see cref="Recorded"/>).</summary>
internal sealed record PluginChoice(IReadOnlyList<string> Requested, IReadOnlyList<string> Defaults, IReadOnlyList<string> Recorded)
{
    /// <summary>
    /// A new session: the <c>--plugin</c> ones and the default plugins (none with <c>--no-default-plugins</c>). A resumed
    /// session that recorded its plugins: those again (the default plugins it had included, minus them with
    /// <c>--no-default-plugins</c>) plus the <c>--plugin</c> ones; the session records the result. A plugin folder is
    /// recorded by its absolute path, so that the session resumes from any directory.
    /// </summary>
    public static PluginChoice Choose(CliContext context, PluginOptions options, ParseResult parseResult, ConfigurationSnapshot configuration, PluginRuntime runtime, RememberedRun? remembered)
    {
        var installed = runtime.ListInstalled().Select(p => p.Locked.Id).ToHashSet(StringComparer.Ordinal);
        var typed = options.Requested(parseResult).Select(name => installed.Contains(name) ? name : NameOf(name, context.Environment.CurrentDirectory)).ToList();
        if (remembered?.Plugins is { } before)
        {
            var dropped = parseResult.GetValue(options.NoDefaults) ? configuration.DefaultPlugins : [];
            var again = before.Where(p => !dropped.Contains(p)).Concat(typed).Distinct(StringComparer.Ordinal).ToList();
            return new PluginChoice(again, [], again);
        }

        var defaults = options.Defaults(parseResult, configuration);
        return new PluginChoice(typed, defaults, new ProjectRootPlugins(typed, defaults).Recorded(installed));
    }

    /// <summary>How a <c>--plugin</c> name is recorded and sent (<see cref="PluginNames.Recorded"/>).</summary>
    public static string NameOf(string name, string directory) => PluginNames.Recorded(name, directory);
}
