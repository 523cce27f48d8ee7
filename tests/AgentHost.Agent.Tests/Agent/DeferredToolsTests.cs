using AgentHost.Agent.Engine;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Agent;
using Microsoft.Extensions.AI;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

/// <summary>
/// Deferred tools (docs/agent-loop.md, "What is sent"): listed by name and summary, loaded by <c>tool_search</c>, by a
/// call, or up front when the run names them; loading appends to the offered tools, so earlier requests stay a prefix.
/// </summary>
public sealed class DeferredToolsTests
{
    private static ToolPipelineOptions Deferring => new() { Deferral = ToolDeferral.Default };

    [Fact]
    public async Task ADeferredTool_IsNotOffered_UntilToolSearchLoadsIt_ThenItIsAppended_AndCalled()
    {
        await using var harness = new AgentHarness(toolOptions: Deferring);
        var committed = 0;
        harness.Add(Core("look", () => "seen"));
        harness.Add(AgentHarness.Tool("commit_changes", () => $"committed {++committed}", ToolEffect.Write, description: "Commits the staged changes. Never pushes."));
        harness.Add(AgentHarness.Tool("zap", () => "zapped", ToolEffect.Write, description: "Deletes caches."));
        harness.Client
            .Step(Call("c1", "tool_search", """{"query":"commit staged"}"""))
            .Step(Call("c2", "commit_changes"))
            .Answer("done");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(["look", "tool_search"], Names(0));
        Assert.Equal(["look", "tool_search", "commit_changes"], Names(1));
        Assert.Equal(["look", "tool_search", "commit_changes"], Names(2));
        Assert.StartsWith("Loaded 1 tool", harness.ResultsSeenBy(1)["c1"], StringComparison.Ordinal);
        Assert.Contains("- commit_changes: Commits the staged changes.", harness.ResultsSeenBy(1)["c1"], StringComparison.Ordinal);
        Assert.Equal("committed 1", harness.ResultsSeenBy(2)["c2"]);
        Assert.Equal(["commit_changes"], harness.Pipeline.GetLoadedTools());

        List<string> Names(int request) => [.. harness.Client.Options[request]!.Tools!.Select(t => t.Name)];
    }

    [Fact]
    public async Task ADeferredToolCalledWithoutLoading_Runs_AndIsOfferedFromTheNextRequest()
    {
        await using var harness = new AgentHarness(toolOptions: Deferring);
        harness.Add(AgentHarness.Tool("zap", () => "zapped", description: "Deletes caches."));
        harness.Client.Step(Call("c1", "zap")).Answer("done");

        await harness.RunAsync();

        Assert.Equal("zapped", harness.ResultsSeenBy(1)["c1"]);
        Assert.DoesNotContain(harness.Client.Options[0]!.Tools!, t => t.Name == "zap");
        Assert.Contains(harness.Client.Options[1]!.Tools!, t => t.Name == "zap");
    }

    [Fact]
    public async Task ToolsTheRunNames_AreLoadedBeforeTheFirstRequest_PrefixesAndPluginQualifiedNamesToo()
    {
        await using var harness = new AgentHarness(toolOptions: Deferring);
        harness.Add("gitty", AgentHarness.Tool("git_add", () => "added"), AgentHarness.Tool("git_commit", () => "ok"), AgentHarness.Tool("git_switch", () => "ok"));
        harness.Add(AgentHarness.Tool("zap", () => "zapped"));
        harness.Client.Answer("done");

        await harness.RunAsync(configure: r => r with { ToolsToLoad = () => ["gitty/git_commit", "git_a*", "unknown_tool"] });

        Assert.Equal(["tool_search", "git_commit", "git_add"], harness.Client.Options[0]!.Tools!.Select(t => t.Name));
    }

    [Fact]
    public async Task AResumedConversation_LoadsAgainWhatItsToolSearchesSelected_AndTheDeferredToolsItCalled()
    {
        await using var harness = new AgentHarness(toolOptions: Deferring);
        harness.Add(AgentHarness.Tool("alpha", () => "a", description: "Alpha tool."), AgentHarness.Tool("beta", () => "b", description: "Beta tool."), AgentHarness.Tool("gamma", () => "c"));
        harness.Client.Answer("done");
        List<ChatMessage> history =
        [
            new(ChatRole.User, "earlier"),
            new(ChatRole.Assistant, [Call("h1", "tool_search", """{"query":"beta"}""")]),
            new(ChatRole.Tool, [new FunctionResultContent("h1", "Loaded 1 tool")]),
            new(ChatRole.Assistant, [Call("h2", "gamma")]),
            new(ChatRole.Tool, [new FunctionResultContent("h2", "c")]),
        ];

        await harness.RunAsync(configure: r => r with { History = history });

        Assert.Equal(["tool_search", "beta", "gamma"], harness.Client.Options[0]!.Tools!.Select(t => t.Name));
    }

    [Fact]
    public async Task WithoutDeferral_EveryToolIsOffered_AndThereIsNoToolSearch()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("zap", () => "zapped"));
        harness.Client.Answer("done");

        await harness.RunAsync();

        Assert.Equal(["zap"], harness.Client.Options[0]!.Tools!.Select(t => t.Name));
        Assert.Empty(harness.Pipeline.GetToolSet().Deferred);
    }

    [Fact]
    public void ToolSearch_NamesLoadThoseTools_WordsLoadTheBestMatches_AtMostFive()
    {
        var tools = Enumerable.Range(0, 8).Select(i => Deferred($"net_tool_{i}", "Talks to the network.")).Append(Deferred("git_commit", "Commits the staged changes.")).ToList();

        Assert.Equal(["git_commit", "net_tool_3"], ToolSearchTool.Select(tools, "git_commit, NET_TOOL_3").Select(t => t.Name));
        Assert.Equal(["git_commit"], ToolSearchTool.Select(tools, "select:git_commit").Select(t => t.Name));
        Assert.Equal("git_commit", ToolSearchTool.Select(tools, "commit the staged work")[0].Name);
        Assert.Equal(ToolSearchTool.MaxMatches, ToolSearchTool.Select(tools, "network").Count);
        Assert.Empty(ToolSearchTool.Select(tools, "kubernetes"));
    }

    [Fact]
    public void ToolSearch_IgnoresCommonWords_AndLeavesOutMatchesUnderHalfTheBestScore()
    {
        List<DeferredTool> tools =
        [
            Deferred("git_commit", "Commits the staged changes."),
            Deferred("git_restore", "Restores files from a commit."),
            Deferred("job_list", "Lists the background jobs with their state."),
        ];

        // "the" and "with" are in every description; they select nothing on their own and add nothing to a score.
        Assert.Empty(ToolSearchTool.Select(tools, "the with"));
        // git_commit scores 5 (name 3, "staged" 1, "changes" 1); git_restore 1 ("commit" in its description): left out.
        Assert.Equal(["git_commit"], ToolSearchTool.Select(tools, "commit the staged changes").Select(t => t.Name));
    }

    [Fact]
    public async Task ToolSearch_WithNoMatch_ListsTheDeferredTools()
    {
        await using var harness = new AgentHarness(toolOptions: Deferring);
        harness.Add(AgentHarness.Tool("zap", () => "zapped", description: "Deletes caches."));
        harness.Client.Step(Call("c1", "tool_search", """{"query":"kubernetes"}""")).Answer("done");

        await harness.RunAsync();

        Assert.Equal("No deferred tool matches 'kubernetes'. Deferred tools: zap.", harness.ResultsSeenBy(1)["c1"]);
        Assert.Empty(harness.Pipeline.GetLoadedTools());
    }

    private static ToolCapability Core(string name, Delegate implementation) =>
        new(AIFunctionFactory.Create(implementation, name), new ToolMetadata(ToolEffect.Read) { Deferred = false });

    private static DeferredTool Deferred(string name, string description) =>
        new(name, ModelDeclaration.Summary(description), new FakeDeclaration(name, description));

    private sealed class FakeDeclaration(string name, string description) : AIFunctionDeclaration
    {
        public override string Name => name;

        public override string Description => description;
    }
}
