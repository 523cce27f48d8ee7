using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Hosting.Text;

namespace AgentHost.Cli.Workflows;

/// <summary>The budget and output options shared by <c>agent workflow run</c> and <c>resume</c>.</summary>
internal sealed class WorkflowRunOptionsCli
{
    public Option<int?> MaxSteps { get; } = new("--max-steps") { Description = "Stop the run after this many model steps (overrides the workflow's budget.max_steps)." };

    public Option<string?> MaxTime { get; } = new("--max-time") { Description = "Stop the run after this much active time: 90s, 10m, 2h, 1h30m (overrides budget.max_time)." };

    public Option<string?> MaxCost { get; } = new("--max-cost") { Description = "Stop the run before the model request that would take its cost past this many US dollars, e.g. 0.50 (overrides budget.max_cost)." };

    public Option<string> Output { get; } = new("--output", "-o") { Description = "text (progress on stderr, the output on stdout) or json (NDJSON events).", DefaultValueFactory = _ => "text" };

    public Option<bool> IgnoreDenials { get; } = new("--ignore-denials") { Description = "Exit 0 when the workflow completed although some agent nodes' tool calls were denied (the nodes are still marked ⚠)." };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Output.AcceptOnlyFromAmong("text", "json");
        foreach (var option in new Option[] { MaxSteps, MaxTime, MaxCost, Output, IgnoreDenials })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The <c>--max-cost</c> amount (as <c>agent run --max-cost</c> reads it), or <see langword="null"/>.</summary>
    /// <exception cref="AgentHostException">Not an amount above zero (<see cref="ErrorKind.Usage"/>).</exception>
    public decimal? Cost(ParseResult parseResult) => TurnLimitOptions.Dollars(MaxCost.Name, parseResult.GetValue(MaxCost));

    /// <summary>The <c>--max-time</c> duration, or <see langword="null"/>.</summary>
    /// <exception cref="AgentHostException">Not a duration (<see cref="ErrorKind.Usage"/>).</exception>
    public TimeSpan? Time(ParseResult parseResult) =>
        parseResult.GetValue(MaxTime) is { } text
            ? DurationText.TryParse(text, out var duration) ? duration : throw new AgentHostException(ErrorKind.Usage, $"--max-time {text}: not a duration; write 90s, 10m, 2h or 1h30m.")
            : null;
}
