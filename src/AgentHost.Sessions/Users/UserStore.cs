using AgentHost.Hosting;
using System.Data.Common;
using System.Globalization;
using AgentHost.Sessions.Sql;
using static AgentHost.Sessions.Sql.SessionDatabase;

namespace AgentHost.Sessions.Users;

/// <summary>The users of a shared server in the session store, on either engine (the <c>users</c> table and <c>sessions.owner</c>: SQLite schema v9, PostgreSQL v3; <c>token_revocations</c>: v17, v11).</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class UserStore(SessionDatabase database) : IUserStore
{
    private const string Columns = "name, role, created_at, token_created_at";

    public async Task<ServerUser> AddUserAsync(string name, ServerRole role, ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken = default)
    {
        UserNames.Check(name);
        var hash = Hash(tokenHash);
        var now = database.Now();
        var added = await database.WriteAsync(
            (connection, transaction) =>
                ScalarLong(connection, transaction, "SELECT COUNT(*) FROM users WHERE name = @name", ("@name", name)) > 0
                    ? 0
                    : database.Execute(
                        connection,
                        transaction,
                        "INSERT INTO users (name, role, token_hash, created_at, token_created_at) VALUES (@name, @role, @hash, @now, @now)",
                        ("@name", name),
                        ("@role", UserNames.RoleName(role)),
                        ("@hash", hash),
                        ("@now", now)),
            cancellationToken).ConfigureAwait(false);
        return added == 1
            ? new ServerUser(name, role, Time(now), Time(now))
            : throw new AgentHostException(ErrorKind.InUse, $"user '{name}' exists already; give another name, or 'agent server user token {name}' for a new token.");
    }

    public Task<IReadOnlyList<ServerUser>> ListUsersAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<ServerUser>>(
            connection =>
            {
                using var command = Command(connection, null, $"SELECT {Columns} FROM users ORDER BY name");
                using var reader = command.ExecuteReader();
                var users = new List<ServerUser>();
                while (reader.Read())
                {
                    users.Add(Read(reader));
                }

                return users;
            },
            cancellationToken);

    public Task<ServerUser?> FindUserAsync(string name, CancellationToken cancellationToken = default) =>
        FindAsync("name = @key", name, cancellationToken);

    public Task<ServerUser?> FindUserByTokenHashAsync(ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken = default) =>
        FindAsync("token_hash = @key", Hash(tokenHash), cancellationToken);

    public async Task<bool> SetUserTokenAsync(string name, ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken = default)
    {
        var hash = Hash(tokenHash);
        var now = database.Now();
        return await database.WriteAsync(
            (connection, transaction) => database.Execute(
                connection, transaction, "UPDATE users SET token_hash = @hash, token_created_at = @now WHERE name = @name", ("@hash", hash), ("@now", now), ("@name", name)),
            cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> RemoveUserAsync(string name, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(
            (connection, transaction) => database.Execute(connection, transaction, "DELETE FROM users WHERE name = @name", ("@name", name)),
            cancellationToken).ConfigureAwait(false) == 1;

    public async Task<DateTimeOffset> RevokeTokensAsync(string name, CancellationToken cancellationToken = default)
    {
        UserNames.Check(name);
        var now = database.Now();
        var nobodysToken = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await database.WriteAsync(
            (connection, transaction) =>
            {
                database.Execute(
                    connection,
                    transaction,
                    "INSERT INTO token_revocations (name, revoked_at) VALUES (@name, @now) ON CONFLICT (name) DO UPDATE SET revoked_at = excluded.revoked_at",
                    ("@name", name),
                    ("@now", now));
                return database.Execute(
                    connection, transaction, "UPDATE users SET token_hash = @hash, token_created_at = @now WHERE name = @name", ("@hash", nobodysToken), ("@now", now), ("@name", name));
            },
            cancellationToken).ConfigureAwait(false);
        return Time(now);
    }

    public Task<DateTimeOffset?> FindRevocationAsync(string name, CancellationToken cancellationToken = default) =>
        database.ReadAsync(
            connection =>
            {
                using var command = Command(connection, null, "SELECT revoked_at FROM token_revocations WHERE name = @name", ("@name", name));
                return command.ExecuteScalar() is { } at and not DBNull ? Time(Convert.ToInt64(at, CultureInfo.InvariantCulture)) : (DateTimeOffset?)null;
            },
            cancellationToken);

    public async Task SetSessionOwnerAsync(string sessionId, string? owner, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(
            (connection, transaction) =>
            {
                if (database.Execute(connection, transaction, "UPDATE sessions SET owner = @owner WHERE id = @id", ("@owner", owner), ("@id", sessionId)) == 0)
                {
                    throw NotFound(connection, sessionId, transaction);
                }

                return 0;
            },
            cancellationToken).ConfigureAwait(false);

    public Task<IReadOnlyList<UserUsage>> GetUsageAsync(string? owner, DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<UserUsage>>(
            connection =>
            {
                using var command = Command(
                    connection,
                    null,
                    """
                    SELECT owner, day, input_tokens, output_tokens, cost_nanousd FROM user_usage
                    WHERE (CAST(@owner AS TEXT) IS NULL OR owner = @owner) AND day >= @from AND day <= @to
                    ORDER BY owner, day
                    """,
                    ("@owner", owner),
                    ("@from", UsageRows.Day(firstDay)),
                    ("@to", UsageRows.Day(lastDay)));
                using var reader = command.ExecuteReader();
                var usage = new List<UserUsage>();
                while (reader.Read())
                {
                    usage.Add(new UserUsage(
                        reader.GetString(0),
                        DateOnly.ParseExact(reader.GetString(1), UsageRows.DayFormat, CultureInfo.InvariantCulture),
                        reader.GetInt64(2),
                        reader.GetInt64(3),
                        reader.GetInt64(4) / 1_000_000_000m));
                }

                return usage;
            },
            cancellationToken);

    private static byte[] Hash(ReadOnlyMemory<byte> tokenHash) =>
        tokenHash.Length == 32 ? tokenHash.ToArray() : throw new ArgumentException("a token hash is 32 bytes (SHA-256).", nameof(tokenHash));

    private static ServerUser Read(DbDataReader reader) =>
        new(reader.GetString(0), UserNames.ParseRole(reader.GetString(1), "users.role"), Time(reader.GetInt64(2)), Time(reader.GetInt64(3)));

    private Task<ServerUser?> FindAsync(string where, object key, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection =>
            {
                using var command = Command(connection, null, $"SELECT {Columns} FROM users WHERE {where}", ("@key", key));
                using var reader = command.ExecuteReader();
                return reader.Read() ? Read(reader) : null;
            },
            cancellationToken);
}
