using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using AgentHost.Cluster;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Server;
using AgentHost.Sessions.Postgres;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli.Commands.Serve;

/// <summary>
/// <c>agent serve --cluster</c>: joins this server to its cluster (docs/cluster.md). Only the methods here name the
/// cluster component's types, and they are not inlined: plain <c>agent serve</c> never loads it or Orleans.
/// </summary>
internal static class ClusterStart
{
    /// <summary>The longest <c>server.cluster.drain_timeout</c>: an hour (a stop that waits longer is a hung stop).</summary>
    private const int MaxDrainSeconds = 3600;

    /// <summary>The shortest <c>server.cluster.workflow_check</c>: a second (each check reads the store once per running run).</summary>
    private const int MinWorkflowCheckSeconds = 1;

    /// <summary>The longest <c>server.cluster.workflow_check</c>: a day.</summary>
    private const int MaxWorkflowCheckSeconds = 86400;

    /// <summary>The range of <c>server.cluster.probe_timeout</c>, in seconds.</summary>
    private const double MinProbeSeconds = 0.5, MaxProbeSeconds = 60;

    /// <summary>A node ready to join: the server hosts it (its silo joins the server's own host, and leaves when the server stops).</summary>
    /// <param name="Hosted">The node, for <see cref="ApiServerOptions.Node"/>.</param>
    /// <param name="Describe">Where the node is, for the start line.</param>
    /// <param name="Unauthenticated">Whether node-to-node traffic is neither authenticated nor encrypted (<c>server.cluster.tls.mode: off</c>): the command warns.</param>
    internal sealed record Node(ServerNode Hosted, string Describe, bool Unauthenticated);

    /// <summary>The node's settings, which a project's configuration cannot set.</summary>
    private static readonly string[] Keys =
    [
        "server.cluster.id", "server.cluster.address", "server.cluster.port", "server.cluster.drain_timeout", "server.cluster.workflow_check", "server.cluster.probe_timeout",
        "server.cluster.tls.mode", "server.cluster.tls.certificate", "server.cluster.tls.password_env",
    ];

    /// <summary>The node's settings, checked (a project's configuration cannot set them: the store's rule).</summary>
    /// <exception cref="AgentHostException">A bad address, port, drain time-out or workflow check, or a setting in a project file.</exception>
    public static (string ClusterId, IPAddress Address, int Port, TimeSpan DrainTimeout, TimeSpan WorkflowCheck, TimeSpan ProbeTimeout) Settings(ConfigurationSnapshot configuration)
    {
        foreach (var key in Keys)
        {
            if (configuration.Explain(key) is { Layer: ConfigLayer.Project } entry)
            {
                throw new AgentHostException(ErrorKind.Configuration, $"{key} is set in {entry.Source}: a project's configuration cannot place this server in a cluster. Set it in your user configuration or the environment.");
            }
        }

        var id = configuration.Get("server.cluster.id") is { Length: > 0 } name ? name : ClusterNodeOptions.DefaultClusterId;
        var address = configuration.Get("server.cluster.address") is { } text
            ? IPAddress.TryParse(text, out var parsed) ? parsed : throw new AgentHostException(ErrorKind.Configuration, $"server.cluster.address: '{text}' is not an IP address; give the address other nodes reach this one at, e.g. 10.0.0.5.")
            : IPAddress.Loopback;
        var port = configuration.Get("server.cluster.port") is { } portText
            ? int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 0 and <= 65535
                ? number
                : throw new AgentHostException(ErrorKind.Configuration, $"server.cluster.port: '{portText}' is not a port (0-65535; 0 picks a free one).")
            // Nodes on one machine (the loopback address) cannot share a port; nodes on several machines get Orleans' usual one.
            : IPAddress.IsLoopback(address) ? 0 : ClusterNodeOptions.DefaultPort;
        var drain = Seconds(configuration, "server.cluster.drain_timeout", 0, MaxDrainSeconds, ClusterNodeOptions.DefaultDrainTimeout, "give e.g. 30 (0: running turns are recorded as interrupted at once)");
        var check = Seconds(configuration, "server.cluster.workflow_check", MinWorkflowCheckSeconds, MaxWorkflowCheckSeconds, ClusterNodeOptions.DefaultWorkflowCheck, "give e.g. 60 (how often the cluster checks that a node still runs each workflow run)");
        var probe = Seconds(configuration, "server.cluster.probe_timeout", MinProbeSeconds, MaxProbeSeconds, ClusterNodeOptions.DefaultProbeTimeout, "give e.g. 2 (longer on a slow or busy network: fewer false alarms, slower failover)");
        return (id, address, port, drain, check, probe);
    }

    /// <summary>
    /// How the node authenticates the other nodes (docs/cluster.md "Between nodes"): <c>server.cluster.tls.mode</c>
    /// (<c>auto</c>, the default, or <c>off</c>), and <c>server.cluster.tls.certificate</c> (relative to the current
    /// directory) with its password in the variable <c>server.cluster.tls.password_env</c> names.
    /// </summary>
    /// <exception cref="AgentHostException">An unknown mode, a password variable that is unset, or one without a certificate.</exception>
    public static (ClusterTlsMode Mode, ClusterCertificateFile? Certificate) Tls(ConfigurationSnapshot configuration, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var mode = configuration.Get("server.cluster.tls.mode") switch
        {
            null or "auto" => ClusterTlsMode.Auto,
            "off" => ClusterTlsMode.Off,
            var other => throw new AgentHostException(ErrorKind.Configuration, $"server.cluster.tls.mode: '{other}' is not a mode; give auto (mutual TLS with the cluster's certificate, the default) or off (no authentication between nodes: only on a private network)."),
        };
        var variable = configuration.Get("server.cluster.tls.password_env") is { Length: > 0 } name ? name : null;
        if (configuration.Get("server.cluster.tls.certificate") is not { Length: > 0 } path)
        {
            return variable is null
                ? (mode, null)
                : throw new AgentHostException(ErrorKind.Configuration, $"server.cluster.tls.password_env is set ({variable}) but server.cluster.tls.certificate is not: give the certificate file the password opens, or remove the setting.");
        }

        var password = variable is null ? null
            : environment.Get(variable) is { Length: > 0 } value ? value
            : throw new AgentHostException(ErrorKind.Configuration, $"server.cluster.tls.password_env names {variable}, which is not set (or empty); set it to the password of {path}, or remove the setting if the file has none.");
        return (mode, new ClusterCertificateFile(Path.GetFullPath(path, environment.CurrentDirectory), password));
    }

    /// <summary>A setting in seconds within [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when unset.</summary>
    /// <exception cref="AgentHostException">Not such a number: names the setting, the range and <paramref name="hint"/>.</exception>
    private static TimeSpan Seconds(ConfigurationSnapshot configuration, string key, double min, double max, TimeSpan fallback, string hint)
    {
        if (configuration.Get(key) is not { } text)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= min && seconds <= max
            ? TimeSpan.FromSeconds(seconds)
            : throw new AgentHostException(ErrorKind.Configuration, string.Create(CultureInfo.InvariantCulture, $"{key}: '{text}' is not a number of seconds from {min} to {max}; {hint}."));
    }

    /// <summary>
    /// Readies the node on the store's database, serving <c>roots</c> (the server's roots, every caller's): the node
    /// publishes them, and sessions are placed on nodes that serve their root. It joins when the server's host starts.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task<Node> CreateAsync(string store, string settingName, ConfigurationSnapshot configuration, HostEnvironment environment, IReadOnlyList<string> roots, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var (id, address, port, drain, check, probe) = Settings(configuration);
        var (mode, certificate) = Tls(configuration, environment);
        var options = new ClusterNodeOptions(PostgresConnectionString.Parse(store, settingName), id, address, port)
        {
            DrainTimeout = drain, WorkflowCheck = check, ProbeTimeout = probe, Roots = roots, TlsMode = mode, TlsCertificate = certificate,
        };
        var node = await ClusterNode.CreateAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
        return new Node(node, $"cluster {id}, node {node.Endpoint}, {node.Security}", mode == ClusterTlsMode.Off);
    }
}
