using System.CommandLine;
using System.Text.Json;
using AgentHost.Agent.Mcp;
using AgentHost.Cli.Rendering;

namespace AgentHost.Cli.Commands.Mcp;

/// <summary>
/// <c>agent mcp list</c>: every MCP server a session here would connect to, started now as a session starts them, with
/// its source, state, tool count and error; <c>--tools</c> lists the tools with their effect.
/// </summary>
internal sealed class McpListCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };
    private readonly Option<bool> _tools = new("--tools") { Description = "Also list each server's tools (mcp__SERVER__TOOL) with their effect, and its prompts (agent run --prompt SERVER:PROMPT)." };

    public McpListCommand(CliContext context)
        : base("list", "Start every MCP server a session here would use and show its source, state, tools and last error.", context)
    {
        _plugins.AddTo(this);
        Options.Add(_json);
        Options.Add(_tools);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = Context.Configuration(parseResult);
        var definitions = await McpDefinitions.CollectAsync(Context, _plugins, parseResult, configuration, cancellationToken).ConfigureAwait(false);

        // Every server starts (lazy ones too), and their listings refresh the cache lazy servers are offered from.
        var options = new McpStartOptions { CacheDirectory = McpStartOptions.CacheDirectoryOf(Context.Paths), RefreshCache = true };
        await using var servers = await McpSessionServers.StartAsync(definitions, configuration.ProjectRoot, options, cancellationToken).ConfigureAwait(false);
        var prompts = await McpPromptCatalog.ListAsync(servers, cancellationToken).ConfigureAwait(false);
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(
                servers.Statuses.Select(s => new
                {
                    name = s.Definition.Name,
                    source = s.Definition.Source,
                    transport = s.Definition.Transport.ToString().ToLowerInvariant(),
                    target = s.Definition.Target,
                    state = s.State.ToString().ToLowerInvariant(),
                    tools = servers.Tools.Where(t => McpServerNames.IsToolOf(t.Name, s.Definition.Name)).Select(t => t.Name),
                    prompts = prompts.Where(p => p.Server == s.Definition.Name).Select(p => new { name = p.Name, arguments = p.Arguments.Select(a => new { name = a.Name, required = a.Required }) }),
                    error = s.Error,
                }),
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (servers.Statuses.Count == 0)
        {
            Context.Console.WriteLine("No MCP servers. Add one to mcp.servers in your config.yaml, to a trusted project's .mcp.json, or install a plugin that declares one (docs/mcp.md).");
            return ExitCodes.Success;
        }

        TextTable.Write(Context.Console, ["SERVER", "SOURCE", "STATE", "TOOLS", "TARGET"], servers.Statuses.Select(s => new[]
        {
            s.Definition.Name, s.Definition.Source, s.State == McpServerState.Ready ? "ready" : "failed", s.ToolCount.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Definition.Target,
        }).ToList());
        foreach (var failed in servers.Statuses.Where(s => s.Error is not null))
        {
            Context.Console.WriteLine($"{failed.Definition.Name}: {failed.Error}");
        }

        if (parseResult.GetValue(_tools))
        {
            McpDefinitions.WriteTools(Context.Console, servers.Tools);
            if (prompts.Count > 0)
            {
                TextTable.Write(Context.Console, ["PROMPT", "ARGUMENTS", "DESCRIPTION"], prompts.Select(p => new[] { p.Command, p.ArgumentUsage, (p.Description ?? string.Empty).ReplaceLineEndings(" ") }).ToList());
            }
        }

        return ExitCodes.Success;
    }
}
