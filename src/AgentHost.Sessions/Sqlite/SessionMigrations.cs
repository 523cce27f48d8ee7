using System.Globalization;
using AgentHost.Hosting;
using Microsoft.Data.Sqlite;

namespace AgentHost.Sessions.Sqlite;

/// <summary>
/// The session database schema as ordered, forward-only migrations. <c>PRAGMA user_version</c> holds the number of
/// scripts applied; each script runs in its own immediate transaction together with the version bump, so a crash
/// leaves the database at a whole version. Never edit a shipped script: add the next one.
/// </summary>
internal static class SessionMigrations
{
    /// <summary>v1: sessions and messages.</summary>
    private const string V1 = """
        CREATE TABLE sessions (
            id              TEXT PRIMARY KEY NOT NULL,
            title           TEXT NOT NULL DEFAULT '',
            workspace       TEXT NOT NULL,
            provider        TEXT,
            model           TEXT,
            status          TEXT NOT NULL DEFAULT 'active',
            parent_id       TEXT REFERENCES sessions(id) ON DELETE SET NULL,
            fork_message_id TEXT,
            created_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL
        );
        CREATE INDEX ix_sessions_updated ON sessions(updated_at DESC, id DESC);
        CREATE INDEX ix_sessions_workspace_updated ON sessions(workspace, updated_at DESC, id DESC);
        CREATE INDEX ix_sessions_parent ON sessions(parent_id);

        CREATE TABLE messages (
            id          TEXT PRIMARY KEY NOT NULL,
            session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq         INTEGER NOT NULL,
            role        TEXT NOT NULL,
            author_name TEXT,
            parts       TEXT NOT NULL,
            properties  TEXT,
            created_at  INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX ix_messages_session_seq ON messages(session_id, seq);
        """;

    /// <summary>v2: token usage and cost, per-session settings, summary flag (backfilled), tool events.</summary>
    private const string V2 = """
        ALTER TABLE sessions ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN cached_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN cost_nanousd INTEGER;
        ALTER TABLE sessions ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

        ALTER TABLE messages ADD COLUMN is_summary INTEGER NOT NULL DEFAULT 0;
        UPDATE messages SET is_summary = 1
            WHERE properties IS NOT NULL AND json_valid(properties) AND json_extract(properties, '$."agenthost.summary"') = 1;
        CREATE INDEX ix_messages_summary ON messages(session_id, seq) WHERE is_summary = 1;

        CREATE TABLE tool_events (
            id           INTEGER PRIMARY KEY,
            session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq          INTEGER NOT NULL,
            message_seq  INTEGER NOT NULL DEFAULT 0,
            call_id      TEXT NOT NULL,
            tool         TEXT NOT NULL,
            plugin       TEXT,
            arguments    TEXT NOT NULL,
            status       TEXT NOT NULL,
            error        TEXT,
            duration_ms  REAL NOT NULL,
            diff_summary TEXT,
            files        TEXT NOT NULL DEFAULT '[]',
            created_at   INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX ix_tool_events_session_seq ON tool_events(session_id, seq);
        """;

    /// <summary>v3: permission grants ("allow for this session") and the permission audit log.</summary>
    private const string V3 = """
        CREATE TABLE permission_grants (
            session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            rule        TEXT NOT NULL,
            granted_by  TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            PRIMARY KEY (session_id, rule)
        );

        CREATE TABLE permission_audit (
            id          INTEGER PRIMARY KEY,
            session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            at          INTEGER NOT NULL,
            call_id     TEXT NOT NULL,
            tool        TEXT NOT NULL,
            plugin      TEXT,
            action      TEXT,
            subject     TEXT,
            decision    TEXT NOT NULL,
            scope       TEXT NOT NULL,
            rule        TEXT,
            mode        TEXT NOT NULL,
            answered_by TEXT NOT NULL,
            reason      TEXT NOT NULL
        );
        CREATE INDEX ix_permission_audit_session ON permission_audit(session_id, id);
        """;

    /// <summary>v4: file checkpoints (each file a turn's file tools changed: its state before and after the turn; undo).</summary>
    private const string V4 = """
        CREATE TABLE file_checkpoints (
            id             INTEGER PRIMARY KEY,
            session_id     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            turn           INTEGER NOT NULL,
            path           TEXT NOT NULL,
            tool           TEXT NOT NULL,
            before_kind    TEXT NOT NULL,
            before_content BLOB,
            before_note    TEXT,
            after_kind     TEXT,
            after_content  BLOB,
            after_note     TEXT,
            undone_at      INTEGER,
            created_at     INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX ix_file_checkpoints_turn_path ON file_checkpoints(session_id, turn, path);
        """;

    /// <summary>
    /// v5: workflow runs (docs/workflows.md): one row per run with its definition, inputs, status, pending question and
    /// counters, and one row per completed node execution (the checkpoints a resumed run replays).
    /// </summary>
    private const string V5 = """
        CREATE TABLE workflow_runs (
            id                  TEXT PRIMARY KEY NOT NULL,
            workflow            TEXT NOT NULL,
            source_path         TEXT,
            definition          TEXT NOT NULL,
            inputs              TEXT NOT NULL DEFAULT '{}',
            workspace           TEXT NOT NULL,
            status              TEXT NOT NULL DEFAULT 'running',
            reason              TEXT,
            pending_question    TEXT,
            pending_since       INTEGER,
            model_steps         INTEGER NOT NULL DEFAULT 0,
            cost_nanousd        INTEGER NOT NULL DEFAULT 0,
            active_ms           INTEGER NOT NULL DEFAULT 0,
            created_at          INTEGER NOT NULL,
            updated_at          INTEGER NOT NULL
        );
        CREATE INDEX ix_workflow_runs_workspace_updated ON workflow_runs(workspace, updated_at DESC, id DESC);

        CREATE TABLE workflow_nodes (
            run_id      TEXT NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
            path        TEXT NOT NULL,
            kind        TEXT NOT NULL,
            output      TEXT NOT NULL,
            session_id  TEXT,
            steps       INTEGER NOT NULL DEFAULT 0,
            cost_nanousd INTEGER NOT NULL DEFAULT 0,
            started_at  INTEGER NOT NULL,
            ended_at    INTEGER NOT NULL,
            PRIMARY KEY (run_id, path)
        );
        """;

    /// <summary>
    /// v6: a node execution that started but has not completed (<c>completed = 0</c>): a shell node's row written before
    /// its command starts, so a resume after the process died knows the command may already have run.
    /// </summary>
    private const string V6 = """
        ALTER TABLE workflow_nodes ADD COLUMN completed INTEGER NOT NULL DEFAULT 1;
        """;

    /// <summary>
    /// v7: session leases (docs/sessions.md "One writer per session"): the current epoch of each session's lease (a
    /// fencing token every write of the session checks), its holder, whether the holder also holds the session's lock
    /// file, and when the lease expires unless renewed. A released lease keeps its epoch with no owner.
    /// </summary>
    private const string V7 = """
        CREATE TABLE session_leases (
            session_id  TEXT PRIMARY KEY NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            epoch       INTEGER NOT NULL,
            owner       TEXT,
            holder      TEXT,
            file_lock   INTEGER NOT NULL DEFAULT 0,
            acquired_at INTEGER,
            expires_at  INTEGER
        );
        """;

    /// <summary>
    /// v8: the durable event journal of each session (ids per session, <c>seq</c>) and the stored results of runs
    /// (docs/sessions.md "Events and runs").
    /// </summary>
    private const string V8 = """
        CREATE TABLE session_events (
            session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq         INTEGER NOT NULL,
            type        TEXT NOT NULL,
            data        TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            PRIMARY KEY (session_id, seq)
        );

        CREATE TABLE runs (
            id          TEXT PRIMARY KEY NOT NULL,
            session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            status      TEXT NOT NULL,
            data        TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        );
        CREATE INDEX ix_runs_session ON runs(session_id, created_at);
        """;

    /// <summary>
    /// v9: the users of a shared server (docs/server.md "Users and roles": a name, a role, the SHA-256 hash of their
    /// token, never the token) and the owner of each session (a user name; none for sessions made without users).
    /// </summary>
    private const string V9 = """
        CREATE TABLE users (
            name             TEXT PRIMARY KEY NOT NULL,
            role             TEXT NOT NULL,
            token_hash       BLOB NOT NULL UNIQUE,
            created_at       INTEGER NOT NULL,
            token_created_at INTEGER NOT NULL
        );
        ALTER TABLE sessions ADD COLUMN owner TEXT;
        """;

    /// <summary>
    /// v10: each user's usage per day (UTC), added with each step's usage of a session they own: what
    /// <c>server.limits.tokens_per_day</c> and <c>cost_per_day</c> are checked against, and <c>GET /v1/usage</c> reads.
    /// </summary>
    private const string V10 = """
        CREATE TABLE user_usage (
            owner          TEXT NOT NULL,
            day            TEXT NOT NULL,
            input_tokens   INTEGER NOT NULL DEFAULT 0,
            output_tokens  INTEGER NOT NULL DEFAULT 0,
            cost_nanousd   INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (owner, day)
        );
        """;

    /// <summary>
    /// v11: the owner of each workflow run (a user name, as for sessions; none for runs started without users): a member
    /// of a shared server sees and answers only their own runs.
    /// </summary>
    private const string V11 = """
        ALTER TABLE workflow_runs ADD COLUMN owner TEXT;
        """;

    /// <summary>
    /// v12: the risk of each audited call (<c>read</c>, <c>write</c>, <c>execute</c>, <c>network</c>, <c>destructive</c>;
    /// none for rows written before it).
    /// </summary>
    private const string V12 = """
        ALTER TABLE permission_audit ADD COLUMN risk TEXT;
        """;

    /// <summary>
    /// v13: a session's optional name (<c>agent run --new-session NAME</c>), unique per owner (sessions without an owner
    /// are one owner's): what <c>--session NAME</c> and every command that takes a session id also accept.
    /// </summary>
    private const string V13 = """
        ALTER TABLE sessions ADD COLUMN name TEXT;
        CREATE UNIQUE INDEX ix_sessions_owner_name ON sessions(COALESCE(owner, ''), name) WHERE name IS NOT NULL;
        """;

    /// <summary>
    /// v14: the reasoning (thinking) tokens of each session, as the provider reported them (OpenAI's
    /// <c>reasoning_tokens</c>; part of the output tokens, not added to them).
    /// </summary>
    private const string V14 = """
        ALTER TABLE sessions ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
        """;

    /// <summary>
    /// v15: the run slots of each user (<see cref="IRunSlots"/>): one row per run in flight, counted against
    /// <c>server.limits.concurrent_runs</c>, with the tokens and cost it reserves against the daily budgets until its
    /// session's recorded usage replaces the estimate; renewed while it runs, reclaimed once it expires.
    /// </summary>
    private const string V15 = """
        CREATE TABLE run_slots (
            id                 TEXT PRIMARY KEY,
            owner              TEXT NOT NULL,
            kind               TEXT NOT NULL,
            session_id         TEXT,
            holder             TEXT NOT NULL,
            holder_token       INTEGER NOT NULL DEFAULT 0,
            taken_at           INTEGER NOT NULL,
            expires_at         INTEGER NOT NULL,
            est_tokens         INTEGER NOT NULL DEFAULT 0,
            est_cost_nanousd   INTEGER NOT NULL DEFAULT 0,
            base_tokens        INTEGER NOT NULL DEFAULT 0,
            base_cost_nanousd  INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_run_slots_owner ON run_slots(owner);
        """;

    /// <summary>
    /// v16: each user's request window (<see cref="IRunSlots.CountRequestAsync"/>): when their current one-minute window
    /// started and how many requests it has counted, against <c>server.limits.requests_per_minute</c> on every node.
    /// </summary>
    private const string V16 = """
        CREATE TABLE request_windows (
            owner       TEXT PRIMARY KEY,
            started_at  INTEGER NOT NULL,
            requests    INTEGER NOT NULL
        );
        """;

    /// <summary>
    /// v17: when the credentials issued to a user name were last revoked (<see cref="IUserStore.RevokeTokensAsync"/>): an
    /// identity provider's token for that name issued at or before it is refused.
    /// </summary>
    private const string V17 = """
        CREATE TABLE token_revocations (
            name        TEXT PRIMARY KEY,
            revoked_at  INTEGER NOT NULL
        );
        """;

    /// <summary>The scripts, in order: script <c>i</c> moves the database from version <c>i</c> to <c>i + 1</c>.</summary>
    public static IReadOnlyList<string> Scripts { get; } = [V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15, V16, V17];

    /// <summary>The version this build writes.</summary>
    public static int CurrentVersion => Scripts.Count;

    /// <summary>Reads <c>PRAGMA user_version</c>.</summary>
    public static int ReadVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Applies the pending scripts up to <paramref name="targetVersion"/> (default: all).
    /// Returns the version found before migrating.
    /// </summary>
    public static int Apply(SqliteConnection connection, string databasePath, int? targetVersion = null)
    {
        var target = targetVersion ?? CurrentVersion;
        var found = ReadVersion(connection);
        if (found > CurrentVersion)
        {
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"the session database {databasePath} has schema version {found}, but this agent knows only up to {CurrentVersion}. "
                + "It was written by a newer agent: update agent, or move the file away to start a new database.");
        }

        for (var version = found; version < target; version++)
        {
            // Immediate: another process opening the database at the same time waits, then sees the new version.
            using var transaction = connection.BeginTransaction(deferred: false);
            if (ReadVersion(connection, transaction) > version)
            {
                transaction.Rollback();
                continue;
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Scripts[version] + string.Create(CultureInfo.InvariantCulture, $"\nPRAGMA user_version = {version + 1};");
            command.ExecuteNonQuery();
            transaction.Commit();
        }

        return found;
    }
}
