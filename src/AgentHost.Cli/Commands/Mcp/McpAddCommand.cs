using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using AgentHost.Agent.Mcp;
using AgentHost.Hosting;
using AgentHost.Hosting.Trust;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Cli.Commands.Mcp;

/// <summary>
/// <c>agent mcp add NAME -- COMMAND [ARGS…]</c> or <c>agent mcp add NAME URL</c>: adds a server to your config.yaml
/// (<c>mcp.servers.NAME</c>, checked like <c>agent config set</c>) or, with <c>--scope project</c>, to the project's
/// <c>.mcp.json</c> (the file peers share).
/// </summary>
internal sealed class McpAddCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The server's name (letters, digits, '-', '_'); its tools become mcp__NAME__TOOL." };

    private readonly Argument<string[]> _target = new("command-or-url")
    {
        Description = "The URL of an HTTP server, or the command and arguments of a stdio server (put them after --: agent mcp add fs -- npx -y @modelcontextprotocol/server-filesystem .).",
        Arity = ArgumentArity.OneOrMore,
    };

    private readonly Option<string?> _transport = new("--transport", "-t") { Description = "stdio, http or sse (default: http for a URL, else stdio)." };

    private readonly Option<string[]> _env = new("--env", "-e") { Description = "An environment variable of a stdio server, KEY=value. Repeatable.", AllowMultipleArgumentsPerToken = false };

    private readonly Option<string[]> _header = new("--header", "-H") { Description = "An HTTP header of an HTTP server, 'Name: value'. Repeatable.", AllowMultipleArgumentsPerToken = false };

    private readonly Option<string?> _tokenEnv = new("--bearer-token-env") { Description = "An HTTP server's bearer token comes from this environment variable (sent as Authorization: Bearer …)." };

    private readonly Option<double?> _timeout = new("--start-timeout") { Description = "Seconds the server may take to start (default: mcp.start_timeout, 20)." };

    private readonly Option<string?> _scope = McpScope.Create("Where to add it: user (your config.yaml, the default) or project (the project's .mcp.json, shared with peers).");

    public McpAddCommand(CliContext context)
        : base("add", "Add an MCP server to your config.yaml (or the project's .mcp.json with --scope project).", context)
    {
        Arguments.Add(_name);
        Arguments.Add(_target);
        Options.Add(_transport);
        Options.Add(_env);
        Options.Add(_header);
        Options.Add(_tokenEnv);
        Options.Add(_timeout);
        Options.Add(_scope);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var server = Parse(parseResult);
        var scope = McpScope.Parse(parseResult.GetValue(_scope)) ?? McpScope.User;
        var configuration = Context.Configuration(parseResult);
        if (scope == McpScope.Project)
        {
            if (server.StartTimeout is not null)
            {
                throw new AgentHostException(ErrorKind.Usage, $".mcp.json has no place for a start timeout; set it in your config.yaml instead: agent config set mcp.servers.{server.Name}.start_timeout {server.StartTimeout.Value.ToString(CultureInfo.InvariantCulture)}.");
            }

            var file = Path.Combine(configuration.ProjectRoot, McpJsonFile.FileName);
            if (McpJsonFileEditor.Contains(file, server.Name))
            {
                throw new AgentHostException(ErrorKind.Usage, $"{file} already has a server '{server.Name}'; remove it first with 'agent mcp remove {server.Name} --scope project'.");
            }

            McpJsonFileEditor.Set(file, server.Name, server.ToJson());
            Report(server, file);
            if (!configuration.Trusts(configuration.ProjectRoot, Context.Paths))
            {
                Context.Console.WriteInfo($"note: this project is not trusted, so sessions do not start the servers of its .mcp.json; review it, then run 'agent trust'.");
            }

            return Task.FromResult(ExitCodes.Success);
        }

        var configFile = Context.Paths.GlobalConfigFile;
        var root = ConfigYamlEditor.Load(configFile);
        if (McpScope.UserServer(root, server.Name) is not null)
        {
            throw new AgentHostException(ErrorKind.Usage, $"{configFile} already has mcp.servers.{server.Name}; remove it first with 'agent mcp remove {server.Name}'.");
        }

        var key = $"{McpServerSources.ServersKey}.{server.Name}";
        ConfigYamlEditor.Set(root, ConfigYamlEditor.Segments(key), server.ToYaml());
        var errors = ConfigYamlEditor.Write(configFile, root, key, Context.Environment, text => Context.Console.WriteInfo(text));
        if (errors.Count > 0)
        {
            return Task.FromResult(ConfigYamlEditor.Refuse(Context, errors, configFile));
        }

        Report(server, configFile);
        return Task.FromResult(ExitCodes.Success);
    }

    private void Report(NewServer server, string file) =>
        Context.Console.WriteLine($"Added MCP server '{server.Name}' ({server.Transport}: {server.TargetText}) to {file}. 'agent mcp get {server.Name}' starts it and shows its tools.");

    private NewServer Parse(ParseResult parseResult)
    {
        var name = parseResult.GetValue(_name)!.Trim();
        if (!McpServerNames.IsValid(name))
        {
            throw new AgentHostException(ErrorKind.Usage, $"'{name}' is not a usable server name; {McpServerNames.Rule}.");
        }

        var target = parseResult.GetValue(_target) ?? [];
        var isUrl = Uri.TryCreate(target[0], UriKind.Absolute, out var url) && url.Scheme is "http" or "https";
        var transport = parseResult.GetValue(_transport)?.Trim().ToLowerInvariant() ?? (isUrl ? "http" : "stdio");
        if (transport is not ("stdio" or "http" or "sse"))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--transport '{transport}' is not one of stdio, http, sse.");
        }

        if (transport != "stdio" && (!isUrl || target.Length > 1))
        {
            throw new AgentHostException(ErrorKind.Usage, $"an {transport} server needs one http(s) URL, e.g. agent mcp add {name} https://mcp.example.com/mcp.");
        }

        var env = Pairs(parseResult.GetValue(_env), '=', "--env", "KEY=value");
        var headers = Pairs(parseResult.GetValue(_header), ':', "--header", "'Name: value'");
        var tokenEnv = parseResult.GetValue(_tokenEnv)?.Trim();
        if (transport == "stdio" && (headers.Count > 0 || tokenEnv is not null))
        {
            throw new AgentHostException(ErrorKind.Usage, "--header and --bearer-token-env are for HTTP servers; a stdio server takes --env.");
        }

        if (transport != "stdio" && env.Count > 0)
        {
            throw new AgentHostException(ErrorKind.Usage, "--env is for stdio servers; an HTTP server takes --header or --bearer-token-env.");
        }

        var timeout = parseResult.GetValue(_timeout);
        if (timeout is not null and not (> 0 and <= 600))
        {
            throw new AgentHostException(ErrorKind.Usage, "--start-timeout must be a number of seconds between 0 and 600.");
        }

        return new NewServer(name, transport, target, env, headers, tokenEnv, timeout);
    }

    private static Dictionary<string, string> Pairs(string[]? values, char separator, string option, string shape)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var at = value.IndexOf(separator, StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new AgentHostException(ErrorKind.Usage, $"{option} '{value}' is not {shape}.");
            }

            pairs[value[..at].Trim()] = value[(at + 1)..].Trim();
        }

        return pairs;
    }

    /// <summary>A server as given on the command line.</summary>
    private sealed record NewServer(
        string Name, string Transport, string[] Target, Dictionary<string, string> Env, Dictionary<string, string> Headers, string? TokenEnv, double? StartTimeout)
    {
        public string TargetText => string.Join(' ', Target);

        public JsonObject ToJson()
        {
            var entry = new JsonObject();
            if (Transport == "stdio")
            {
                entry["command"] = Target[0];
                entry["args"] = new JsonArray([.. Target.Skip(1).Select(a => (JsonNode?)JsonValue.Create(a))]);
                if (Env.Count > 0)
                {
                    entry["env"] = Map(Env);
                }

                return entry;
            }

            entry["type"] = Transport;
            entry["url"] = Target[0];
            var headers = new Dictionary<string, string>(Headers, StringComparer.Ordinal);
            if (TokenEnv is not null)
            {
                // .mcp.json has no token field; peers expand ${VAR} in headers.
                headers.TryAdd("Authorization", $"Bearer ${{{TokenEnv}}}");
            }

            if (headers.Count > 0)
            {
                entry["headers"] = Map(headers);
            }

            return entry;
        }

        public YamlMappingNode ToYaml()
        {
            var entry = new YamlMappingNode();
            if (Transport == "stdio")
            {
                entry.Add("command", Target[0]);
                entry.Add("args", new YamlSequenceNode(Target.Skip(1).Select(a => new YamlScalarNode(a) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted })));
                if (Env.Count > 0)
                {
                    entry.Add("env", Yaml(Env));
                }
            }
            else
            {
                entry.Add("url", Target[0]);
                if (Headers.Count > 0)
                {
                    entry.Add("headers", Yaml(Headers));
                }

                if (TokenEnv is not null)
                {
                    entry.Add("bearer_token_env", TokenEnv);
                }
            }

            if (StartTimeout is { } seconds)
            {
                entry.Add("start_timeout", seconds.ToString(CultureInfo.InvariantCulture));
            }

            return entry;
        }

        private static JsonObject Map(Dictionary<string, string> pairs) => new([.. pairs.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))]);

        private static YamlMappingNode Yaml(Dictionary<string, string> pairs) => new(pairs.Select(p => KeyValuePair.Create<YamlNode, YamlNode>(new YamlScalarNode(p.Key), new YamlScalarNode(p.Value))));
    }
}
