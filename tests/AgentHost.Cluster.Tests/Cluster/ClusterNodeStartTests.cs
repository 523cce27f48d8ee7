using System.Net;
using AgentHost.Cluster;
using AgentHost.Sessions.Postgres;
using AgentHost.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// A node as <c>agent serve --cluster</c> starts it (<see cref="ServedNode"/>: <see cref="ClusterNode.CreateAsync"/> hosted by its server, on the real ADO.NET membership
/// and reminder tables): the schema it creates, and the settings it runs with.
/// </summary>
public sealed partial class ClusterNodeStartTests
{
    [PostgresFact]
    public async Task Start_CreatesTheMembershipAndReminderTables_AndRunsWithTheNodesProbeTimeoutAndWorkflowCheck()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("nodestart");
        var options = new ClusterNodeOptions(PostgresConnectionString.Parse(database), "start-test", IPAddress.Loopback, 0)
        {
            ProbeTimeout = TimeSpan.FromSeconds(3.5),
            WorkflowCheck = TimeSpan.FromSeconds(7),
        };

        await using var node = await ServedNode.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(3.5), node.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), node.Services.GetRequiredService<IOptions<ReminderOptions>>().Value.MinimumReminderPeriod);
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(database).ToNpgsqlConnectionString("cluster tests"));
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE tablename IN ('orleansmembershiptable', 'orleansreminderstable')", connection);
        Assert.Equal(2L, await tables.ExecuteScalarAsync());
        await using var joined = new NpgsqlCommand("SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = 'start-test' AND status = 3", connection);
        Assert.Equal(1L, await joined.ExecuteScalarAsync());
    }

    /// <summary>
    /// One generic host per node: the silo joins the server's host, so a request's services are the grains' container —
    /// the node's server the grains run their calls on, the grain factory, the silo, one application lifetime — and
    /// when the server stops, the node leaves the cluster (its membership row says dead).
    /// </summary>
    [PostgresFact]
    public async Task TheSiloAndTheHttpApi_ShareOneHost_ARequestsServicesAreTheGrainsContainer_AndTheServersStopHasTheNodeLeave()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("onehost");
        (ClusterNodeServer? NodeServer, IGrainFactory Grains, IHostApplicationLifetime Lifetime, IPEndPoint Silo, int Hosts)? seen = null;
        var served = await ServedNode.StartAsync(
            new ClusterNodeOptions(PostgresConnectionString.Parse(database), "one-host", IPAddress.Loopback, 0),
            NullLoggerFactory.Instance,
            CancellationToken.None,
            endpoints => endpoints.MapGet("/probe", async (HttpContext http) =>
            {
                var services = http.RequestServices;
                var grains = services.GetRequiredService<IGrainFactory>();
                // A grain call made with the request's own services.
                var hosts = (await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count;
                seen = (services.GetService<ClusterNodeServer>(), grains, services.GetRequiredService<IHostApplicationLifetime>(), services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint, hosts);
                return Results.Ok();
            }));
        try
        {
            using var http = new HttpClient { BaseAddress = served.Server.Address };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ServedNode.Token);
            using var probed = await http.GetAsync("probe");
            Assert.True(probed.IsSuccessStatusCode, $"{(int)probed.StatusCode} {await probed.Content.ReadAsStringAsync()}");

            var (nodeServer, grains, lifetime, silo, hosts) = Assert.NotNull(seen);
            var node = served.Services;
            // The grains are constructed with the node's server from the same container the request resolved it from.
            Assert.NotNull(nodeServer);
            Assert.Same(node.GetRequiredService<ClusterNodeServer>(), nodeServer);
            Assert.Same(served.Server, nodeServer.Server);
            Assert.Same(node.GetRequiredService<IGrainFactory>(), grains);
            Assert.Same(node.GetRequiredService<IHostApplicationLifetime>(), lifetime);
            Assert.Equal(served.Endpoint, silo);
            Assert.Equal(1, hosts);
        }
        finally
        {
            await served.DisposeAsync();
        }

        // The server's stop stopped the silo too: the node left the cluster (Orleans' SiloStatus.Dead is 6).
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(database).ToNpgsqlConnectionString("cluster tests"));
        await connection.OpenAsync();
        await using var status = new NpgsqlCommand("SELECT status FROM orleansmembershiptable WHERE deploymentid = 'one-host'", connection);
        Assert.Equal(6, Convert.ToInt32(await status.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The node's log in the shared host: warnings and errors of the silo (Orleans' categories, the node's own) reach the
    /// command's loggers, as from the silo's own host before; the web server's own categories stay silent (a request is
    /// never logged), and so does what is below a warning.
    /// </summary>
    [PostgresFact]
    public async Task TheHostsLog_ForwardsTheSilosWarnings_ToTheCommandsLoggers_AndNotTheWebServersOwn()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("onehostlog");
        var log = new ListLoggerProvider();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(log));
        await using var served = await ServedNode.StartAsync(new ClusterNodeOptions(PostgresConnectionString.Parse(database), "one-host-log", IPAddress.Loopback, 0), loggers, CancellationToken.None);

        var host = served.Services.GetRequiredService<ILoggerFactory>();
        var silo = host.CreateLogger("Orleans.Runtime.Probe");
        var node = host.CreateLogger("AgentHost.Cluster.Probe");
        var web = host.CreateLogger("Microsoft.AspNetCore.Server.Kestrel");
        Probe(silo, LogLevel.Warning, "silo warning");
        Probe(node, LogLevel.Error, "node error");
        Probe(silo, LogLevel.Information, "silo information");
        Probe(web, LogLevel.Warning, "web warning");

        Assert.Contains(("Orleans.Runtime.Probe", "silo warning"), log.Entries);
        Assert.Contains(("AgentHost.Cluster.Probe", "node error"), log.Entries);
        Assert.DoesNotContain(log.Entries, e => e.Message is "silo information" or "web warning");
    }

    [LoggerMessage(Message = "{Text}")]
    private static partial void Probe(ILogger logger, LogLevel level, string text);
}
