using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Observability;

/// <summary><c>agent stats</c> over sessions, messages, tool events and usage written to a real store in a temp AGENT_HOME.</summary>
public sealed class StatsCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public StatsCommandTests()
    {
        Directory.CreateDirectory(_temp.Combine("repo", ".git"));
        Directory.CreateDirectory(_temp.Combine("elsewhere"));
    }

    private string Repo => _temp.Combine("repo");

    private HostEnvironment Environment => TestEnvironment.Create(_temp.Path, Repo);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Json_SummarisesThisWorkspace_PerModelAndPerTool()
    {
        await SeedAsync();

        var result = await CliRunner.RunAsync(Environment, "stats", "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var document = JsonDocument.Parse(result.Output);
        var root = document.RootElement;
        Assert.Equal(Repo, root.GetProperty("workspace").GetString());

        var totals = root.GetProperty("totals");
        Assert.Equal(3, totals.GetProperty("sessions").GetInt64());
        Assert.Equal(1, totals.GetProperty("workspaces").GetInt64());
        Assert.Equal(4, totals.GetProperty("runs").GetInt64()); // the compaction summary is not a run
        Assert.Equal(9, totals.GetProperty("messages").GetInt64());
        Assert.Equal(3_800, totals.GetProperty("inputTokens").GetInt64());
        Assert.Equal(750, totals.GetProperty("outputTokens").GetInt64());
        Assert.Equal(100, totals.GetProperty("cachedTokens").GetInt64());
        Assert.Equal(0.035m, totals.GetProperty("cost").GetDecimal());
        Assert.Equal(5, totals.GetProperty("toolCalls").GetInt64());
        Assert.Equal(2, totals.GetProperty("toolFailures").GetInt64());

        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(2, models.Count);
        Assert.Equal("anthropic", models[0].GetProperty("provider").GetString()); // most tokens first
        Assert.Equal("claude-sonnet-4", models[0].GetProperty("model").GetString());
        Assert.Equal(1, models[0].GetProperty("sessions").GetInt64());
        Assert.Equal(2_000, models[0].GetProperty("inputTokens").GetInt64());
        Assert.Equal(0.02m, models[0].GetProperty("cost").GetDecimal());
        Assert.Equal("gpt-4o", models[1].GetProperty("model").GetString());
        Assert.Equal(2, models[1].GetProperty("sessions").GetInt64());
        Assert.Equal(3, models[1].GetProperty("runs").GetInt64());
        Assert.Equal(1_800, models[1].GetProperty("inputTokens").GetInt64());
        Assert.Equal(350, models[1].GetProperty("outputTokens").GetInt64());
        Assert.Equal(0.015m, models[1].GetProperty("cost").GetDecimal());

        var tools = root.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("tool").GetString()!);
        Assert.Equal(["view", "bash", "edit"], root.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("tool").GetString()!).ToArray());
        Assert.Equal(3, tools["view"].GetProperty("calls").GetInt64());
        Assert.Equal(1, tools["view"].GetProperty("failures").GetInt64());
        Assert.Equal("files", tools["view"].GetProperty("plugin").GetString());
        Assert.Equal(60, tools["view"].GetProperty("totalDurationMs").GetDouble());
        Assert.Equal(20, tools["view"].GetProperty("averageDurationMs").GetDouble());
        Assert.Equal(30, tools["view"].GetProperty("maxDurationMs").GetDouble());
        Assert.Equal(1, tools["bash"].GetProperty("failures").GetInt64()); // timed out
        Assert.Equal(0, tools["edit"].GetProperty("failures").GetInt64());
        Assert.Equal(1, tools["edit"].GetProperty("denied").GetInt64());

        var sessions = root.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(3, sessions.Count);
        var first = sessions.Single(s => s.GetProperty("title").GetString() == "Fix the build");
        Assert.Equal(2, first.GetProperty("runs").GetInt64());
        Assert.Equal(5, first.GetProperty("messages").GetInt64());
        Assert.Equal(4, first.GetProperty("toolCalls").GetInt64());
        Assert.Equal(2, first.GetProperty("toolFailures").GetInt64());
        var noCost = sessions.Single(s => s.GetProperty("inputTokens").GetInt64() == 300);
        Assert.Equal(JsonValueKind.Null, noCost.GetProperty("cost").ValueKind);
    }

    [Fact]
    public async Task All_IncludesEveryWorkspace()
    {
        await SeedAsync();

        var result = await CliRunner.RunAsync(Environment, "stats", "--all", "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var document = JsonDocument.Parse(result.Output);
        var root = document.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("workspace").ValueKind);
        Assert.Equal(4, root.GetProperty("totals").GetProperty("sessions").GetInt64());
        Assert.Equal(2, root.GetProperty("totals").GetProperty("workspaces").GetInt64());
        Assert.Equal(13_800, root.GetProperty("totals").GetProperty("inputTokens").GetInt64());
        var view = root.GetProperty("tools").EnumerateArray().Single(t => t.GetProperty("tool").GetString() == "view");
        Assert.Equal(4, view.GetProperty("calls").GetInt64());
        Assert.Equal(1_000, view.GetProperty("maxDurationMs").GetDouble());
    }

    [Fact]
    public async Task Text_ShowsTotalsAndTheModelToolAndSessionTables()
    {
        await SeedAsync();

        var result = await CliRunner.RunAsync(Environment, "stats");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var output = result.Output;
        Assert.Contains($"Usage in {Repo}", output, StringComparison.Ordinal);
        Assert.Matches(@"tokens\s+3,800 in / 750 out \(100 cached, 0 reasoning\)", output);
        Assert.Matches(@"cost\s+\$0\.0350", output);
        Assert.Matches(@"tool calls\s+5 \(2 failed\)", output);
        Assert.Matches(@"MODEL\s+SESSIONS\s+RUNS\s+INPUT\s+OUTPUT\s+CACHED\s+REASONING\s+COST", output);
        Assert.Matches(@"anthropic/claude-sonnet-4\s+1\s+1\s+2,000\s+400\s+0\s+0\s+\$0\.0200", output);
        Assert.Matches(@"openai/gpt-4o\s+2\s+3\s+1,800\s+350\s+100\s+0\s+\$0\.0150", output);
        Assert.Matches(@"view\s+files\s+3\s+1\s+0\s+60ms\s+20ms\s+30ms", output);
        Assert.Matches(@"bash\s+shell\s+1\s+1\s+0\s+1\.5s", output);
        Assert.Matches(@"SESSION\s+UPDATED\s+RUNS\s+MESSAGES", output);
        Assert.Contains("Fix the build", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Elsewhere", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoSessions_SaysSo_AndPointsAtAll()
    {
        var result = await CliRunner.RunAsync(Environment, "stats");
        var json = await CliRunner.RunAsync(Environment, "stats", "--json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("No sessions in", result.Output, StringComparison.Ordinal);
        Assert.Contains("agent stats --all", result.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(0, document.RootElement.GetProperty("totals").GetProperty("sessions").GetInt64());
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("totals").GetProperty("cost").ValueKind);
    }

    /// <summary>
    /// Three sessions in the repo (two on openai/gpt-4o, one on anthropic/claude-sonnet-4) and one elsewhere, with
    /// messages (one a compaction summary), usage and tool events of every status.
    /// </summary>
    private async Task SeedAsync()
    {
        using var store = await SessionStore.OpenAsync(AgentPaths.Resolve(Environment).SessionsDatabase, SecretScrubber.PatternsOnly);

        var build = await store.CreateSessionAsync(new NewSession(Repo, "openai", "gpt-4o") { Prompt = "Fix the build" });
        await AppendAsync(store, build.Id, ChatRole.User, "Fix the build");
        await AppendAsync(store, build.Id, ChatRole.Assistant, "Done.");
        await store.Conversation.AppendMessageAsync(build.Id, new ChatMessage(ChatRole.User, "Summary so far") { AdditionalProperties = new() { [IConversationRecorder.SummaryMarker] = true } });
        await AppendAsync(store, build.Id, ChatRole.User, "Now the tests");
        await AppendAsync(store, build.Id, ChatRole.Assistant, "Fixed.");
        await store.RecordUsageAsync(build.Id, new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 200, CachedInputTokenCount = 100 }, 0.01m);
        await store.RecordUsageAsync(build.Id, new UsageDetails { InputTokenCount = 500, OutputTokenCount = 100 }, 0.005m);
        await ToolAsync(store, build.Id, "view", "files", ToolCallStatus.Succeeded, 10);
        await ToolAsync(store, build.Id, "view", "files", ToolCallStatus.Failed, 30);
        await ToolAsync(store, build.Id, "bash", "shell", ToolCallStatus.TimedOut, 1_500);
        await ToolAsync(store, build.Id, "edit", "files", ToolCallStatus.Denied, 5);

        var docs = await store.CreateSessionAsync(new NewSession(Repo, "openai", "gpt-4o"));
        await AppendAsync(store, docs.Id, ChatRole.User, "Write docs");
        await AppendAsync(store, docs.Id, ChatRole.Assistant, "Written.");
        await store.RecordUsageAsync(docs.Id, new UsageDetails { InputTokenCount = 300, OutputTokenCount = 50 }, null);
        await ToolAsync(store, docs.Id, "view", "files", ToolCallStatus.Succeeded, 20);

        var review = await store.CreateSessionAsync(new NewSession(Repo, "anthropic", "claude-sonnet-4"));
        await AppendAsync(store, review.Id, ChatRole.User, "Review");
        await AppendAsync(store, review.Id, ChatRole.Assistant, "Looks good.");
        await store.RecordUsageAsync(review.Id, new UsageDetails { InputTokenCount = 2_000, OutputTokenCount = 400 }, 0.02m);

        var other = await store.CreateSessionAsync(new NewSession(_temp.Combine("elsewhere"), "openai", "gpt-4o") { Prompt = "Elsewhere" });
        await AppendAsync(store, other.Id, ChatRole.User, "Elsewhere");
        await store.RecordUsageAsync(other.Id, new UsageDetails { InputTokenCount = 10_000, OutputTokenCount = 10 }, 0.1m);
        await ToolAsync(store, other.Id, "view", "files", ToolCallStatus.Succeeded, 1_000);
    }

    private static async Task AppendAsync(SessionStore store, string sessionId, ChatRole role, string text) =>
        await store.Conversation.AppendMessageAsync(sessionId, new ChatMessage(role, text));

    private static async Task ToolAsync(SessionStore store, string sessionId, string tool, string plugin, ToolCallStatus status, double durationMs) =>
        await store.Conversation.RecordToolEventAsync(new ToolEventRecord(sessionId, Guid.NewGuid().ToString("N"), tool, plugin, "{}", status, durationMs)
        {
            Error = status == ToolCallStatus.Succeeded ? null : "it went wrong",
        });
}
