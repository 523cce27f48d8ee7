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
/// that move workflow runs off a node that died. Start it, start the server with its
/// <see cref="Router"/>, then <see cref="Attach"/> the server; dispose it before the server (the node drains, leaves the
/// cluster, and its grains let their sessions go).
/// </summary>
public sealed partial class ClusterNode : IAsyncDisposable
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

    private readonly IHost _host;
    private readonly ClusterNodeServer _server;

    /// <summary>The node of a started silo host configured by <see cref="ConfigureSilo"/> (its own, or a test cluster's).</summary>
    /// <param name="host">The started silo host.</param>
    /// <param name="endpoint">Where other nodes reach it.</param>
    /// <param name="options">How it joined.</param>
    /// <param name="credential">The certificate of its mutual TLS; <see langword="null"/> when its silo port has none.</param>
    internal ClusterNode(IHost host, IPEndPoint endpoint, ClusterNodeOptions options, ClusterTls.Credential? credential = null)
    {
        _host = host;
        Certificate = credential?.Certificate;
        Security = credential is null
            ? "node-to-node traffic NOT authenticated or encrypted (server.cluster.tls.mode: off)"
            : $"node-to-node mutual TLS, the cluster's certificate {ClusterTls.Thumbprint(credential.Certificate)} ({credential.Source})";
        _server = host.Services.GetRequiredService<ClusterNodeServer>();
        Endpoint = endpoint;
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        Router = new GrainSessionCalls(grains, _server);
        WorkflowWatch = new GrainWorkflowRunWatch(grains);
        Status = new ClusterStatus(grains, host.Services.GetRequiredService<NodeWorkspaces>(), host.Services.GetRequiredService<Orleans.Runtime.MembershipService.SiloMetadata.ISiloMetadataCache>(), options.ClusterId, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{endpoint.Address}:{endpoint.Port}"), options.Store.Location);
    }

    /// <summary>What the node says of its cluster (<see cref="ApiServerOptions.Cluster"/>, <c>GET /v1/cluster</c>).</summary>
    public IClusterStatus Status { get; }

    /// <summary>Sends session calls to the node that holds the session (<see cref="ApiServerOptions.Router"/>).</summary>
    public ISessionCalls Router { get; }

    /// <summary>Watches the workflow runs this node runs, so that another node resumes them when it dies or stops (<see cref="ApiServerOptions.WorkflowWatch"/>).</summary>
    public IWorkflowRunWatch WorkflowWatch { get; }

    /// <summary>The silo host's services (tests read the options the node runs with).</summary>
    internal IServiceProvider Services => _host.Services;

    /// <summary>Where other nodes reach this one.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>
    /// How the node's silo port is protected, for its start line: mutual TLS with the cluster's certificate (its SHA-256
    /// thumbprint, the same on every node, and where it comes from), or that it is not (<see cref="ClusterTlsMode.Off"/>).
    /// </summary>
    public string Security { get; }

    /// <summary>The cluster's certificate the node presents and pins its peers to; <see langword="null"/> with TLS off.</summary>
    internal X509Certificate2? Certificate { get; }

    /// <summary>
    /// Creates the membership schema when missing, reads the cluster's certificate (making it when this node is the
    /// cluster's first), then starts the silo with mutual TLS on its port and joins the cluster.
    /// </summary>
    /// <param name="options">The store, the cluster's name, this node's address.</param>
    /// <param name="loggerFactory">Where Orleans' warnings and errors go.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running node.</returns>
    /// <exception cref="AgentHostException">The TLS settings cannot be used (the node does not start without its TLS).</exception>
    public static async Task<ClusterNode> StartAsync(ClusterNodeOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
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
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.UseOrleans(silo =>
        {
            ConfigureSilo(silo, options.DrainTimeout, options.WorkflowCheck, options.Roots);
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = "agenthost";
            });
            silo.UseAdoNetClustering(membership =>
            {
                membership.Invariant = "Npgsql";
                membership.ConnectionString = connection;
            });
            silo.Configure<ClusterMembershipOptions>(membership => membership.ProbeTimeout = options.ProbeTimeout);
            silo.UseAdoNetReminderService(reminders =>
            {
                reminders.Invariant = "Npgsql";
                reminders.ConnectionString = connection;
            });
            // No gateway: the front end runs in the silo's process and calls grains directly.
            silo.ConfigureEndpoints(options.Address, port, gatewayPort: 0);
            if (credential is not null)
            {
                ClusterTls.Use(silo, credential.Certificate);
            }
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            credential?.Certificate.Dispose();
            throw;
        }

        return new ClusterNode(host, new IPEndPoint(options.Address, port), options, credential);
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

    /// <summary>Hands the node's grains the server they run calls on.</summary>
    /// <param name="server">The server started with <see cref="Router"/>.</param>
    public void Attach(ApiServer server) => _server.Attach(server);

    /// <summary>
    /// Leaves the cluster gracefully: the node drains (no new turn or session here; running turns finish for
    /// <see cref="ClusterNodeOptions.DrainTimeout"/>, then are recorded as interrupted), its grains deactivate (each
    /// letting its session go), and the silo stops.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
            Certificate?.Dispose();
        }
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
