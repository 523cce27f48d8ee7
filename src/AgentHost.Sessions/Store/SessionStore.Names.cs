using System.Data.Common;
using AgentHost.Hosting;
using AgentHost.Sessions.Sql;
using static AgentHost.Sessions.Sql.SessionDatabase;

namespace AgentHost.Sessions.Store;

/// <content>Finding sessions by what a user types: an id, a unique id prefix, or a name.</content>
public sealed partial class SessionStore
{
    /// <summary>
    /// Finds the session an id, a unique id prefix (case-insensitive) or a name (exact) names. An id wins: a full id
    /// first, then a prefix that only one session's id starts with, and only then a session's name.
    /// </summary>
    /// <param name="idOrPrefix">What the user typed.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The full id.</returns>
    /// <exception cref="AgentHostException">No session matches (<see cref="ErrorKind.NotFound"/>, with close matches), or several do (<see cref="ErrorKind.Usage"/>).</exception>
    public Task<string> ResolveIdAsync(string idOrPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        var wanted = SessionIds.Normalize(idOrPrefix);
        var typed = idOrPrefix.Trim();
        return _database.ReadAsync(
            connection =>
            {
                if (wanted.Length == 0)
                {
                    throw new AgentHostException(ErrorKind.Usage, "a session id or name is required. See 'agent session list'.");
                }

                var matches = SessionRows.WithPrefix(connection, "sessions", wanted);
                if (matches is [var only])
                {
                    return only;
                }

                if (matches.Contains(wanted))
                {
                    return wanted;
                }

                var named = IdsNamed(connection, null, typed, owner: null, anyOwner: true);
                return (matches, named) switch
                {
                    (_, [var byName]) => byName,
                    ([], []) => throw NotFound(connection, typed),
                    ([], _) => throw new AgentHostException(
                        ErrorKind.Usage,
                        $"several users' sessions are named '{typed}' ({string.Join(", ", named.Take(5))}); give the id instead."),
                    _ => throw new AgentHostException(
                        ErrorKind.Usage,
                        $"'{typed}' matches several sessions ({string.Join(", ", matches.Take(5))}{(matches.Count > 5 ? ", …" : string.Empty)}). Type more of the id."),
                };
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<SessionInfo?> FindSessionByNameAsync(string name, string? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        return _database.ReadAsync(connection => FindByName(connection, null, trimmed, owner), cancellationToken);
    }

    private static SessionInfo? FindByName(DbConnection connection, DbTransaction? transaction, string name, string? owner) =>
        IdsNamed(connection, transaction, name, owner, anyOwner: false) is [var id] ? SessionRows.ReadSession(connection, transaction, id) : null;

    /// <summary>The ids of the sessions named <paramref name="name"/>: of <paramref name="owner"/> (none: the sessions without one), or of every owner.</summary>
    private static List<string> IdsNamed(DbConnection connection, DbTransaction? transaction, string name, string? owner, bool anyOwner)
    {
        using var command = Command(
            connection,
            transaction,
            "SELECT id FROM sessions WHERE name = @name AND (@any = 1 OR COALESCE(owner, '') = @owner) ORDER BY id LIMIT 6",
            ("@name", name),
            ("@any", anyOwner ? 1 : 0),
            ("@owner", owner ?? string.Empty));
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
