using System.Net;
using AgentHost.Cluster;
using AgentHost.Sessions.Postgres;
using AgentHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// A node as <c>agent serve --cluster</c> starts it (<see cref="ClusterNode.StartAsync"/>, on the real ADO.NET membership
/// and reminder tables): the schema it creates, and the settings it runs with.
/// </summary>
public sealed class ClusterNodeStartTests
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

        await using var node = await ClusterNode.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(3.5), node.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), node.Services.GetRequiredService<IOptions<ReminderOptions>>().Value.MinimumReminderPeriod);
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(database).ToNpgsqlConnectionString("cluster tests"));
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE tablename IN ('orleansmembershiptable', 'orleansreminderstable')", connection);
        Assert.Equal(2L, await tables.ExecuteScalarAsync());
        await using var joined = new NpgsqlCommand("SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = 'start-test' AND status = 3", connection);
        Assert.Equal(1L, await joined.ExecuteScalarAsync());
    }
}
