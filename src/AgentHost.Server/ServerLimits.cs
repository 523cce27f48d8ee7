using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Server.Users;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AgentHost.Server;

/// <summary>
/// Per-user limits of <c>agent serve</c> (docs/server.md "Limits"): requests per minute (a fixed one-minute window per
/// user), runs at once and daily budgets — all counted in the store (<see cref="IRunSlots"/>), one counter per user on
/// every node. Over a limit the answer is 429 with <c>Retry-After</c>
/// and the API's JSON error body. The server's own token is not limited.
/// </summary>
/// <param name="RequestsPerMinute">Requests per user per minute; <see langword="null"/> for no limit.</param>
/// <param name="ConcurrentRuns">Runs per user at once; <see langword="null"/> for no limit.</param>
/// <param name="TokensPerDay">Input and output tokens per user per day (UTC); <see langword="null"/> for no budget.</param>
/// <param name="CostPerDay">USD per user per day (UTC); <see langword="null"/> for no budget.</param>
public sealed record ServerLimits(int? RequestsPerMinute, int? ConcurrentRuns, long? TokensPerDay = null, decimal? CostPerDay = null)
{
    /// <summary>No limits.</summary>
    public static ServerLimits None { get; } = new(null, null);

    /// <summary>Whether a daily budget is set.</summary>
    public bool HasBudget => TokensPerDay is not null || CostPerDay is not null;

    /// <summary>Reads <c>server.limits.*</c>: requests per minute, concurrent runs, tokens and cost per day.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The limits.</returns>
    /// <exception cref="AgentHostException">A value that is not a positive number (<see cref="ErrorKind.Configuration"/>).</exception>
    public static ServerLimits From(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new(
            Positive(configuration, "server.limits.requests_per_minute"),
            Positive(configuration, "server.limits.concurrent_runs"),
            configuration.Get("server.limits.tokens_per_day") is { } tokens
                ? long.TryParse(tokens, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0 ? t : throw NotALimit("server.limits.tokens_per_day", tokens, "a whole number of tokens")
                : null,
            configuration.Get("server.limits.cost_per_day") is { } cost
                ? decimal.TryParse(cost, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : throw NotALimit("server.limits.cost_per_day", cost, "an amount in USD such as 5 or 12.50")
                : null);
    }

    private static AgentHostException NotALimit(string key, string text, string what) =>
        new(ErrorKind.Configuration, $"{key}: '{text}' is not a budget; give {what}, more than 0, or leave it out for none.");

    private static int? Positive(ConfigurationSnapshot configuration, string key) =>
        configuration.Get(key) is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new AgentHostException(ErrorKind.Configuration, $"{key}: '{text}' is not a limit; give a whole number of 1 or more, or leave it out for none.");
}

/// <summary>A request over one of the caller's limits (HTTP 429 with <c>Retry-After</c>).</summary>
/// <param name="message">What was over which limit, and when to try again.</param>
/// <param name="retryAfter">When to try again.</param>
internal sealed class ServerLimitException(string message, TimeSpan retryAfter) : AgentHostException(ErrorKind.Denied, message)
{
    /// <summary>The <c>kind</c> of its error body.</summary>
    public const string KindName = "rate_limited";

    /// <summary>When to try again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The limiters of <see cref="ServerLimits"/>, in the store (<see cref="IRunSlots"/>): each user's request window
/// (middleware) and, for runs, their run slots: one counter per user for every kind of run, on every node of a cluster.
/// </summary>
internal sealed class ServerLimiters(ServerLimits limits, IRunSlots slots, TimeProvider time)
{
    /// <summary>How long a client whose runs are all in flight is told to wait before asking again.</summary>
    private static readonly TimeSpan RunRetry = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Adds the request limit's middleware (after authentication: it limits per user), if set: each request of a user
    /// is counted into their one-minute window in the store (<see cref="IRunSlots.CountRequestAsync"/>), one counter
    /// on every node; over <see cref="ServerLimits.RequestsPerMinute"/> the answer is 429 until the window ends.
    /// </summary>
    public void Use(IApplicationBuilder app)
    {
        if (limits.RequestsPerMinute is not { } perMinute)
        {
            return;
        }

        app.Use(async (context, next) =>
        {
            if (context.Features.Get<ServerCaller>()?.OwnerName is { } owner)
            {
                var window = await slots.CountRequestAsync(owner, TimeSpan.FromMinutes(1), context.RequestAborted).ConfigureAwait(false);
                if (window.Requests > perMinute)
                {
                    var retry = window.EndsAt - time.GetUtcNow();
                    retry = retry > TimeSpan.Zero ? retry : TimeSpan.FromSeconds(1);
                    await ApiErrors.WriteLimitAsync(
                        context,
                        new ServerLimitException($"user '{owner}' sent more than {perMinute} requests this minute (server.limits.requests_per_minute), counted on every node of the server; try again in {Seconds(retry)} s.", retry)).ConfigureAwait(false);
                    return;
                }
            }

            await next(context).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Checks the user's limits and takes one of their run slots in the store, in one step (docs/server.md "Limits"):
    /// runs at once (<see cref="ServerLimits.ConcurrentRuns"/>) and the daily budgets, against their usage today plus
    /// what their runs in flight reserve. Held until the run ends (dispose it). A fork spends nothing: it is checked
    /// against the runs at once only.
    /// </summary>
    /// <param name="owner">The user (<see cref="ServerCaller.OwnerName"/>); <see langword="null"/> (the server's own token) is not limited.</param>
    /// <param name="kind">What kind of run.</param>
    /// <param name="sessionId">The run's session, whose recorded usage replaces the estimate as it comes; <see langword="null"/> for none.</param>
    /// <param name="estimate">The tokens and cost the run reserves until then (<see cref="RunEstimates"/>), asked only when a budget is set; <see langword="null"/> for nothing.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The slot, or <see langword="null"/> when nothing limits the user.</returns>
    /// <exception cref="ServerLimitException">Over a limit: 429.</exception>
    public async Task<RunSlot?> TakeRunAsync(string? owner, RunKind kind, string? sessionId, Func<CancellationToken, Task<RunEstimate>>? estimate, CancellationToken cancellationToken)
    {
        var budgets = kind != RunKind.Fork && limits.HasBudget;
        if (owner is null || (limits.ConcurrentRuns is null && !budgets))
        {
            return null;
        }

        var reserved = budgets && estimate is not null ? await estimate(cancellationToken).ConfigureAwait(false) : default;
        var request = new RunSlotRequest(owner, kind)
        {
            // A workflow run holds one of its owner's slots for its life and its first node in flight runs in it: a node
            // needs a slot of its own beside it (a second node at once, parallel branches) only past that one.
            MaxRuns = kind == RunKind.WorkflowNode ? limits.ConcurrentRuns + 1 : limits.ConcurrentRuns,
            MaxTokensPerDay = budgets ? limits.TokensPerDay : null,
            MaxCostPerDay = budgets ? limits.CostPerDay : null,
            SessionId = sessionId,
            EstimatedTokens = reserved.Tokens,
            EstimatedCost = reserved.Cost,
        };
        var taken = await slots.TryTakeAsync(request, cancellationToken).ConfigureAwait(false);
        return taken.Slot ?? throw Refused(owner, taken.Refused ?? RunLimit.Runs, taken.Counts);
    }

    private ServerLimitException Refused(string owner, RunLimit limit, RunSlotCounts counts)
    {
        if (limit == RunLimit.Runs)
        {
            return new ServerLimitException(
                $"user '{owner}' has {counts.Runs} runs in flight, the most at once (server.limits.concurrent_runs); sends, forks, workflow runs and their agent nodes all count, on every node of the server: wait for one to end (its run.ended event, GET /v1/runs/ID or GET /v1/workflows/runs/ID) and send again.", RunRetry);
        }

        var now = time.GetUtcNow();
        var untilMidnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero) - now;
        var (used, reserved, max, key, unit) = limit == RunLimit.Tokens
            ? (counts.UsedTokens.ToString(CultureInfo.InvariantCulture), counts.ReservedTokens.ToString(CultureInfo.InvariantCulture), limits.TokensPerDay!.Value.ToString(CultureInfo.InvariantCulture), "server.limits.tokens_per_day", " tokens")
            : (Dollars(counts.UsedCost), Dollars(counts.ReservedCost), Dollars(limits.CostPerDay!.Value), "server.limits.cost_per_day", string.Empty);
        var spentAlone = limit == RunLimit.Tokens ? counts.UsedTokens >= limits.TokensPerDay : counts.UsedCost >= limits.CostPerDay;
        var verb = limit == RunLimit.Tokens ? "used" : "spent";
        return spentAlone
            ? new ServerLimitException(
                $"user '{owner}' {verb} {used}{unit} today, the budget is {max} ({key}); it renews at midnight UTC, or ask the server's operator to raise it.", untilMidnight)
            : new ServerLimitException(
                $"user '{owner}' {verb} {used}{unit} today and their {counts.Runs} runs in flight reserve {reserved} more (what they are estimated to use), the budget is {max} ({key}); wait for a run to end and send again.", RunRetry);
    }

    private static string Dollars(decimal amount) => string.Create(CultureInfo.InvariantCulture, $"${amount:0.####}");

    internal static long Seconds(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds);
}
