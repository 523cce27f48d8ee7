using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Sessions;
namespace AgentHost.Cli.Commands.Stats;

/// <summary>
/// <c>agent stats [--all] [--json]</c>: usage per session, per model and per tool from the session store;
/// <c>agent stats --users [--days N]</c>: usage per user of a shared server, per day (UTC), from the store the server uses.
/// </summary>
internal sealed class StatsCommand : AgentCommand
{
    private const int TopSessions = 10;

    private readonly Option<bool> _all = new("--all") { Description = "Summarise every workspace, not only the current one." };
    private readonly Option<bool> _json = SessionFormatting.JsonOption();
    private readonly Option<bool> _users = new("--users") { Description = "Usage per user of a shared 'agent serve' and day (UTC), from the store the server uses." };
    private readonly Option<int> _days = new("--days") { Description = "With --users: the last N days, today included (default 30).", DefaultValueFactory = _ => 30 };

    public StatsCommand(CliContext context)
        : base("stats", "Usage summary of the current workspace's sessions (or all with --all): tokens, cost, models and tools.", context)
    {
        Options.Add(_all);
        Options.Add(_json);
        Options.Add(_users);
        Options.Add(_days);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(_users))
        {
            return await UsersAsync(parseResult, cancellationToken).ConfigureAwait(false);
        }

        var workspace = SessionFormatting.WorkspaceFilter(Context, parseResult, _all);
        var all = workspace is null;
        var store = await Context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);
        var stats = await store.Stats.GetUsageStatsAsync(workspace, cancellationToken).ConfigureAwait(false);
        var console = Context.Console;
        if (parseResult.GetValue(_json))
        {
            console.WriteDataLine(JsonSerializer.Serialize(stats, SessionFormatting.Json));
            return ExitCodes.Success;
        }

        if (stats.Totals.Sessions == 0)
        {
            console.WriteLine(all
                ? "No sessions yet, so no usage. Start one with 'agent run \"<prompt>\"'."
                : $"No sessions in {stats.Workspace}. Use 'agent stats --all' for every workspace.");
            return ExitCodes.Success;
        }

        WriteTotals(console, stats);
        console.WriteLine();
        TextTable.Write(
            console,
            ["MODEL", "SESSIONS", "RUNS", "INPUT", "OUTPUT", "CACHED", "REASONING", "COST"],
            [.. stats.Models.Select(m => new[] { ModelName(m.Provider, m.Model), Count(m.Sessions), Count(m.Runs), Count(m.InputTokens), Count(m.OutputTokens), Count(m.CachedTokens), Count(m.ReasoningTokens), SessionFormatting.Cost(m.Cost) })]);
        console.WriteLine();
        if (stats.Tools.Count == 0)
        {
            console.WriteLine("No tool calls.");
        }
        else
        {
            TextTable.Write(
                console,
                ["TOOL", "PLUGIN", "CALLS", "FAILED", "DENIED", "TOTAL", "AVG", "MAX"],
                [.. stats.Tools.Select(t => new[] { t.Tool, t.Plugin ?? "-", Count(t.Calls), Count(t.Failures), Count(t.Denied), Duration(t.TotalDurationMs), Duration(t.AverageDurationMs), Duration(t.MaxDurationMs) })]);
        }

        console.WriteLine();
        var top = stats.Sessions.OrderByDescending(s => s.InputTokens + s.OutputTokens).ThenByDescending(s => s.UpdatedAt).Take(TopSessions).ToList();
        if (stats.Sessions.Count > top.Count)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Top {top.Count} of {stats.Sessions.Count} sessions by tokens (--json lists all):"));
        }

        TextTable.Write(
            console,
            ["SESSION", "UPDATED", "RUNS", "MESSAGES", "INPUT", "OUTPUT", "COST", "TOOLS", "TITLE"],
            [.. top.Select(s => new[]
            {
                s.Id, SessionFormatting.Stamp(s.UpdatedAt), Count(s.Runs), Count(s.Messages), Count(s.InputTokens), Count(s.OutputTokens),
                SessionFormatting.Cost(s.Cost), Count(s.ToolCalls), s.Title.Length > 0 ? s.Title : "(untitled)",
            })]);
        return ExitCodes.Success;
    }

    private static void WriteTotals(IConsoleInteraction console, UsageStats stats)
    {
        var totals = stats.Totals;
        console.WriteLine(stats.Workspace is { } workspace
            ? $"Usage in {workspace}"
            : string.Create(CultureInfo.InvariantCulture, $"Usage in all workspaces ({totals.Workspaces})"));
        console.WriteLine($"  sessions    {Count(totals.Sessions)}");
        console.WriteLine($"  runs        {Count(totals.Runs)}");
        console.WriteLine($"  messages    {Count(totals.Messages)}");
        console.WriteLine($"  tokens      {Count(totals.InputTokens)} in / {Count(totals.OutputTokens)} out ({Count(totals.CachedTokens)} cached, {Count(totals.ReasoningTokens)} reasoning)");
        console.WriteLine($"  cost        {SessionFormatting.Cost(totals.Cost)}");
        console.WriteLine($"  tool calls  {Count(totals.ToolCalls)} ({Count(totals.ToolFailures)} failed)");
    }

    private static string ModelName(string? provider, string? model) => (provider, model) switch
    {
        (null, null) => "(unknown)",
        (null, _) => model!,
        (_, null) => provider + "/(unknown)",
        _ => $"{provider}/{model}",
    };

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Duration(double milliseconds) => milliseconds switch
    {
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{milliseconds:0}ms"),
        < 60_000 => string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000:0.0}s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)(milliseconds / 60_000)}m{milliseconds / 1000 % 60:00}s"),
    };

    private async Task<int> UsersAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var days = parseResult.GetValue(_days);
        if (days is < 1 or > 366)
        {
            throw new Hosting.AgentHostException(Hosting.ErrorKind.Usage, string.Create(CultureInfo.InvariantCulture, $"--days {days}: give 1 to 366."));
        }

        var store = (await ServeStore.OpenAsync(Context, null, Context.Configuration(parseResult), cancellationToken).ConfigureAwait(false)).Store;
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        var usage = await store.Users.GetUsageAsync(null, today.AddDays(1 - days), today, cancellationToken).ConfigureAwait(false);
        var console = Context.Console;
        if (parseResult.GetValue(_json))
        {
            console.WriteDataLine(JsonSerializer.Serialize(usage, SessionFormatting.Json));
            return ExitCodes.Success;
        }

        if (usage.Count == 0)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"No usage by server users in the last {days} days (sessions made without a user are in 'agent stats --all')."));
            return ExitCodes.Success;
        }

        TextTable.Write(
            console,
            ["USER", "DAYS", "INPUT", "OUTPUT", "COST", "TODAY (TOKENS)", "TODAY (COST)"],
            [.. usage.GroupBy(u => u.User, StringComparer.Ordinal).Select(g =>
            {
                var now = g.Where(u => u.Day == today).ToList();
                return new[]
                {
                    g.Key, Count(g.Count()), Count(g.Sum(u => u.InputTokens)), Count(g.Sum(u => u.OutputTokens)), SessionFormatting.Cost(g.Sum(u => u.Cost)),
                    Count(now.Sum(u => u.InputTokens + u.OutputTokens)), SessionFormatting.Cost(now.Sum(u => u.Cost)),
                };
            })]);
        return ExitCodes.Success;
    }
}
