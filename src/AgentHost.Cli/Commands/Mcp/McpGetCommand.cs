using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Agent.Mcp;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Commands.Mcp;

/// <summary>
/// <c>agent mcp get NAME</c>: one server's definition (where it comes from, what it runs or where it connects; secret
/// values shown as <c>***</c>), started now as a session starts it, with its state, tools and last error.
/// </summary>
internal sealed class McpGetCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The server's name (as 'agent mcp list' shows it)." };
    private readonly PluginOptions _plugins = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };

    public McpGetCommand(CliContext context)
        : base("get", "Show one MCP server's definition, start it, and show its state, tools and last error.", context)
    {
        Arguments.Add(_name);
        _plugins.AddTo(this);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!.Trim();
        var configuration = Context.Configuration(parseResult);
        var definitions = await McpDefinitions.CollectAsync(Context, _plugins, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        var definition = definitions.FirstOrDefault(d => d.Name == name)
            ?? throw new AgentHostException(ErrorKind.NotFound, $"there is no MCP server '{name}'{(definitions.Count > 0 ? $" (there are: {string.Join(", ", definitions.Select(d => d.Name))})" : string.Empty)}; 'agent mcp add' adds one.");
        // Started as 'agent mcp list' starts it: its listing refreshes the cache a lazy server is offered from.
        var options = new McpStartOptions { CacheDirectory = McpStartOptions.CacheDirectoryOf(Context.Paths), RefreshCache = true };
        await using var servers = await McpSessionServers.StartAsync([definition], configuration.ProjectRoot, options, cancellationToken).ConfigureAwait(false);
        var status = servers.Statuses[0];
        var env = Shown(definition.Environment);
        var headers = Shown(definition.Headers);
        var tools = servers.Tools.Where(t => McpServerNames.IsToolOf(t.Name, name)).ToList();
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(
                new
                {
                    name = definition.Name,
                    source = definition.Source,
                    transport = definition.Transport.ToString().ToLowerInvariant(),
                    command = definition.Command,
                    args = definition.Args,
                    env,
                    url = definition.Url?.ToString(),
                    headers,
                    start_timeout = definition.StartTimeout.TotalSeconds,
                    state = status.State.ToString().ToLowerInvariant(),
                    tools = tools.Select(t => (ToolCapability)t.Capability).Select(t => new { name = t.Function.Name, effect = t.Metadata.Effect.ToString().ToLowerInvariant(), description = t.Function.Description }),
                    error = status.Error,
                },
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        var rows = new List<string[]>
        {
            new[] { "source", definition.Source },
            new[] { "transport", definition.Transport.ToString().ToLowerInvariant() },
            new[] { definition.Transport == McpTransport.Stdio ? "command" : "url", definition.Target },
        };
        rows.AddRange(env.Select(p => new[] { "env", $"{p.Key}={p.Value}" }));
        rows.AddRange(headers.Select(p => new[] { "header", $"{p.Key}: {p.Value}" }));
        rows.Add(["start timeout", $"{definition.StartTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"]);
        rows.Add(["state", status.State == McpServerState.Ready ? $"ready, {status.ToolCount} tools" : "failed"]);
        Context.Console.WriteLine(name);
        foreach (var row in rows)
        {
            Context.Console.WriteLine($"  {row[0] + ":",-15}{row[1]}");
        }

        if (status.Error is not null)
        {
            Context.Console.WriteLine(status.Error);
        }

        if (tools.Count > 0)
        {
            McpDefinitions.WriteTools(Context.Console, tools);
        }

        return status.State == McpServerState.Ready ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>Variables and headers as they may be shown: a secret-looking name's value is <c>***</c>.</summary>
    private static SortedDictionary<string, string> Shown(IReadOnlyDictionary<string, string> pairs) =>
        new(pairs.ToDictionary(p => p.Key, p => SecretRedaction.Redact(p.Key, p.Value)), StringComparer.Ordinal);
}
