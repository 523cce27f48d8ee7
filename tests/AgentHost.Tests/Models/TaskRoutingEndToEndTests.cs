using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Models;

/// <summary>
/// Routing by task type through the real CLI (<c>multi_model.use_for</c>, <c>agent run --task</c>,
/// <c>agent models --explain</c>) against a local OpenAI-compatible server.
/// </summary>
public sealed class TaskRoutingEndToEndTests
{
    private static void Configure(RunWorkspace ws, FakeOpenAIServer server, string useFor)
    {
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                models:
                  - {"{"} id: small-m, tier: fast, context_window: 32000, features: [tools], input_price: 0.1, output_price: 0.2 {"}"}
                  - {"{"} id: big-m, tier: best, context_window: 200000, features: [tools], input_price: 3, output_price: 15 {"}"}
                  - gpt-4.1-mini
            multi_model:
              use_for:
            {useFor}
            """);
    }

    [Fact]
    public async Task Run_RoutesPlanModeAndSummariseTurns_ToTheirModels_AndSaysWhy()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        Configure(ws, server, "    plan: local/big-m\n    summarise: cheap\n    edit: local/gpt-4.1-mini");
        server.ReplySse(Chunks.Answer("a plan"));
        server.ReplySse(Chunks.Answer("a summary"));
        server.ReplySse(Chunks.Answer("an edit"));

        var plan = await ws.RunAsync("run", "how would you do it?", "--permission-mode", "plan", "-p", "files", "-o", "json");
        var summary = await ws.RunAsync("run", "sum it up", "--task", "summarise", "-p", "files", "-o", "json");
        var edit = await ws.RunAsync("run", "do it", "-p", "files", "--verbose");

        Assert.True(plan.ExitCode == ExitCodes.Success, plan.Error);
        Assert.True(summary.ExitCode == ExitCodes.Success, summary.Error);
        Assert.True(edit.ExitCode == ExitCodes.Success, edit.Error);
        var chats = server.Requests.Where(r => r.Path == "/v1/chat/completions").Select(r => r.Json.GetProperty("model").GetString()).ToList();
        Assert.Equal(["big-m", "small-m", "gpt-4.1-mini"], chats);
        Assert.Equal("multi_model.use_for.plan", Reason(plan.Output));
        Assert.StartsWith("multi_model.use_for.summarise: cheap → the automatic selector: auto-selected local/small-m (prefer cheap;", Reason(summary.Output), StringComparison.Ordinal);
        Assert.Contains("model: local/gpt-4.1-mini (multi_model.use_for.edit)", edit.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsExplain_ShowsWhereEachKindGoes_AndWhy()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        Configure(ws, server, "    plan: best\n    summarise: cheap\n    title: local/small-m");

        var json = await ws.RunAsync("models", "--explain", "--json", "--no-discover");
        var table = await ws.RunAsync("models", "--explain", "--no-discover");

        Assert.True(json.ExitCode == ExitCodes.Success, json.Error);
        var rows = JsonDocument.Parse(json.Output).RootElement.EnumerateArray()
            .ToDictionary(r => r.GetProperty("task").GetString()!, r => (Model: r.GetProperty("model").GetString(), Why: r.GetProperty("why").GetString()!));
        Assert.Equal(["plan", "edit", "summarise", "title", "compaction"], rows.Keys);
        Assert.Equal("local/big-m", rows["plan"].Model);
        Assert.StartsWith("multi_model.use_for.plan: best → the automatic selector: auto-selected local/big-m (prefer best;", rows["plan"].Why, StringComparison.Ordinal);
        Assert.Equal("local/gpt-4.1-mini", rows["edit"].Model);
        Assert.StartsWith("no rule and no 'model': auto-selected local/gpt-4.1-mini (prefer balanced;", rows["edit"].Why, StringComparison.Ordinal);
        Assert.Equal("local/small-m", rows["summarise"].Model);
        Assert.Equal(("local/small-m", "multi_model.use_for.title"), rows["title"]);
        Assert.Equal((null, "no rule and no small_model: the turn's model writes the summary"), rows["compaction"]);
        Assert.Matches(@"plan\s+local/big-m\s+multi_model\.use_for\.plan: best", table.Output);
        Assert.Matches(@"compaction\s+-\s+no rule and no small_model", table.Output);
    }

    [Fact]
    public async Task AnUnknownKind_IsAConfigurationError_NamingTheKey()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        Configure(ws, server, "    review: local/big-m");

        var result = await ws.RunAsync("config", "validate");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains("multi_model.use_for.review", result.Output + result.Error, StringComparison.Ordinal);
    }

    private static string Reason(string ndjson) =>
        RunWorkspace.Events(ndjson).Single(e => e.GetProperty("type").GetString() == "model.selected").GetProperty("reason").GetString()!;
}
