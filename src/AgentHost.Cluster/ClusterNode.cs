using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using AgentHost.Hosting;
using AgentHost.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;

namespace AgentHost.Cluster;

/// <summary>
/// This process as a node of an AgentHost cluster (docs/cluster.md): an Orleans silo whose membership lives in the session
/// store's PostgreSQL database, hosting the grains of the sessions this node holds and the reminders (in the same database)
/// that move workflow runs off a node that died. It is hosted by the server (<see cref="ApiServerOptions.Node"/>): the
/// silo joins the server's own generic host, so the grains and the HTTP API share one container and one lifetime — the
/// host starts the silo (the node joins), then Kestrel. The server's stop has the node leave first
/// (<see cref="ServerNodeParts.Leave"/>: the silo stops, in which the node drains, its grains let their sessions go and it
/// leaves) while Kestrel still serves and the event streams still deliver; then the server stops its host and lets the rest go.
/// </summary>
public sealed partial class ClusterNode : ServerNode
{
    /// <summary>
    /// How long a routed session call may take before its caller gives up (Orleans' default is 30 s). A call may open a
    /// session, which may first load its plugins on that node (seconds, more on a loaded machine); a caller that gave up
    /// on a call still running would tell its client to retry what may still take effect. A call to a node that dies is
    /// not waited out: the cluster fails it when it declares the node dead.
    /// </summary>
    internal static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(2);

    /// <summary>What a stop allows beyond the drain: the grains' deactivation (each lets its session go) and leaving.</summary>
    private static readonly TimeSpan DeactivationTime = TimeSpan.FromSeconds(30);

    private readonly ClusterNodeOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly string? _connection;
    private readonly ClusterTls.Credential? _credential;
    private readonly IServiceProvider? _silo;
    private IServiceProvider? _services;

    private ClusterNode(ClusterNodeOptions options, IPEndPoint endpoint, ILoggerFactory? loggerFactory, string? connection, ClusterTls.Credential? credential, IServiceProvider? silo)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _connection = connection;
        _credential = credential;
        _silo = silo;
        Endpoint = endpoint;
        Security = credential is null
            ? "node-to-node traffic NOT authenticated or encrypted (server.cluster.tls.mode: off)"
            : $"node-to-node mutual TLS, the cluster's certificate {ClusterTls.Thumbprint(credential.Certificate)} ({credential.Source})";
    }

    /// <summary>The host's services once <see cref="Bind"/> ran: the grains' and the requests' one container (tests read the options the node runs with).</summary>
    internal IServiceProvider Services => _services ?? throw new InvalidOperationException("the node is not hosted yet: the server binds it when it builds its host.");

    /// <summary>Where other nodes reach this one.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>
    /// How the node's silo port is protected, for its start line: mutual TLS with the cluster's certificate (its SHA-256
    /// thumbprint, the same on every node, and where it comes from), or that it is not (<see cref="ClusterTlsMode.Off"/>).
    /// </summary>
    public string Security { get; }

    /// <summary>The cluster's certificate the node presents and pins its peers to; <see langword="null"/> with TLS off.</summary>
    internal X509Certificate2? Certificate => _credential?.Certificate;

    /// <summary>
    /// Readies the node for its host: creates the membership schema when missing, reads the cluster's certificate (making
    /// it when this node is the cluster's first) and picks the silo port. The node joins the cluster when the server's
    /// host starts (<see cref="ApiServerOptions.Node"/>).
    /// </summary>
    /// <param name="options">The store, the cluster's name, this node's address.</param>
    /// <param name="loggerFactory">Where Orleans' warnings and errors go.</param>
    /// <param name="cancellationToken">Cancels the preparation.</param>
    /// <returns>The node, for the server to host.</returns>
    /// <exception cref="AgentHostException">The TLS settings cannot be used (the node does not start without its TLS).</exception>
    public static async Task<ClusterNode> CreateAsync(ClusterNodeOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (options.TlsMode == ClusterTlsMode.Off && options.TlsCertificate is not null)
        {
            throw new AgentHostException(ErrorKind.Configuration, "server.cluster.tls.certificate is set but server.cluster.tls.mode is off: a node either authenticates its peers or does not. Remove one of the two settings.");
        }

        var connection = options.Store.ToNpgsqlConnectionString("agent serve (cluster membership)");
        ClusterTls.Credential? credential = null;
        await using (var database = NpgsqlDataSource.Create(connection))
        {
            await ClusterSchema.EnsureAsync(database, cancellationToken).ConfigureAwait(false);
            if (options.TlsMode != ClusterTlsMode.Off)
            {
                credential = await ClusterTls.ResolveAsync(options, database, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
        }

        var port = options.Port == 0 ? FreePort(options.Address) : options.Port;
        if (credential is null)
        {
            TlsOff(loggerFactory.CreateLogger<ClusterNode>(), options.Address.ToString(), port);
        }

        return new ClusterNode(options, new IPEndPoint(options.Address, port), loggerFactory, connection, credential, silo: null);
    }

    /// <summary>
    /// A node over a silo some other host runs (the in-process test cluster's, whose silos <see cref="ConfigureSilo"/>
    /// made nodes): it adds nothing to the server's host, and its parts come from that silo's services.
    /// </summary>
    /// <param name="silo">The started silo's services.</param>
    /// <param name="endpoint">Where other nodes reach it.</param>
    /// <param name="options">How it joined.</param>
    internal static ClusterNode OnSilo(IServiceProvider silo, IPEndPoint endpoint, ClusterNodeOptions options) =>
        new(options, endpoint, loggerFactory: null, connection: null, credential: null, silo);

    /// <summary>
    /// Adds the silo to the server's host: its logging (warnings and errors, forwarded to the command's; the web server's
    /// own categories stay silent, as a request is never logged), the cluster's membership and reminders in the store's
    /// database, and the node's port with mutual TLS. Its hosted service stops after Kestrel, which is after the node left
    /// (<see cref="Bind"/>'s leave stopped the silo already).
    /// </summary>
    /// <param name="host">The server's host builder.</param>
    public override void Configure(IHostApplicationBuilder host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (_silo is not null)
        {
            return;
        }

        host.Logging.SetMinimumLevel(LogLevel.Warning);
        host.Logging.AddProvider(new ForwardingLoggerProvider(_loggerFactory!));
        // A provider's own rule replaces the minimum level, so it says the level again.
        host.Logging.AddFilter<ForwardingLoggerProvider>((category, level) => level >= LogLevel.Warning && category?.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) != true);
        if (_credential?.Certificate is { } certificate)
        {
            // The host owns the certificate from here: it is disposed with the host.
            host.Services.AddSingleton(_ => certificate);
        }

        host.UseOrleans(silo =>
        {
            ConfigureSilo(silo, _options.DrainTimeout, _options.WorkflowCheck, _options.Roots);
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = _options.ClusterId;
                cluster.ServiceId = "agenthost";
            });
            silo.UseAdoNetClustering(membership =>
            {
                membership.Invariant = "Npgsql";
                membership.ConnectionString = _connection;
            });
            silo.Configure<ClusterMembershipOptions>(membership => membership.ProbeTimeout = _options.ProbeTimeout);
            silo.UseAdoNetReminderService(reminders =>
            {
                reminders.Invariant = "Npgsql";
                reminders.ConnectionString = _connection;
            });
            // No gateway: the front end runs in the silo's process and calls grains directly.
            silo.ConfigureEndpoints(Endpoint.Address, Endpoint.Port, gatewayPort: 0);
            if (_credential is not null)
            {
                ClusterTls.Use(silo, _credential.Certificate);
            }
        });
    }

    /// <summary>
    /// The node's router, status and workflow watch, from the host's services (the same the grains get), and its leave:
    /// the silo's graceful stop (<c>Silo.StopAsync</c>, which returns at once when the silo stopped already), in which
    /// the node drains (<see cref="ClusterNodeDrain"/>). A node over another host's silo (<see cref="OnSilo"/>) leaves
    /// when that host stops its silo: its leave does nothing.
    /// </summary>
    /// <param name="services">The server's built host's services.</param>
    /// <returns>The parts.</returns>
    public override ServerNodeParts Bind(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services = _silo ?? services;
        _services = services;
        var server = services.GetRequiredService<ClusterNodeServer>();
        var grains = services.GetRequiredService<IGrainFactory>();
        var status = new ClusterStatus(grains, services.GetRequiredService<NodeWorkspaces>(), services.GetRequiredService<Orleans.Runtime.MembershipService.SiloMetadata.ISiloMetadataCache>(), _options.ClusterId, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Endpoint.Address}:{Endpoint.Port}"), _options.Store.Location);
        Func<CancellationToken, Task> leave = _silo is null ? services.GetRequiredService<Silo>().StopAsync : _ => Task.CompletedTask;
        return new ServerNodeParts(new GrainSessionCalls(grains, server), status, new GrainWorkflowRunWatch(grains), server.Attach, leave);
    }

    /// <summary>
    /// What makes a silo an AgentHost node, whatever its membership, transport and reminder table: the session grains and
    /// the server they run on (<see cref="ClusterNodeServer"/>), how long a routed call may take (<see cref="CallTimeout"/>),
    /// placement by workspace, the workflow runs' watch (<see cref="WorkflowRunGrain"/>, its reminders allowed as often as
    /// <paramref name="workflowCheck"/>), and the drain of a graceful stop (<see cref="ClusterNodeDrain"/>), for which the
    /// host's shutdown time is the drain's plus time to let the sessions go.
    /// </summary>
    /// <param name="silo">The silo.</param>
    /// <param name="drainTimeout">How long a stop lets running turns finish (<see cref="ClusterNodeOptions.DrainTimeout"/>).</param>
    /// <param name="workflowCheck">How often a workflow run's watch checks it (<see cref="ClusterNodeOptions.WorkflowCheck"/>).</param>
    /// <param name="roots">The workspace roots this node serves (<see cref="ClusterNodeOptions.Roots"/>): placement by workspace.</param>
    internal static void ConfigureSilo(ISiloBuilder silo, TimeSpan drainTimeout, TimeSpan workflowCheck, IReadOnlyList<string> roots)
    {
        silo.UseWorkspacePlacement(new NodeWorkspaces(roots));
        silo.Services.AddSerializer(ClusterSerialization.Configure);
        silo.Services.AddSingleton(new ClusterNodeServer(drainTimeout, workflowCheck));
        silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = workflowCheck < reminders.MinimumReminderPeriod ? workflowCheck : reminders.MinimumReminderPeriod);
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ClusterNodeDrain>();
        silo.Services.Configure<HostOptions>(host => host.ShutdownTimeout = drainTimeout + DeactivationTime);
        silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = CallTimeout);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "server.cluster.tls.mode is off: this node's silo port ({Address}:{Port}) is neither authenticated nor encrypted; anyone who reaches it can act as a node of the cluster (docs/cluster.md, \"Between nodes\")")]
    private static partial void TlsOff(ILogger logger, string address, int port);

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
