using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Agent.Hooks;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Cli.Commands.Hooks;

/// <summary>
/// <c>agent hooks list</c>: every configured hook (user config, project config, loaded plugins' hook files) with its
/// event, matcher, command and source; a project's hooks say whether they are active or wait for <c>agent trust</c>.
/// </summary>
internal sealed class HooksListCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };

    public HooksListCommand(CliContext context)
        : base("list", "List every configured hook: event, matcher, command, where it is configured, and whether it runs.", context)
    {
        _plugins.AddTo(this);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = Context.Configuration(parseResult);
        var hooks = await LoadAsync(Context, _plugins, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(
                new
                {
                    hooks = hooks.Hooks.Select(h => new
                    {
                        @event = h.Event,
                        matcher = h.Matcher,
                        command = h.Command,
                        timeout_seconds = h.Timeout.TotalSeconds,
                        origin = h.Origin.ToString().ToLowerInvariant(),
                        plugin = h.PluginId,
                        source = h.Source,
                        active = h.Active,
                        status = Status(h),
                    }),
                    problems = hooks.Problems,
                },
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (hooks.Hooks.Count == 0)
        {
            Context.Console.WriteLine("No hooks. Add a 'hooks:' section to your config.yaml (docs/hooks.md), or load a plugin with hook files.");
        }
        else
        {
            TextTable.Write(Context.Console, ["EVENT", "MATCHER", "COMMAND", "TIMEOUT", "STATUS", "SOURCE"], hooks.Hooks.Select(h => new[]
            {
                h.Event,
                h.Matcher.Length == 0 ? "*" : h.Matcher,
                h.Command.ReplaceLineEndings(" "),
                h.Timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s",
                Status(h),
                h.Origin == HookOrigin.Plugin ? $"plugin {h.PluginId}: {h.Source}" : h.Source,
            }).ToList());
        }

        foreach (var problem in hooks.Problems)
        {
            Context.Console.WriteInfo("warning: " + problem);
        }

        if (hooks.Hooks.Any(h => !h.Active))
        {
            Context.Console.WriteInfo($"The project's hooks run only once you trust it: review {configuration.ProjectConfigFile}, then run 'agent trust'.");
        }

        return ExitCodes.Success;
    }

    private static string Status(HookDefinition hook) => hook.Active ? "active" : "waiting for 'agent trust'";

    /// <summary>The hooks a session here would have (plugins loaded as a run loads them).</summary>
    public static async Task<HookConfiguration> LoadAsync(CliContext context, PluginOptions plugins, ParseResult parseResult, ConfigurationSnapshot configuration, CancellationToken cancellationToken)
    {
        await using var project = await plugins.OpenAsync(context, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        return HookConfiguration.Load(configuration, SessionHookSetup.PluginFiles(project.Runtime));
    }
}
