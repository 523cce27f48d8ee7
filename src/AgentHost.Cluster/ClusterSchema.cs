using System.Reflection;
using Npgsql;

namespace AgentHost.Cluster;

/// <summary>
/// Orleans' schema in the store's PostgreSQL database: the vendored scripts (Sql/, pinned to the Orleans version) applied
/// by the first node to start, under a lock so that nodes starting together do not race — the query table and membership
/// first, then reminders (also added to a database whose cluster predates them), then AgentHost's own table of the
/// cluster's credential (<see cref="ClusterCredential"/>, also added to a database whose cluster predates it).
/// </summary>
internal static class ClusterSchema
{
    /// <summary>The advisory lock nodes take while one of them creates the schema ("AGCS").</summary>
    private const long SchemaLock = 0x41474353;

    /// <summary>Each part's table, and its scripts in the order Orleans' documentation gives (the query table first).</summary>
    private static readonly (string Table, string[] Scripts)[] Parts =
    [
        ("orleansmembershiptable", ["PostgreSQL-Main.sql", "PostgreSQL-Clustering.sql"]),
        ("orleansreminderstable", ["PostgreSQL-Reminders.sql"]),
        (ClusterCredential.Table, ["AgentHost-ClusterCredentials.sql"]),
    ];

    /// <summary>Creates what of the schema is not there.</summary>
    public static async Task EnsureAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({SchemaLock})", cancellationToken).ConfigureAwait(false);
        foreach (var (table, scripts) in Parts)
        {
            await using (var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection, transaction))
            {
                exists.Parameters.AddWithValue("table", table);
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                {
                    continue;
                }
            }

            foreach (var script in scripts)
            {
                await ExecuteAsync(connection, transaction, Read(script), cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Read(string script)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("AgentHost.Cluster.Sql." + script)
            ?? throw new InvalidOperationException($"the cluster's schema script {script} is not in the assembly; the build embeds Sql/*.sql.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
