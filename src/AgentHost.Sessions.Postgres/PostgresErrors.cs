using System.Net.Sockets;
using AgentHost.Hosting;
using Npgsql;

namespace AgentHost.Sessions.Postgres;

/// <summary>
/// Turns the failures a user can fix — a database that cannot be reached, a refused login, a missing database — into
/// messages that name the host and port, the setting and the fix (never the password, never the full connection string).
/// </summary>
internal static class PostgresErrors
{
    /// <summary>The user-facing error, or <see langword="null"/> when the failure is not one of those.</summary>
    public static AgentHostException? Translate(Exception exception, PostgresConnectionString connection, string settingName)
    {
        var where = $"the PostgreSQL session store at {connection.Host}:{connection.Port}";
        return exception switch
        {
            PostgresException { SqlState: "28P01" or "28000" } => new AgentHostException(
                ErrorKind.Configuration,
                $"{where} refused the login of user '{connection.Builder.Username}' ({Reason(exception)}); fix the user or password in {settingName}.",
                exception),
            PostgresException { SqlState: "3D000" } => new AgentHostException(
                ErrorKind.Configuration,
                $"{where} has no database '{connection.Builder.Database}'; create it (createdb {connection.Builder.Database}) or fix {settingName}.",
                exception),
            PostgresException { SqlState: "53300" or "57P03" } => new AgentHostException(
                ErrorKind.Storage,
                $"{where} accepts no connection now ({Reason(exception)}); retry, or raise its max_connections.",
                exception),
            PostgresException => null,
            NpgsqlException { InnerException: SocketException or TimeoutException or IOException } or NpgsqlException { IsTransient: true } => new AgentHostException(
                ErrorKind.Storage,
                $"cannot reach {where} ({Reason(exception.InnerException ?? exception)}); check that PostgreSQL runs there and accepts TCP connections, and that {settingName} names it.",
                exception),
            _ => null,
        };
    }

    private static string Reason(Exception exception) =>
        (exception is PostgresException postgres ? postgres.MessageText : exception.Message).TrimEnd('.');
}
