using System.Globalization;
using System.Threading.RateLimiting;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Server.Users;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Server;

/// <summary>
/// Per-user limits of <c>agent serve</c> (docs/server.md "Limits"): requests per minute (ASP.NET Core's rate limiter, a
/// fixed one-minute window per user) and runs at once (a concurrency limiter per user, held while a run runs). Over a
/// limit the answer is 429 with <c>Retry-After</c> and the API's JSON error body. The server's own token is not limited.
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

/// <summary>The limiters of <see cref="ServerLimits"/>: a rate limiter for requests (middleware) and one for runs.</summary>
internal sealed class ServerLimiters(ServerLimits limits) : IDisposable
{
    /// <summary>How long a client whose runs are all in flight is told to wait before asking again.</summary>
    private static readonly TimeSpan RunRetry = TimeSpan.FromSeconds(5);

    private readonly PartitionedRateLimiter<string>? _runs = limits.ConcurrentRuns is { } runs
        ? PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetConcurrencyLimiter(user, _ => new ConcurrencyLimiterOptions { PermitLimit = runs, QueueLimit = 0 }))
        : null;

    /// <summary>Adds ASP.NET Core's rate limiter for <see cref="ServerLimits.RequestsPerMinute"/> (a fixed window per user), if set.</summary>
    public void AddTo(IServiceCollection services)
    {
        if (limits.RequestsPerMinute is not { } perMinute)
        {
            return;
        }

        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Caller() is var caller && ReferenceEquals(caller, ServerCaller.ServerToken)
                    ? RateLimitPartition.GetNoLimiter(caller.Name)
                    : RateLimitPartition.GetFixedWindowLimiter(caller.Name, _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = (rejected, cancellationToken) =>
            {
                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                return ApiErrors.WriteLimitAsync(
                    rejected.HttpContext,
                    new ServerLimitException($"user '{rejected.HttpContext.Caller().Name}' sent more than {perMinute} requests this minute (server.limits.requests_per_minute); try again in {Seconds(retry)} s.", retry));
            };
        });
    }

    /// <summary>Adds the request limiter's middleware (after authentication: it limits per user), if set.</summary>
    public void Use(IApplicationBuilder app)
    {
        if (limits.RequestsPerMinute is not null)
        {
            app.UseRateLimiter();
        }
    }

    /// <summary>Takes one of the caller's run slots, held until the lease is disposed (the run ended).</summary>
    /// <exception cref="ServerLimitException">All of the caller's runs are in flight.</exception>
    public IDisposable? AcquireRun(ServerCaller caller)
    {
        if (_runs is null || ReferenceEquals(caller, ServerCaller.ServerToken))
        {
            return null;
        }

        var lease = _runs.AttemptAcquire(caller.Name);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        throw new ServerLimitException(
            $"user '{caller.Name}' has {limits.ConcurrentRuns} runs in flight, the most at once (server.limits.concurrent_runs); wait for one to end (its run.ended event, or GET /v1/runs/ID) and send again.", RunRetry);
    }

    /// <summary>
    /// Checks the caller's daily budgets (<see cref="ServerLimits.TokensPerDay"/>, <see cref="ServerLimits.CostPerDay"/>)
    /// against their usage today (UTC) before a run starts; a run that starts under budget finishes.
    /// </summary>
    /// <exception cref="ServerLimitException">A budget is spent: 429 until midnight UTC.</exception>
    public async Task CheckBudgetAsync(ServerCaller caller, IUserStore users, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!limits.HasBudget || ReferenceEquals(caller, ServerCaller.ServerToken))
        {
            return;
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var usage = await users.GetUsageAsync(caller.Name, today, today, cancellationToken).ConfigureAwait(false);
        var tokens = usage.Sum(u => u.InputTokens + u.OutputTokens);
        var cost = usage.Sum(u => u.Cost);
        var retry = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - now;
        if (limits.TokensPerDay is { } maxTokens && tokens >= maxTokens)
        {
            throw new ServerLimitException(
                string.Create(CultureInfo.InvariantCulture, $"user '{caller.Name}' used {tokens} tokens today, the budget is {maxTokens} (server.limits.tokens_per_day); it renews at midnight UTC, or ask the server's operator to raise it."),
                retry);
        }

        if (limits.CostPerDay is { } maxCost && cost >= maxCost)
        {
            throw new ServerLimitException(
                string.Create(CultureInfo.InvariantCulture, $"user '{caller.Name}' spent ${cost:0.####} today, the budget is ${maxCost:0.####} (server.limits.cost_per_day); it renews at midnight UTC, or ask the server's operator to raise it."),
                retry);
        }
    }

    public void Dispose() => _runs?.Dispose();

    internal static long Seconds(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds);
}
