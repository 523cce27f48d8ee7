using System.Text;
using System.Data.Common;
using AgentHost.Sessions.Sql;
using static AgentHost.Sessions.Sql.SessionDatabase;

namespace AgentHost.Sessions.Checkpoints;

/// <summary>
/// File checkpoints (<see cref="Store.SessionStore.Checkpoints"/>): the prior content of every file a session's file tools
/// changed, per turn, and what each turn left, so a front end can show the session's diff and undo its last turn.
/// </summary>
/// <remarks>
/// Thread-safe. Content is stored as bytes, never scrubbed: a file whose text the secret scrubber would change is
/// recorded as <see cref="FileSnapshotKind.Unrecorded"/> instead (the database never holds a secret, and a scrubbed copy
/// would restore a wrong file). Size and binary caps are the caller's (the agent's checkpoint recorder).
/// </remarks>
public sealed class FileCheckpoints : IFileCheckpointStore
{
    private const string SecretNote = "it looks like it holds a secret, which the session store never keeps";

    private readonly SessionDatabase _database;

    internal FileCheckpoints(SessionDatabase database) => _database = database;

    /// <summary>The number the session's next file-changing turn gets (one more than the highest so far).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The number, from 1.</returns>
    public Task<int> NextTurnAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync(
            connection => (int)ScalarLong(connection, null, "SELECT COALESCE(MAX(turn), 0) + 1 FROM file_checkpoints WHERE session_id = @id", ("@id", sessionId)),
            cancellationToken);
    }

    /// <summary>Records a path's state before a turn first changes it; a second record of the same path in the same turn is ignored.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="turn">The turn's number (<see cref="NextTurnAsync"/>).</param>
    /// <param name="path">The path relative to the workspace root.</param>
    /// <param name="tool">The tool about to change it.</param>
    /// <param name="before">Its state now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether this was the first record of the path in the turn.</returns>
    public Task<bool> RecordBeforeAsync(string sessionId, int turn, string path, string tool, FileSnapshot before, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(before);
        var clean = Clean(before);
        var now = _database.Now();
        return _database.WriteSessionAsync(
            sessionId,
            (connection, transaction) =>
            {
                if (!Exists(connection, transaction, sessionId))
                {
                    return false;
                }

                using var command = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO file_checkpoints (session_id, turn, path, tool, before_kind, before_content, before_note, created_at)
                    VALUES (@id, @turn, @path, @tool, @kind, @content, @note, @now) ON CONFLICT DO NOTHING
                    """,
                    ("@id", sessionId),
                    ("@turn", turn),
                    ("@path", path),
                    ("@tool", tool),
                    ("@kind", KindName(clean.Kind)),
                    ("@content", clean.Content),
                    ("@note", clean.Note),
                    ("@now", now));
                return command.ExecuteNonQuery() > 0;
            },
            cancellationToken);
    }

    /// <summary>Records what a turn left at each of its paths; a path whose state did not change is forgotten.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="turn">The turn.</param>
    /// <param name="after">The state of each path now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public Task RecordAfterAsync(string sessionId, int turn, IReadOnlyDictionary<string, FileSnapshot> after, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(after);
        var cleaned = after.ToDictionary(pair => pair.Key, pair => Clean(pair.Value), StringComparer.Ordinal);
        return _database.WriteSessionAsync(
            sessionId,
            (connection, transaction) =>
            {
                foreach (var checkpoint in Read(connection, transaction, sessionId, turn))
                {
                    if (!cleaned.TryGetValue(checkpoint.Path, out var state))
                    {
                        continue;
                    }

                    if (checkpoint.Before.SameAs(state))
                    {
                        using var delete = Command(connection, transaction, "DELETE FROM file_checkpoints WHERE session_id = @id AND turn = @turn AND path = @path",
                            ("@id", sessionId), ("@turn", turn), ("@path", checkpoint.Path));
                        delete.ExecuteNonQuery();
                        continue;
                    }

                    using var update = Command(
                        connection,
                        transaction,
                        "UPDATE file_checkpoints SET after_kind = @kind, after_content = @content, after_note = @note WHERE session_id = @id AND turn = @turn AND path = @path",
                        ("@id", sessionId),
                        ("@turn", turn),
                        ("@path", checkpoint.Path),
                        ("@kind", KindName(state.Kind)),
                        ("@content", state.Content),
                        ("@note", state.Note));
                    update.ExecuteNonQuery();
                }

                return 0;
            },
            cancellationToken);
    }

    /// <summary>The session's checkpoints, oldest turn first, paths in the order they were first changed.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Every checkpoint, undone turns included (see <see cref="FileCheckpoint.UndoneAt"/>).</returns>
    /// <exception cref="Hosting.AgentHostException">Unknown session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    public Task<IReadOnlyList<FileCheckpoint>> ListAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync<IReadOnlyList<FileCheckpoint>>(
            connection =>
            {
                RequireSession(connection, null, sessionId);
                return Read(connection, null, sessionId, null);
            },
            cancellationToken);
    }

    /// <summary>Marks a turn as undone (the next undo goes one turn further back).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="turn">The turn.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public Task MarkUndoneAsync(string sessionId, int turn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var now = _database.Now();
        return _database.WriteSessionAsync(
            sessionId,
            (connection, transaction) =>
            {
                using var command = Command(connection, transaction, "UPDATE file_checkpoints SET undone_at = @now WHERE session_id = @id AND turn = @turn",
                    ("@id", sessionId), ("@turn", turn), ("@now", now));
                return command.ExecuteNonQuery();
            },
            cancellationToken);
    }

    private static List<FileCheckpoint> Read(DbConnection connection, DbTransaction? transaction, string sessionId, int? turn)
    {
        using var command = Command(
            connection,
            transaction,
            """
            SELECT turn, path, tool, before_kind, before_content, before_note, after_kind, after_content, after_note, undone_at, created_at
            FROM file_checkpoints WHERE session_id = @id AND (CAST(@turn AS INTEGER) IS NULL OR turn = @turn) ORDER BY turn, id
            """,
            ("@id", sessionId),
            ("@turn", turn));
        using var reader = command.ExecuteReader();
        var list = new List<FileCheckpoint>();
        while (reader.Read())
        {
            list.Add(new FileCheckpoint(
                reader.GetInt32(0),
                reader.GetString(1),
                reader.GetString(2),
                Snapshot(reader, 3)!,
                Snapshot(reader, 6))
            {
                UndoneAt = reader.IsDBNull(9) ? null : Time(reader.GetInt64(9)),
                CreatedAt = Time(reader.GetInt64(10)),
            });
        }

        return list;
    }

    private static FileSnapshot? Snapshot(DbDataReader reader, int first) =>
        reader.IsDBNull(first) ? null : new FileSnapshot(
            reader.GetString(first) switch
            {
                "absent" => FileSnapshotKind.Absent,
                "file" => FileSnapshotKind.File,
                _ => FileSnapshotKind.Unrecorded,
            },
            reader.IsDBNull(first + 1) ? null : (byte[])reader.GetValue(first + 1),
            reader.IsDBNull(first + 2) ? null : reader.GetString(first + 2));

    private static string KindName(FileSnapshotKind kind) => kind switch
    {
        FileSnapshotKind.Absent => "absent",
        FileSnapshotKind.File => "file",
        _ => "unrecorded",
    };

    /// <summary>A file whose text the scrubber would change is not stored (see the remarks).</summary>
    private FileSnapshot Clean(FileSnapshot snapshot)
    {
        if (snapshot is not { Kind: FileSnapshotKind.File, Content: { } content })
        {
            return snapshot;
        }

        var text = Encoding.UTF8.GetString(content);
        return string.Equals(_database.Scrubber.Scrub(text), text, StringComparison.Ordinal) ? snapshot : FileSnapshot.Unrecorded(SecretNote);
    }
}
