using System.Globalization;
using System.Threading.RateLimiting;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Server.Users;
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
public sealed record ServerLimits(int? RequestsPerMinute, int? ConcurrentRuns)
{
    /// <summary>No limits.</summary>
    public static ServerLimits None { get; } = new(null, null);

    /// <summary>Reads <c>server.limits.requests_per_minute</c> and <c>server.limits.concurrent_runs</c>.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The limits.</returns>
    /// <exception cref="AgentHostException">A value that is not a whole number of 1 or more (<see cref="ErrorKind.Configuration"/>).</exception>
    public static ServerLimits From(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new(Positive(configuration, "server.limits.requests_per_minute"), Positive(configuration, "server.limits.concurrent_runs"));
    }

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

    public void Dispose() => _runs?.Dispose();

    internal static long Seconds(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds);
}
