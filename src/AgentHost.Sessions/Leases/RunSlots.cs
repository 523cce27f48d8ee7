using System.Data.Common;
using System.Globalization;
using AgentHost.Hosting;
using Microsoft.Extensions.Logging;
using AgentHost.Sessions.Sql;
using static AgentHost.Sessions.Sql.SessionDatabase;

namespace AgentHost.Sessions.Leases;

/// <summary>
/// The run slots of a store, on either engine (<see cref="IRunSlots"/>; the <c>run_slots</c> table: SQLite schema v15,
/// PostgreSQL v9; the users' request windows, <c>request_windows</c>: v16 and v10): a row per run in flight, written in the same transaction that counted the user's live rows and
/// usage, so that the check and the take are one step. SQLite serialises every write (one writer, immediate
/// transactions, across processes too); PostgreSQL runs writes in parallel, so a take first locks its user
/// (<see cref="SessionDatabase.LockKey"/>, a transaction-scoped advisory lock).
/// </summary>
/// <remarks>
/// <para>
/// Reclaiming: a slot has an expiry, renewed every third of <see cref="Duration"/> while its store holds it, and the
/// PostgreSQL store's holder token (<see cref="SessionDatabase.HolderToken"/>, an advisory lock PostgreSQL frees when
/// the holder's process ends). A take first deletes the user's expired slots and those whose holder is gone: a node
/// killed with runs in flight gives their slots back at once on PostgreSQL, and within <see cref="Duration"/> on SQLite.
/// </para>
/// <para>Thread-safe; disposed with the store (its held slots then expire on their own).</para>
/// </remarks>
internal sealed partial class RunSlots : IRunSlots, IDisposable
{
    private const string PruneExpiredSql = "DELETE FROM run_slots WHERE owner = @owner AND expires_at <= @now";

    private static readonly string CountSql =
        $"""
        SELECT COUNT(*), COALESCE(SUM({LeftOfEstimate("tokens", "s.input_tokens + s.output_tokens")}), 0), COALESCE(SUM({LeftOfEstimate("cost_nanousd", "s.cost_nanousd")}), 0)
        FROM run_slots r LEFT JOIN sessions s ON s.id = r.session_id
        WHERE r.owner = @owner
        """;

    private const string TakeSql =
        """
        INSERT INTO run_slots (id, owner, kind, session_id, holder, holder_token, taken_at, expires_at, est_tokens, est_cost_nanousd, base_tokens, base_cost_nanousd)
        VALUES (@id, @owner, @kind, @session, @holder, @token, @now, @expires, @tokens, @cost, @base_tokens, @base_cost)
        """;

    /// <summary>Counts a request into the user's window, or starts a new window when theirs has ended (<c>@stale</c>: now less a window).</summary>
    private const string CountRequestSql =
        """
        INSERT INTO request_windows (owner, started_at, requests) VALUES (@owner, @now, 1)
        ON CONFLICT (owner) DO UPDATE SET
            started_at = CASE WHEN request_windows.started_at <= @stale THEN @now ELSE request_windows.started_at END,
            requests = CASE WHEN request_windows.started_at <= @stale THEN 1 ELSE request_windows.requests + 1 END
        RETURNING started_at, requests
        """;

    private readonly SessionDatabase _database;
    private readonly RenewingHolder<Held> _held;

    public RunSlots(SessionDatabase database, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        _database = database;
        Duration = duration;
        _held = new RenewingHolder<Held>(database, duration, RenewHeldAsync);
    }

    /// <inheritdoc/>
    public TimeSpan Duration { get; }

    /// <inheritdoc/>
    public async Task<RunSlotResult> TryTakeAsync(RunSlotRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Owner);
        _database.ThrowIfDisposed();
        var id = Guid.CreateVersion7().ToString("N");
        var holder = request.Holder ?? string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId}");
        var token = _database.HolderToken ?? 0;
        var result = await _database.WriteAsync(
            (connection, transaction) =>
            {
                _database.LockKey(connection, transaction, "run-slots:" + request.Owner);
                var now = _database.Now();
                Prune(connection, transaction, request.Owner, now);
                var counts = Count(connection, transaction, request.Owner, now);
                if (Refusal(request, counts) is { } refused)
                {
                    return new RunSlotResult(null, refused, counts);
                }

                var (baseTokens, baseCost) = request.SessionId is { } session ? SessionUsage(connection, transaction, session) : (0L, 0L);
                _database.Execute(
                    connection,
                    transaction,
                    TakeSql,
                    ("@id", id),
                    ("@owner", request.Owner),
                    ("@kind", request.Kind.ToString()),
                    ("@session", request.SessionId),
                    ("@holder", holder),
                    ("@token", (long)token),
                    ("@now", now),
                    ("@expires", now + (long)Duration.TotalMilliseconds),
                    ("@tokens", Math.Max(0, request.EstimatedTokens)),
                    ("@cost", Nanos(Math.Max(0m, request.EstimatedCost))),
                    ("@base_tokens", baseTokens),
                    ("@base_cost", baseCost));
                return new RunSlotResult(new Held(this, id, request.Owner, request.Kind), null, counts);
            },
            cancellationToken).ConfigureAwait(false);
        if (result.Slot is Held held)
        {
            _held.Hold(held.Id, held);
        }

        return result;
    }

    /// <inheritdoc/>
    public Task<RunSlotCounts> CountAsync(string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        return _database.ReadAsync(connection => Count(connection, null, owner, _database.Now()), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<RequestWindow> CountRequestAsync(string owner, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _database.ThrowIfDisposed();
        return _database.WriteAsync(
            (connection, transaction) =>
            {
                var now = _database.Now();
                using var command = Command(connection, transaction, CountRequestSql, ("@owner", owner), ("@now", now), ("@stale", now - (long)window.TotalMilliseconds));
                using var reader = command.ExecuteReader();
                reader.Read();
                return new RequestWindow(Number(reader, 1), Time(Number(reader, 0)) + window);
            },
            cancellationToken);
    }

    /// <summary>Stops the renewals (the store is closing: its slots expire on their own).</summary>
    public void Dispose() => _held.Dispose();

    /// <summary>What is left of a slot's estimate once its session's usage since the take is subtracted (never below 0).</summary>
    private static string LeftOfEstimate(string column, string sessionUsage)
    {
        var used = $"(COALESCE({sessionUsage}, r.base_{column}) - r.base_{column})";
        return $"CASE WHEN r.est_{column} - {used} > 0 THEN r.est_{column} - {used} ELSE 0 END";
    }

    private static RunLimit? Refusal(RunSlotRequest request, RunSlotCounts counts) =>
        request.MaxRuns is { } runs && counts.Runs >= runs ? RunLimit.Runs
        : request.MaxTokensPerDay is { } tokens && counts.UsedTokens + counts.ReservedTokens >= tokens ? RunLimit.Tokens
        : request.MaxCostPerDay is { } cost && counts.UsedCost + counts.ReservedCost >= cost ? RunLimit.Cost
        : null;

    /// <summary>Deletes the user's slots that expired or whose holder is known to be gone (reclaimed).</summary>
    private void Prune(DbConnection connection, DbTransaction transaction, string owner, long now)
    {
        _database.Execute(connection, transaction, PruneExpiredSql, ("@owner", owner), ("@now", now));
        var tokens = new List<long>();
        using (var command = Command(connection, transaction, "SELECT DISTINCT holder_token FROM run_slots WHERE owner = @owner AND holder_token <> 0", ("@owner", owner)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tokens.Add(reader.GetInt64(0));
            }
        }

        foreach (var gone in tokens.Where(t => _database.IsHolderGone(connection, transaction, t)))
        {
            _database.Execute(connection, transaction, "DELETE FROM run_slots WHERE owner = @owner AND holder_token = @token", ("@owner", owner), ("@token", gone));
        }
    }

    /// <summary>The user's live slots, what they reserve, and the user's usage today, in the caller's transaction.</summary>
    private static RunSlotCounts Count(DbConnection connection, DbTransaction? transaction, string owner, long now)
    {
        int runs;
        long reservedTokens, reservedNanos;
        using (var command = Command(connection, transaction, CountSql + " AND r.expires_at > @now", ("@owner", owner), ("@now", now)))
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            runs = (int)Number(reader, 0);
            reservedTokens = Number(reader, 1);
            reservedNanos = Number(reader, 2);
        }

        var today = UsageRows.Day(DateOnly.FromDateTime(Time(now).UtcDateTime));
        using (var command = Command(connection, transaction, "SELECT input_tokens + output_tokens, cost_nanousd FROM user_usage WHERE owner = @owner AND day = @day", ("@owner", owner), ("@day", today)))
        using (var reader = command.ExecuteReader())
        {
            var (used, usedNanos) = reader.Read() ? (Number(reader, 0), Number(reader, 1)) : (0L, 0L);
            return new RunSlotCounts(runs, used, reservedTokens, usedNanos / 1_000_000_000m, reservedNanos / 1_000_000_000m);
        }
    }

    private static (long Tokens, long Nanos) SessionUsage(DbConnection connection, DbTransaction transaction, string sessionId)
    {
        using var command = Command(connection, transaction, "SELECT input_tokens + output_tokens, COALESCE(cost_nanousd, 0) FROM sessions WHERE id = @id", ("@id", sessionId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? (Number(reader, 0), Number(reader, 1)) : (0L, 0L);
    }

    /// <summary>A number column of either engine (PostgreSQL sums <c>bigint</c> as <c>numeric</c>).</summary>
    private static long Number(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? 0 : Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static long Nanos(decimal dollars) => (long)decimal.Round(dollars * 1_000_000_000m, MidpointRounding.AwayFromZero);

    /// <summary>Renews every slot this store holds, in one write; a slot another store reclaimed meanwhile (this one was cut off for longer than <see cref="Duration"/>) is logged.</summary>
    internal async Task RenewHeldAsync()
    {
        try
        {
            var held = _held.Held.Where(h => !h.IsReleased).ToList();
            if (held.Count == 0 || _database.IsDisposed)
            {
                return;
            }

            var expires = _database.Now() + (long)Duration.TotalMilliseconds;
            var lost = await _database.WriteAsync(
                (connection, transaction) => held.Where(h => _database.Execute(connection, transaction, "UPDATE run_slots SET expires_at = @expires WHERE id = @id", ("@expires", expires), ("@id", h.Id)) == 0).ToList(),
                CancellationToken.None).ConfigureAwait(false);
            foreach (var slot in lost)
            {
                _held.Forget(slot.Id, slot);
                LogSlotReclaimed(_database.Logger, slot.Owner, slot.Kind);
            }
        }
        catch (Exception ex) when (ex is AgentHostException or ObjectDisposedException or DbException or InvalidOperationException)
        {
            LogRenewalFailed(_database.Logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the run slots this process holds; retrying at the next renewal")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A run slot of user {Owner} ({Kind}) expired before it was renewed (this process could not reach the store for longer than the slot's duration) and was reclaimed; the run goes on uncounted")]
    private static partial void LogSlotReclaimed(ILogger logger, string owner, RunKind kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not free a run slot of user {Owner}; it expires on its own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string owner);

    /// <summary>A slot this store holds.</summary>
    private sealed class Held(RunSlots slots, string id, string owner, RunKind kind) : RunSlot(id, owner, kind)
    {
        protected override async ValueTask ReleaseCoreAsync()
        {
            slots._held.Forget(Id, this);
            try
            {
                if (!slots._database.IsDisposed)
                {
                    await slots._database.WriteAsync(
                        (connection, transaction) => slots._database.Execute(connection, transaction, "DELETE FROM run_slots WHERE id = @id", ("@id", Id)),
                        CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is AgentHostException or ObjectDisposedException or DbException or InvalidOperationException)
            {
                LogReleaseFailed(slots._database.Logger, ex, Owner);
            }
        }
    }
}
