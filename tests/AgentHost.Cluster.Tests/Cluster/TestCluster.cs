using System.Reflection;
using AgentHost.Cluster;
using AgentHost.Tests.Support;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// An AgentHost cluster in this process: Orleans' <see cref="InProcessTestCluster"/> (its in-memory membership and
/// transport) whose silos are configured as nodes by <see cref="ClusterNode.ConfigureSilo"/>, the same method a real node
/// uses, each silo with its own <see cref="TestNode"/> (server, data folder, store connections) over one database of the
/// tests' PostgreSQL and one workspace. Every node's sessions run the bundled scripted model on <c>script</c>, with the
/// files tools.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    /// <summary>Where the test build put the bundled plugins (artifacts/catalog).</summary>
    private static readonly string Catalog =
        typeof(TestCluster).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CatalogDirectory").Value!;

    /// <summary>How often a workflow run's watch checks it (a real node's default is a minute).</summary>
    public static readonly TimeSpan WorkflowCheck = TimeSpan.FromSeconds(1);

    private readonly TempDirectory _temp;
    private readonly List<TestNode> _nodes = [];

    private TestCluster(TempDirectory temp, InProcessTestCluster orleans, string database)
    {
        _temp = temp;
        Orleans = orleans;
        Database = database;
    }

    /// <summary>The Orleans test cluster (kill or stop a node's silo through it).</summary>
    public InProcessTestCluster Orleans { get; }

    /// <summary>The <c>postgres://</c> URI of the database: the session store of every node.</summary>
    public string Database { get; }

    /// <summary>The workspace every session works in.</summary>
    public string Root => _temp.Combine("ws");

    /// <summary>The nodes, in the order their silos started.</summary>
    public IReadOnlyList<TestNode> Nodes => _nodes;

    /// <summary>Starts <paramref name="count"/> nodes whose sessions play <paramref name="script"/>.</summary>
    /// <param name="count">How many nodes.</param>
    /// <param name="script">The scripted model's conversation (YAML).</param>
    /// <param name="drainTimeout">How long a node that stops lets running turns finish (default one minute).</param>
    /// <remarks>
    /// Reminders (the workflow runs' watch) live in the database's reminder table, as a real node's do, checked every
    /// <see cref="WorkflowCheck"/>.
    /// </remarks>
    public static async Task<TestCluster> StartAsync(short count, string script, TimeSpan? drainTimeout = null)
    {
        var temp = new TempDirectory();
        try
        {
            Directory.CreateDirectory(temp.Combine("ws"));
            var scriptFile = temp.Combine("script.yaml");
            await File.WriteAllTextAsync(scriptFile, script);
            var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("cluster");
            var connection = AgentHost.Sessions.Postgres.PostgresConnectionString.Parse(database).ToNpgsqlConnectionString("cluster tests");
            await using (var source = NpgsqlDataSource.Create(connection))
            {
                await ClusterSchema.EnsureAsync(source, CancellationToken.None);
            }

            var drain = drainTimeout ?? TimeSpan.FromMinutes(1);
            var builder = new InProcessTestClusterBuilder(count);
            builder.Options.ConfigureFileLogging = false;
            builder.ConfigureSilo((_, silo) =>
            {
                ClusterNode.ConfigureSilo(silo, drain, WorkflowCheck, [temp.Combine("ws")]);
                silo.UseAdoNetReminderService(reminders =>
                {
                    reminders.Invariant = "Npgsql";
                    reminders.ConnectionString = connection;
                });

                // A killed silo is declared dead within seconds: the tests wait for that (not for the production defaults).
                silo.Configure<ClusterMembershipOptions>(membership =>
                {
                    membership.ProbeTimeout = TimeSpan.FromSeconds(1);
                    membership.NumMissedProbesLimit = 1;
                    membership.NumVotesForDeathDeclaration = 1;
                });
            });
            // The test's client (Orleans.Client) calls the session grains too: it serializes the server's records as a node does.
            builder.ConfigureClient(client => client.Services.AddSerializer(ClusterSerialization.Configure));
            var orleans = builder.Build();
            await orleans.DeployAsync();
            var cluster = new TestCluster(temp, orleans, database);
            var number = 0;
            foreach (var silo in orleans.Silos)
            {
                var name = $"node{++number}";
                var home = temp.Combine(name);
                Directory.CreateDirectory(home);
                cluster._nodes.Add(await TestNode.StartAsync(silo, name, database, orleans.Options.ClusterId, cluster.Root, home, Catalog, "scripted/" + scriptFile));
            }

            return cluster;
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Kills a node as <c>kill -9</c> does to a process, in this process: its silo stops without grace (its grains let
    /// nothing go), and PostgreSQL ends its connections, which frees its holder lock (its leases are free at once). Its
    /// server stays in memory, a zombie nobody routes to, until the cluster is disposed.
    /// </summary>
    public async Task KillAsync(TestNode node)
    {
        await Orleans.KillSiloAsync(node.Silo);
        await EndConnectionsAsync(node);
    }

    /// <summary>
    /// Ends a node's PostgreSQL connections (as when the network between it and the database breaks, or its process
    /// dies): its holder lock goes, so another node may take its sessions over at once; the node lives on.
    /// </summary>
    public async Task EndConnectionsAsync(TestNode node)
    {
        await using var connection = new NpgsqlConnection(AgentHost.Sessions.Postgres.PostgresConnectionString.Parse(Database).ToNpgsqlConnectionString("cluster tests"));
        await connection.OpenAsync();
        // Only this cluster's database: the tests' PostgreSQL serves clusters of other tests at once, with nodes of the same names.
        // pg_terminate_backend with a timeout waits until each backend has exited (its locks go with it), not only signals it.
        await using var command = new NpgsqlCommand("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity WHERE application_name = @name AND datname = current_database()", connection);
        command.Parameters.AddWithValue("name", node.Name);
        Assert.True((long)(await command.ExecuteScalarAsync())! > 0, $"{node.Name} had no connection to end");
    }

    /// <summary>The node whose silo has the session's grain now, or <see langword="null"/> when none has.</summary>
    public TestNode? HolderOf(string sessionId)
    {
        var grain = Orleans.Client.GetGrain<ISessionGrain>(sessionId).GetGrainId();
        return Orleans.TryGetGrainContext(grain, out var context)
            ? _nodes.Single(n => n.Silo.SiloAddress.Equals(context.Address.SiloAddress))
            : null;
    }

    /// <summary>Deactivates the session's grain as Orleans' idle collection does, and waits until it is gone.</summary>
    public Task DeactivateAsync(string sessionId) => Orleans.DeactivateAsync(Orleans.Client.GetGrain<ISessionGrain>(sessionId).GetGrainId());

    /// <summary>Completes when the session's grain has gone (call before what makes it go).</summary>
    public Task GoneAsync(string sessionId) => Orleans.WaitForDeactivationAsync(Orleans.Client.GetGrain<ISessionGrain>(sessionId).GetGrainId());

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Orleans.DisposeAsync();
        }
        finally
        {
            foreach (var node in _nodes)
            {
                await node.DisposeAsync();
            }

            _temp.Dispose();
        }
    }
}
