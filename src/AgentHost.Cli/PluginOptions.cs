using System.CommandLine;

namespace AgentHost.Cli;

/// <summary>The <c>--plugin</c> option shared by commands that load plugins for a run.</summary>
internal static class PluginOptions
{
    public static Option<string[]> Create() => new("--plugin", "-p")
    {
        Description = "Also load this plugin: an installed id (even if disabled), a bundled catalog id, or a plugin folder. Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };
}
