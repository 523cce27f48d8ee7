using System.Globalization;

namespace AgentHost.Agent.Engine;

/// <summary>
/// The cost caps of a turn, in US dollars from the model catalog's prices: the turn's own (<c>--max-cost</c>) and the
/// session's total (<c>--max-session-cost</c>), with what the session had spent before the turn.
/// </summary>
/// <param name="Turn">The most this turn may cost; none when <see langword="null"/>.</param>
/// <param name="Session">The most the session may cost in all; none when <see langword="null"/>.</param>
/// <param name="SessionSpent">What the session's earlier turns cost.</param>
public sealed record CostCaps(decimal? Turn, decimal? Session, decimal SessionSpent)
{
    /// <summary>Why a run that has spent <paramref name="spent"/> must not send another request, or <see langword="null"/> while it may.</summary>
    /// <param name="spent">What the run has cost so far.</param>
    /// <param name="steps">The model steps it took.</param>
    /// <returns>The reason, naming the cap, what was spent and how to go on.</returns>
    public string? Reached(decimal spent, int steps)
    {
        if (Session is { } session && SessionSpent + spent >= session)
        {
            return $"stopped after {steps} steps: the session has cost {Dollars(SessionSpent + spent)}, its cap is {Dollars(session)} (--max-session-cost). Raise the cap to go on";
        }

        return Turn is { } turn && spent >= turn
            ? $"stopped after {steps} steps: this turn has cost {Dollars(spent)}, its cap is {Dollars(turn)} (--max-cost). Continue the session to go on, or raise --max-cost"
            : null;
    }

    /// <summary>A dollar amount as the caps are shown: <c>$0.50</c>, more digits only when it is smaller than a cent.</summary>
    /// <param name="amount">US dollars.</param>
    /// <returns>The text.</returns>
    public static string Dollars(decimal amount) =>
        "$" + (amount is > 0m and < 0.01m ? amount.ToString("0.######", CultureInfo.InvariantCulture) : amount.ToString("0.00", CultureInfo.InvariantCulture));
}
