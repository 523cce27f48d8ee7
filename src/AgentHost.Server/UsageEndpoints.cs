using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Server.Users;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentHost.Server;

/// <summary>
/// <c>GET /v1/usage</c>: tokens and cost per user and day (UTC), with the daily budgets (docs/server.md "Limits"). A
/// member sees their own; admins and viewers every user's, or one with <c>?user=</c>.
/// </summary>
internal static class UsageEndpoints
{
    /// <summary>The longest span one request covers.</summary>
    private const int MaxDays = 366;

    public static void Map(RouteGroupBuilder v1, IUserStore users, ServerLimits limits, TimeProvider time)
    {
        v1.MapGet("/usage", async (HttpContext http, string? user, string? from, string? to, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var last = to is null ? today : Day(to, "to");
            var first = from is null ? last.AddDays(-29) : Day(from, "from");
            if (first > last || last.DayNumber - first.DayNumber >= MaxDays)
            {
                throw new AgentHostException(ErrorKind.Usage, $"from {first:yyyy-MM-dd} to {last:yyyy-MM-dd}: give from on or before to, at most {MaxDays} days apart.");
            }

            var who = caller.Role == ServerRole.Member
                ? user is null || user == caller.Name ? caller.Name : throw new AgentHostException(ErrorKind.Denied, $"user '{caller.Name}' is a member: a member sees only their own usage; leave out ?user= or ask an admin.")
                : user;
            var rows = await users.GetUsageAsync(who, first, last, ct).ConfigureAwait(false);
            return TypedResults.Ok(new UsageView(
                first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                limits.TokensPerDay,
                limits.CostPerDay,
                [.. rows.Select(r => new UsageDayView(r.User, r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.InputTokens, r.OutputTokens, r.Cost))]));
        }).WithAccess(RouteAccess.AnyCaller).WithTags("server").WithName("getUsage").WithSummary("Tokens and cost per user and day (UTC), with the daily budgets; a member sees their own.").ProducesApiErrors();
    }

    private static DateOnly Day(string text, string name) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new AgentHostException(ErrorKind.Usage, $"{name}: '{text}' is not a day; write it as YYYY-MM-DD (UTC).");
}

/// <summary>Usage per user and day.</summary>
/// <param name="From">The first day.</param>
/// <param name="To">The last day (inclusive).</param>
/// <param name="TokensPerDay">The daily token budget of each user (<c>server.limits.tokens_per_day</c>), or none.</param>
/// <param name="CostPerDay">The daily cost budget of each user in USD (<c>server.limits.cost_per_day</c>), or none.</param>
/// <param name="Days">One entry per user and day with usage, by user then day.</param>
internal sealed record UsageView(string From, string To, long? TokensPerDay, decimal? CostPerDay, IReadOnlyList<UsageDayView> Days);

/// <summary>One user's usage on one day.</summary>
/// <param name="User">The user.</param>
/// <param name="Day">The day (UTC, YYYY-MM-DD).</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="Cost">USD.</param>
internal sealed record UsageDayView(string User, string Day, long InputTokens, long OutputTokens, decimal Cost);
