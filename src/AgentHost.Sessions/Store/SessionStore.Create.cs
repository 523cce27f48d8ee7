using System.Data.Common;
using AgentHost.Sessions.Sql;
using static AgentHost.Sessions.Sql.SessionDatabase;
using static AgentHost.Sessions.Sql.SessionRows;

namespace AgentHost.Sessions.Store;

/// <content>Creating sessions, with or without their lease.</content>
public sealed partial class SessionStore
{
    /// <inheritdoc/>
    public async Task<SessionInfo> CreateSessionAsync(NewSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrWhiteSpace(session.Workspace);
        return await InsertSessionAsync(IdOf(session), session, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The session's lock file is taken before the row exists and the lease row (epoch 1) is written with the session
    /// row, so another process opening the store meanwhile never sees the new <c>active</c> session without a holder.
    /// </remarks>
    public async Task<(SessionInfo Session, SessionLease Lease)> CreateLeasedSessionAsync(NewSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrWhiteSpace(session.Workspace);
        _database.ThrowIfDisposed();
        var leases = _leases;
        var id = IdOf(session);
        var fileLock = leases.TryLockFile(id);
        try
        {
            var holder = leases.Holder();
            var created = await InsertSessionAsync(id, session, (connection, transaction) => leases.Take(connection, transaction, id, holder, fileLock is not null, isNew: true), cancellationToken).ConfigureAwait(false);
            return (created, leases.Hold(id, 1, holder, fileLock));
        }
        catch
        {
            fileLock?.Dispose();
            throw;
        }
    }

    /// <summary>The id a new session gets: the one it asks for (checked), else a new one.</summary>
    private string IdOf(NewSession session) =>
        session.Id is not { } asked ? SessionIds.New(_database.Clock)
        : SessionIds.IsValid(asked) ? asked
        : throw new ArgumentException($"'{asked}' is not a session id; make one with NewSession.NewId().", nameof(session));

    private async Task<SessionInfo> InsertSessionAsync(string id, NewSession session, Func<DbConnection, DbTransaction, long>? lease, CancellationToken cancellationToken)
    {
        var workspace = NormalizeWorkspace(session.Workspace);
        var name = session.Name is { } asked ? SessionNames.Check(asked) : null;
        var settings = CleanSettings(_database.Codec, session.Settings);
        var title = SessionTitles.FromPrompt(session.Prompt is { } prompt ? _database.Scrubber.Scrub(prompt) : null);
        var now = _database.Now();
        await _database.WriteAsync(
            (connection, transaction) =>
            {
                if (name is not null && FindByName(connection, transaction, name, session.Owner) is { } taken)
                {
                    throw SessionNames.Taken(name, taken);
                }

                using var command = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO sessions (id, title, workspace, provider, model, status, created_at, updated_at, settings, owner, name)
                    VALUES (@id, @title, @workspace, @provider, @model, @status, @now, @now, @settings, @owner, @name)
                    """,
                    ("@id", id),
                    ("@title", title),
                    ("@workspace", workspace),
                    ("@provider", session.Provider),
                    ("@model", session.Model),
                    ("@status", StatusText(SessionStatus.Active)),
                    ("@now", now),
                    ("@settings", StringJson.Map(settings)),
                    ("@owner", session.Owner),
                    ("@name", name));
                var inserted = command.ExecuteNonQuery();
                lease?.Invoke(connection, transaction);
                return inserted;
            },
            cancellationToken).ConfigureAwait(false);
        SessionStoreLog.Created(_database.Logger, id, workspace);

        // The row as written (no read back: a new session's first turn waits for this on the way to its first model
        // request); SessionStoreTests compares it with the row read from the file.
        var created = Time(now);
        return new SessionInfo(id, title, workspace, session.Provider, session.Model, SessionStatus.Active, created, created) { Settings = settings, Owner = session.Owner, Name = name };
    }
}
