using System.CommandLine;
using System.Globalization;
using System.Runtime.CompilerServices;
using AgentHost.Cli;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Server;
using AgentHost.Server.Http;
using AgentHost.Server.Users;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli.Commands.Serve;

/// <summary>
/// <c>agent serve</c>: hosts the server component (<see cref="ApiServer"/>: the headless multi-session service, an
/// HTTP+JSON API under <c>/v1</c> with live events) on 127.0.0.1 (or a Unix socket / named pipe) with a bearer token.
/// The command reads its options and configuration and reports; the server does the rest. docs/server.md.
/// </summary>
internal sealed class ServeCommand : AgentCommand
{
    private const int DefaultPort = 4141;
    private const long DefaultMaxRequestBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan DefaultPermissionTimeout = TimeSpan.FromMinutes(5);

    private readonly PluginOptions _plugins = new();
    private readonly Option<int?> _port = new("--port") { Description = $"The port (default: config server.port, else {DefaultPort}; 0 picks a free one).", HelpName = "PORT" };
    private readonly Option<string> _host = new("--host")
    {
        Description = "The address to bind (default 127.0.0.1); anything but loopback exposes the API to the network (the token is still required).",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    private readonly Option<string?> _socket = new("--socket") { Description = "Listen on this Unix domain socket instead of a port (only you may connect; the token is still required).", HelpName = "PATH" };
    private readonly Option<string?> _pipe = new("--pipe") { Description = "Listen on this Windows named pipe instead of a port.", HelpName = "NAME" };
    private readonly Option<string?> _tokenEnv = new("--token-env")
    {
        Description = "The environment variable holding the bearer token every request must carry (default: config server.token_env, else a generated token printed on standard error).",
        HelpName = "VAR",
    };

    private readonly Option<string?> _root = new("--root") { Description = "The project root of sessions that name none (default: the project containing the current directory)." };
    private readonly Option<string?> _model = new("--model", "-m") { Description = "The model of sessions that name none (default: the configured or automatic choice)." };
    private readonly Option<string?> _store = new("--store")
    {
        Description = "The session store: a postgres://user:password@host:5432/database URI (default: config server.store, else the SQLite store in the data folder). Prefer AGENT_SERVER__STORE for a password: arguments are visible to other users.",
        HelpName = "URI",
    };

    private readonly Option<string?> _cluster = new("--cluster")
    {
        Description = "Join a cluster of agent serve nodes (docs/cluster.md): sessions live in the PostgreSQL store, which also holds the cluster's membership; give its URI here or in --store / server.store / AGENT_SERVER__STORE.",
        HelpName = "URI",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public ServeCommand(CliContext context)
        : base("serve", "Serve sessions over an HTTP+JSON API with live events (SSE) on 127.0.0.1, for other programs; see docs/server.md.", context)
    {
        _plugins.AddTo(this);
        foreach (var option in new Option[] { _port, _host, _socket, _pipe, _tokenEnv, _root, _model, _store, _cluster })
        {
            Options.Add(option);
        }
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken) => ServeAsync(parseResult, cancellationToken);

    /// <summary>The server (its own method, so ordinary commands never load the ASP.NET assemblies).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<int> ServeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = SessionFrontEnd.Checked(Context.Configuration(parseResult));
        var listen = Listen(parseResult, configuration);
        var token = BearerTokens.Resolve(Context.Environment, configuration, parseResult.GetValue(_tokenEnv), "server.token_env");
        // A member's session is not the server: each process it starts gets the allow-list environment (server.session_env
        // adds names), never the server's token, keys or store URI; hooks and stdio MCP servers run in its sandbox.
        Context.UseServerSessions();
        var root = parseResult.GetValue(_root) is { } r ? Path.GetFullPath(r, Context.Environment.CurrentDirectory) : configuration.ProjectRoot;
        if (!Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--root {root}: no such directory.");
        }

        if (listen.SocketPath is null && listen.PipeName is null && !LoopbackWebHost.IsLoopback(listen.Host))
        {
            Context.Console.WriteInfo($"warning: --host {listen.Host} is not loopback: anyone who can reach it and has the token can run the agent in {root}.");
        }

        var plugins = _plugins.Requested(parseResult).Select(p => PluginChoice.NameOf(p, Context.Environment.CurrentDirectory)).ToList();
        var defaults = new ServerDefaults(root, plugins, parseResult.GetValue(_plugins.NoDefaults), parseResult.GetValue(_model), Seconds(configuration, "server.permission_timeout") ?? DefaultPermissionTimeout)
        {
            IdleTimeout = Seconds(configuration, "server.idle_timeout"),
        };
        var maxBytes = configuration.Get("server.max_request_bytes") is { } max && long.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0 ? bytes : DefaultMaxRequestBytes;
        var roots = ServerRoots.From(configuration, root);
        var inputs = await ServerSandboxCheck.InputsAsync(configuration, Context.Paths, root, cancellationToken).ConfigureAwait(false);
        // Disposed after the server (declared before it): the last spans and metrics are flushed once the turns ended.
        using var telemetry = TelemetryStart.StartForServer(configuration, Context.Environment, out var scrapeEndpoint);
        var retention = Sessions.SessionRetention.FromConfiguration(configuration);
        var storeOption = StoreOption(parseResult);
        var store = await OpenStoreAsync(storeOption, configuration, cancellationToken).ConfigureAwait(false);
        var loggers = Context.LoggerFactory(parseResult);
        var node = parseResult.GetResult(_cluster) is null ? null : await JoinClusterAsync(storeOption, configuration, roots.All, loggers, cancellationToken).ConfigureAwait(false);
        if (node is { Unauthenticated: true })
        {
            Context.Console.WriteInfo("warning: server.cluster.tls.mode is off: node-to-node traffic (the silo port) is neither authenticated nor encrypted, and anyone who reaches that port can act as a node of this cluster. Keep it on a private network (docs/cluster.md, \"Between nodes\").");
        }
        // A cluster node joins the server's own host: its silo starts (joins) before Kestrel listens, and the server's stop
        // drains it and has it leave before the server lets its sessions go.
        await using var server = await ApiServer.StartAsync(
            new ApiServerOptions(listen, token.Value, defaults, maxBytes, AgentVersion.Current) { Roots = roots, Inputs = inputs, Limits = ServerLimits.From(configuration), Jwt = ServerJwt.From(configuration, root), Endpoints = scrapeEndpoint, LoggerFactory = loggers, Node = node?.Hosted },
            Context.ProjectRoots(parseResult),
            store,
            Context.Environment,
            TimeProvider.System,
            cancellationToken).ConfigureAwait(false);
        // Disposed before the server: pruning by session.retention_days / max_sessions runs in the background from the
        // start (sessions the server has open hold their lease and are left), and ends before the server stops.
        await using var pruning = BackgroundRetention.Now(retention, store, TimeProvider.System, () => [], loggers.CreateLogger("AgentHost.Sessions.Retention"));
        var where = listen.SocketPath is { } socket ? $"unix:{socket}" : listen.PipeName is { } pipe ? $"pipe:{pipe}" : server.Address.ToString();
        Context.Console.WriteInfo($"agent serve: listening on {where} (root {root}; API under /v1, described at {ApiServer.OpenApiPath}; Ctrl+C stops){(node is null ? string.Empty : "; " + node.Describe)}");
        if (inputs.StartNotice is { } notice)
        {
            Context.Console.WriteInfo(notice);
        }

        if (token.Generated)
        {
            // Standard error only: never logged, never in events.
            Context.Console.WriteInfo($"token: {token.Value}");
        }

        try
        {
            await server.WarmUp.WaitAsync(cancellationToken).ConfigureAwait(false);
            Context.Console.WriteInfo("agent serve: ready");
        }
        catch (AgentHostException ex)
        {
            // The server keeps running: sessions of other roots or plugins may work, and this one is tried again at its next use.
            Context.Console.WriteInfo($"warning: the plugins of {root} did not load: {ex.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while loading.
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposing the server stops its host; on a node, the node drains and leaves first, while the server still
            // serves (HTTP and event streams): its grains let their sessions go, and other nodes take the next calls for them.
            Context.Console.WriteInfo(node is null
                ? $"agent serve: stopping ({server.RunningTurns} running turns are cancelled and recorded as interrupted)"
                : $"agent serve: stopping (the node drains: {server.RunningTurns} running turns may finish for server.cluster.drain_timeout, then its workflow runs are handed over to other nodes)");
        }

        return ExitCodes.Success;
    }

    /// <summary>The store option: <c>--cluster URI</c> (which is the store too), else <c>--store</c>.</summary>
    private string? StoreOption(ParseResult parseResult)
    {
        var cluster = parseResult.GetValue(_cluster);
        var store = parseResult.GetValue(_store);
        return cluster is not null && store is not null && !string.Equals(cluster.Trim(), store.Trim(), StringComparison.Ordinal)
            ? throw new AgentHostException(ErrorKind.Usage, "--cluster and --store name different databases; a cluster's sessions live in its own database: give one of them.")
            : cluster ?? store;
    }

    /// <summary>Readies the node of the cluster whose membership and sessions live in the PostgreSQL store (it joins when the server starts).</summary>
    private async Task<ClusterStart.Node> JoinClusterAsync(string? storeOption, ConfigurationSnapshot configuration, IReadOnlyList<string> roots, Microsoft.Extensions.Logging.ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var chosen = ServeStore.Choose(storeOption, configuration)
            ?? throw new AgentHostException(ErrorKind.Configuration, "--cluster needs the PostgreSQL store, where the cluster's sessions and membership live: give --cluster postgres://user:password@host:5432/database, or set server.store (AGENT_SERVER__STORE).");
        return await ClusterStart.CreateAsync(chosen.Value, chosen.SettingName, configuration, Context.Environment, roots, loggers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The PostgreSQL store when <c>--store</c> or <c>server.store</c> names one (made this run's store), else the SQLite default.</summary>
    private async Task<Sessions.ISessionStore> OpenStoreAsync(string? storeOption, ConfigurationSnapshot configuration, CancellationToken cancellationToken)
    {
        var opened = await ServeStore.OpenAsync(Context, storeOption, configuration, cancellationToken).ConfigureAwait(false);
        if (opened.IsPostgres)
        {
            Context.Console.WriteInfo($"agent serve: sessions in {opened.Store.Location}");
        }

        return opened.Store;
    }

    private LoopbackWebHost.ListenAddress Listen(ParseResult parseResult, ConfigurationSnapshot configuration)
    {
        var socket = parseResult.GetValue(_socket);
        var pipe = parseResult.GetValue(_pipe);
        if (socket is not null && pipe is not null)
        {
            throw new AgentHostException(ErrorKind.Usage, "use either --socket PATH or --pipe NAME, not both.");
        }

        if (pipe is not null && !OperatingSystem.IsWindows())
        {
            throw new AgentHostException(ErrorKind.Usage, "--pipe: named pipes are a Windows transport; use --socket PATH (a Unix domain socket) here.");
        }

        var port = parseResult.GetValue(_port)
            ?? (configuration.Get("server.port") is { } text ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var configured) ? configured : -1 : DefaultPort);
        if (port is < 0 or > 65535)
        {
            throw new AgentHostException(ErrorKind.Usage, $"port {port}: not a port (0-65535; 0 picks a free one); check --port and server.port.");
        }

        return new LoopbackWebHost.ListenAddress(parseResult.GetValue(_host) ?? "127.0.0.1", port)
        {
            SocketPath = socket is null ? null : Path.GetFullPath(socket, Context.Environment.CurrentDirectory),
            PipeName = pipe,
        };
    }

    private static TimeSpan? Seconds(ConfigurationSnapshot configuration, string key) =>
        configuration.Get(key) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : throw new AgentHostException(ErrorKind.Configuration, $"{key}: '{text}' is not a number of seconds; give e.g. 300.")
            : null;
}
