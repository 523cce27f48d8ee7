using System.CommandLine;
using System.Runtime.CompilerServices;
using AgentHost.Agent.Mcp;
using AgentHost.Cli;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Server.Http;
using ModelContextProtocol.Server;

namespace AgentHost.Cli.Commands.Mcp;

/// <summary>
/// <c>agent mcp serve</c>: the host as an MCP server over stdio, or with <c>--http PORT</c> over streamable HTTP on
/// 127.0.0.1 with a bearer token, so other clients (Claude Desktop, VS Code, other agents) can use the loaded plugins'
/// tools. Every call goes through the tool pipeline and the permission system of the project; what would ask is put
/// to the client through elicitation when it supports that, else denied unless a rule (or <c>--allow</c>) allows it.
/// Standard output carries only the protocol (stdio); everything else goes to standard error.
/// </summary>
internal sealed class McpServeCommand : AgentCommand
{
    private readonly HeadlessToolOptions _tools = new();

    private readonly Option<int?> _http = new("--http")
    {
        Description = "Serve streamable HTTP on this port (0 picks a free one) instead of stdio; the URL is printed on standard error.",
        HelpName = "PORT",
    };

    private readonly Option<string> _host = new("--host")
    {
        Description = "The address --http binds (default 127.0.0.1); anything but loopback exposes the tools to the network.",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    private readonly Option<string?> _tokenEnv = new("--token-env")
    {
        Description = "The environment variable holding the bearer token clients must send with --http (default: config mcp.serve.token_env, else a generated token printed on standard error).",
        HelpName = "VAR",
    };

    private readonly Option<bool> _agentTool = new("--agent-tool")
    {
        Description = "Also offer run_agent: a task run as a headless 'agent run' in the served project (its own session; the served --plugin, --allow and --permission-mode apply), answering with its final answer.",
    };

    private readonly Option<string?> _agentModel = new("--agent-model") { Description = "The model run_agent's runs use (default: the configured or automatic choice)." };

    public McpServeCommand(CliContext context)
        : base("serve", "Serve the loaded plugins' tools as an MCP server (stdio, or --http PORT); every call is decided by this project's permission rules, asks go to the client through elicitation or are denied.", context)
    {
        _tools.AddTo(this);
        Options.Add(_http);
        Options.Add(_host);
        Options.Add(_tokenEnv);
        Options.Add(_agentTool);
        Options.Add(_agentModel);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var port = parseResult.GetValue(_http);
        if (port is < 0 or > 65535)
        {
            throw new AgentHostException(ErrorKind.Usage, $"--http {port}: not a port (0-65535; 0 picks a free one).");
        }

        // Checked before the plugins load, so a missing token variable fails at once.
        var token = port is null ? default : BearerToken(parseResult);
        // The token's variable is the agent's own: what the model runs never gets it (nor AGENT_*, mcp.serve.token_env).
        Context.HideVariable(parseResult.GetValue(_tokenEnv));

        // Nobody at a terminal answers questions: asks go to the client through elicitation, else become a denial with the rule that would allow it.
        McpElicitingGate? asking = null;
        await using var tools = await _tools.OpenAsync(
            Context,
            parseResult,
            interactive: false,
            cancellationToken,
            (rules, root) => asking = new McpElicitingGate(rules, AskingMode(parseResult, rules), root, Context.Environment.HomeDirectory),
            parseResult.GetValue(_agentTool) ? root => [McpAgentTool.Create(AgentCommandLine(), root, AgentRunOptions(parseResult))] : null).ConfigureAwait(false);
        foreach (var failure in tools.Loads.Where(r => r.Error is not null))
        {
            Context.Console.WriteInfo($"warning: plugin {failure.PluginId} not loaded: {failure.Error}");
        }

        var server = new McpToolServer(tools.Pipeline, tools.Root, asking);
        var options = server.Options(AgentVersion.Current);
        if (port is { } p)
        {
            await ServeHttpAsync(parseResult, options, asking, p, token, $"{server.ListTools().Tools.Count} tools of {tools.Root}", cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        await using var transport = new StdioServerTransport(options);
        await using var mcp = McpServer.Create(transport, options);
        Context.Console.WriteInfo($"agent mcp serve: {server.ListTools().Tools.Count} tools of {tools.Root} on stdio");
        await mcp.RunAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>The HTTP server (its own method, so ordinary commands never load the ASP.NET assemblies).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task ServeHttpAsync(ParseResult parseResult, McpServerOptions options, McpElicitingGate? asking, int port, (string Value, bool Generated) token, string what, CancellationToken cancellationToken)
    {
        var host = parseResult.GetValue(_host) ?? "127.0.0.1";
        if (!LoopbackWebHost.IsLoopback(host))
        {
            Context.Console.WriteInfo($"warning: --host {host} is not loopback: anyone who can reach it and has the token can call these tools.");
        }

        await using var endpoint = new McpHttpEndpoint(options, asking is null ? null : asking.EndSession);
        await using var web = await LoopbackWebHost.StartAsync(host, port, token.Value, endpoint.HandleAsync, cancellationToken).ConfigureAwait(false);
        var url = new Uri(web.Address, McpHttpEndpoint.Path.TrimStart('/'));
        Context.Console.WriteInfo($"agent mcp serve: {what} on {url} (Ctrl+C stops)");
        if (token.Generated)
        {
            // Standard error only: never logged, never in events.
            Context.Console.WriteInfo($"token: {token.Value}");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Context.Console.WriteInfo("agent mcp serve: stopping");
        }
    }

    /// <summary>How to start this same <c>agent</c>: its executable, or <c>dotnet agent.dll</c> when it runs under the muxer.</summary>
    private static IReadOnlyList<string> AgentCommandLine()
    {
        var process = Environment.ProcessPath ?? throw new AgentHostException(ErrorKind.Internal, "the agent executable's path is unknown.");
        return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? [process, typeof(AgentVersion).Assembly.Location]
            : [process];
    }

    /// <summary>The served options every run_agent run gets.</summary>
    private IReadOnlyList<string> AgentRunOptions(ParseResult parseResult) =>
    [
        .. _tools.Plugins.Requested(parseResult).SelectMany(p => (string[])["--plugin", p]),
        .. parseResult.GetValue(_tools.Plugins.NoDefaults) ? (string[])[PluginOptions.NoDefaultsName] : [],
        .. (parseResult.GetValue(_tools.Allow) ?? []).SelectMany(rule => (string[])["--allow", rule]),
        .. parseResult.GetValue(_tools.PermissionMode) is { } mode ? (string[])["--permission-mode", mode] : [],
        .. parseResult.GetValue(_agentModel) is { } model ? (string[])["--model", model] : [],
    ];

    /// <summary>
    /// The mode a client that can be asked is decided in: the one chosen (<c>--permission-mode</c>, config
    /// <c>permissions.mode</c>), else <c>ask</c> — headless defaults to <c>dont-ask</c> only because nobody could be asked.
    /// </summary>
    private PermissionMode AskingMode(ParseResult parseResult, RulePermissionGate rules) =>
        PermissionModeOption.Parse(parseResult, _tools.PermissionMode) is { } chosen ? chosen
        : rules.Mode == PermissionMode.DontAsk && Context.Configuration(parseResult).Get(PermissionPolicy.ModeKey) is not { Length: > 0 } ? PermissionMode.Ask
        : rules.Mode;

    /// <summary>The bearer token: from --token-env, else config mcp.serve.token_env, else generated for this run.</summary>
    private (string Value, bool Generated) BearerToken(ParseResult parseResult) =>
        BearerTokens.Resolve(Context.Environment, Context.Configuration(parseResult), parseResult.GetValue(_tokenEnv), "mcp.serve.token_env");
}
