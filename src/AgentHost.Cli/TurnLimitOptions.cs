using System.CommandLine;
using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Hosting.Text;

namespace AgentHost.Cli;

/// <summary>
/// The limits of a turn shared by <c>agent run</c> and the chat: <c>--max-cost</c> (each turn), <c>--max-session-cost</c>
/// (the session in all) and <c>--timeout</c> (each turn). A turn that reaches one stops with exit code 6.
/// </summary>
internal sealed class TurnLimitOptions
{
    public Option<string?> MaxCost { get; } = new("--max-cost") { Description = "Stop a turn once it has cost this many US dollars (from the model catalog's prices), e.g. 0.50." };

    public Option<string?> MaxSessionCost { get; } = new("--max-session-cost") { Description = "Stop once the session has cost this many US dollars in all, earlier turns included." };

    public Option<string?> Timeout { get; } = new("--timeout") { Description = "Stop a turn after this long, cancelling what runs: 90s, 10m, 1h30m." };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { MaxCost, MaxSessionCost, Timeout })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The limits given, checked.</summary>
    /// <exception cref="AgentHostException">A value that is not an amount or a duration, naming its flag (<see cref="ErrorKind.Usage"/>).</exception>
    public TurnLimits Read(ParseResult parseResult) =>
        new(Dollars(MaxCost.Name, parseResult.GetValue(MaxCost)), Dollars(MaxSessionCost.Name, parseResult.GetValue(MaxSessionCost)), Duration(Timeout.Name, parseResult.GetValue(Timeout)));

    /// <summary>An amount in US dollars above zero (<c>0.5</c>, <c>$2</c>), or <see langword="null"/> when none was given.</summary>
    /// <exception cref="AgentHostException">Not such an amount.</exception>
    public static decimal? Dollars(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim().TrimStart('$');
        return decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount > 0m
            ? amount
            : throw new AgentHostException(ErrorKind.Usage, $"{option} {text}: not an amount of US dollars above zero; write e.g. 0.50 or 2.");
    }

    /// <summary>A duration (<c>90s</c>, <c>10m</c>, <c>1h30m</c>), or <see langword="null"/> when none was given.</summary>
    /// <exception cref="AgentHostException">Not a duration.</exception>
    public static TimeSpan? Duration(string option, string? text) =>
        text is null ? null
        : DurationText.TryParse(text.Trim(), out var duration) ? duration
        : throw new AgentHostException(ErrorKind.Usage, $"{option} {text}: not a duration; write 90s, 10m, 2h or 1h30m.");
}

/// <summary>A turn's limits: the cost of each turn, of the session in all, and the time of each turn; none when <see langword="null"/>.</summary>
/// <param name="MaxCost">US dollars per turn.</param>
/// <param name="MaxSessionCost">US dollars for the session in all.</param>
/// <param name="Timeout">Time per turn.</param>
internal sealed record TurnLimits(decimal? MaxCost, decimal? MaxSessionCost, TimeSpan? Timeout)
{
    /// <summary>Whether any limit is set.</summary>
    public bool Any => MaxCost is not null || MaxSessionCost is not null || Timeout is not null;

    /// <summary>The request with these limits.</summary>
    /// <param name="request">A turn.</param>
    /// <returns>It, limited.</returns>
    public Agent.Service.TurnRequest Apply(Agent.Service.TurnRequest request) =>
        request with { MaxCost = MaxCost, MaxSessionCost = MaxSessionCost, Timeout = Timeout };
}
