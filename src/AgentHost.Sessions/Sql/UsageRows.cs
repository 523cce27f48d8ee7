using System.Globalization;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Sql;

/// <summary>
/// The usage counters as the store and its parts write them: a step's tokens and cost added to the session's row and
/// to its owner's day (<c>user_usage</c>), and the stored spelling of a day.
/// </summary>
internal static class UsageRows
{
    /// <summary>How <c>user_usage.day</c> spells a day.</summary>
    public const string DayFormat = "yyyy-MM-dd";

    /// <summary>A day as <c>user_usage.day</c> stores it.</summary>
    public static string Day(DateOnly day) => day.ToString(DayFormat, CultureInfo.InvariantCulture);

    /// <summary>The statements that add a step's usage to the session row (the second one: 0 when there is no such session) and to its owner's day.</summary>
    public static SqlStatement[] AddUsage(string sessionId, UsageDetails usage, decimal? cost, long now)
    {
        long? nanos = cost is { } dollars ? (long)decimal.Round(dollars * 1_000_000_000m, MidpointRounding.AwayFromZero) : null;
        return
        [
            AddOwnerUsage(sessionId, usage, nanos, now),
            new SqlStatement(
                """
                UPDATE sessions SET
                    input_tokens = input_tokens + @input,
                    output_tokens = output_tokens + @output,
                    cached_tokens = cached_tokens + @cached,
                    reasoning_tokens = reasoning_tokens + @reasoning,
                    cost_nanousd = CASE WHEN CAST(@cost AS BIGINT) IS NULL THEN cost_nanousd ELSE COALESCE(cost_nanousd, 0) + @cost END,
                    updated_at = @now
                WHERE id = @id
                """,
                ("@input", usage.InputTokenCount ?? 0),
                ("@output", usage.OutputTokenCount ?? 0),
                ("@cached", usage.CachedInputTokenCount ?? 0),
                ("@reasoning", usage.ReasoningTokenCount ?? 0),
                ("@cost", nanos),
                ("@now", now),
                ("@id", sessionId)) { RequiresSession = true },
        ];
    }

    /// <summary>The statement that adds a step's usage to the day's row of the session's owner, in the write that adds it to the session (it changes nothing for a session without an owner).</summary>
    private static SqlStatement AddOwnerUsage(string sessionId, UsageDetails usage, long? nanos, long now) =>
        new(
            """
            INSERT INTO user_usage (owner, day, input_tokens, output_tokens, cost_nanousd)
            SELECT owner, @day, @input, @output, @cost FROM sessions WHERE id = @id AND owner IS NOT NULL
            ON CONFLICT (owner, day) DO UPDATE SET
                input_tokens = user_usage.input_tokens + excluded.input_tokens,
                output_tokens = user_usage.output_tokens + excluded.output_tokens,
                cost_nanousd = user_usage.cost_nanousd + excluded.cost_nanousd
            """,
            ("@day", Day(DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(now).UtcDateTime))),
            ("@input", usage.InputTokenCount ?? 0),
            ("@output", usage.OutputTokenCount ?? 0),
            ("@cost", nanos ?? 0),
            ("@id", sessionId));
}
