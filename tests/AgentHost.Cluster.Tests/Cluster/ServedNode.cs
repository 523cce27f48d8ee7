using System.Net;
using System.Security.Cryptography.X509Certificates;
using AgentHost.Agent.Composition;
using AgentHost.Cluster;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Server;
using AgentHost.Server.Http;
using AgentHost.Sessions.Postgres;
using AgentHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// A node as <c>agent serve --cluster</c> hosts it: <see cref="ClusterNode.CreateAsync"/>, then an <see cref="ApiServer"/>
/// whose one generic host the node joins (the silo and Kestrel in one container), over the cluster's PostgreSQL store,
/// on real TCP on 127.0.0.1. Its default engine has no plugins (these tests look at the node, not at sessions).
/// </summary>
internal sealed class ServedNode : IAsyncDisposable
{
    public const string Token = "served-node-token";

    private readonly TempDirectory _temp;
    private readonly ServiceProvider _services;

    private ServedNode(ClusterNode node, ApiServer server, ServiceProvider services, TempDirectory temp)
    {
        Node = node;
        Server = server;
        _services = services;
        _temp = temp;
    }

    public ClusterNode Node { get; }

    public ApiServer Server { get; }

    /// <summary>The host's services: the grains' container, which is the requests' container.</summary>
    public IServiceProvider Services => Node.Services;

    public X509Certificate2? Certificate => Node.Certificate;

    public string Security => Node.Security;

    public IPEndPoint Endpoint => Node.Endpoint;

    /// <summary>Readies the node (schema, TLS, port), then starts the server that hosts it (the node joins first).</summary>
    public static async Task<ServedNode> StartAsync(ClusterNodeOptions options, ILoggerFactory loggers, CancellationToken cancellationToken, Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder>? endpoints = null)
    {
        var node = await ClusterNode.CreateAsync(options, loggers, cancellationToken);
        var temp = new TempDirectory();
        try
        {
            var root = Directory.CreateDirectory(temp.Combine("ws")).FullName;
            var environment = TestEnvironment.Create(Directory.CreateDirectory(temp.Combine("home")).FullName, root);
            var defaults = new ServerDefaults(root, [], NoDefaultPlugins: true, null, TimeSpan.FromMinutes(1));
            var (server, services) = await ServeAsync(
                new ApiServerOptions(new LoopbackWebHost.ListenAddress("127.0.0.1", 0), Token, defaults, 1 << 20, "test") { Node = node, LoggerFactory = loggers, Endpoints = endpoints },
                options.Store,
                environment,
                cancellationToken);
            return new ServedNode(node, server, services, temp);
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts a node's server as the tests compose one: its own composition (<c>AddAgentHost</c>, the environment's data
    /// folder) and its own connections to the cluster's store; the provider is the caller's to dispose after the server.
    /// </summary>
    internal static async Task<(ApiServer Server, ServiceProvider Services)> ServeAsync(ApiServerOptions options, PostgresConnectionString store, HostEnvironment environment, CancellationToken cancellationToken)
    {
        var sessions = await PostgresSessionStore.OpenAsync(store, SecretScrubber.PatternsOnly, cancellationToken: cancellationToken);
        var services = new ServiceCollection()
            .AddAgentHost(o =>
            {
                o.Environment = environment;
                o.LoadPluginsOnStart = false;
                o.SessionStore = sessions;
            })
            .BuildServiceProvider();
        try
        {
            var server = await ApiServer.StartAsync(options, services.GetRequiredService<ProjectRootFactory>(), sessions, environment, TimeProvider.System, cancellationToken);
            return (server, services);
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await _services.DisposeAsync();
        _temp.Dispose();
    }
}
