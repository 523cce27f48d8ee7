using System.Text.Json.Nodes;
using AgentHost.Agent.Questions;
using AgentHost.Sessions;
using AgentHost.Tests.Service;
using AgentHost.Workflows.Engine;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Tests;

/// <summary>The workflow runner in-process over a real session service and store (ServiceFixture): people and tool filters.</summary>
public sealed class WorkflowRunnerTests
{
    private static readonly IReadOnlyDictionary<string, JsonNode?> NoInputs = new Dictionary<string, JsonNode?>();

    [Fact]
    public async Task Wait_IsAskedThroughIHumanQuestions_WhenSomeoneCanAnswer_AndTheAnswerIsTheNodesOutput()
    {
        await using var fixture = new ServiceFixture();
        var people = new Answering(_ => new HumanAnswer("Yes", "chat"));
        var definition = new WorkflowDefinition("gate", new WorkflowGraph([new WaitNode("ask", "Deploy to {{ workflow.name }}?") { Options = ["yes", "no"] }]))
        {
            Output = "{{ nodes.ask.answer }} {{ nodes.ask.timed_out }}",
        };

        var result = await new WorkflowRunner(fixture.Service).RunAsync(definition, NoInputs, new WorkflowRunOptions(fixture.Root) { Questions = people });

        Assert.Equal((WorkflowRunStatus.Completed, "yes false"), (result.Status, result.Output));
        var asked = Assert.Single(people.Asked);
        Assert.Equal(("Deploy to gate?", "ask", result.RunId), (asked.Text, asked.NodeId, asked.WorkflowRunId));
        Assert.Equal(["yes", "no"], asked.Options);
        Assert.Equal(WorkflowRunState.Completed, (await fixture.Store.Workflows.GetRunAsync(result.RunId)).Status);
    }

    [Fact]
    public async Task Wait_NobodyAnswersWithinItsTimeout_TakesTheDefault()
    {
        await using var fixture = new ServiceFixture();
        var people = new Answering(_ => null);
        var definition = new WorkflowDefinition("gate", new WorkflowGraph([new WaitNode("ask", "Go?") { Options = ["go", "stop"], Timeout = TimeSpan.FromMinutes(5), Default = "stop" }]))
        {
            Output = "{{ nodes.ask.answer }} {{ nodes.ask.timed_out }}",
        };

        var result = await new WorkflowRunner(fixture.Service).RunAsync(definition, NoInputs, new WorkflowRunOptions(fixture.Root) { Questions = people });

        Assert.Equal((WorkflowRunStatus.Completed, "stop true"), (result.Status, result.Output));
        Assert.Equal(TimeSpan.FromMinutes(5), Assert.Single(people.Asked).Timeout);
    }

    [Fact]
    public async Task Wait_WithNobodyToAsk_StoresThePendingQuestion_AndResumeWithTheAnswerContinues()
    {
        await using var fixture = new ServiceFixture();
        var definition = new WorkflowDefinition("gate", new WorkflowGraph([new WaitNode("ask", "Go?") { Options = ["go", "stop"] }]))
        {
            Output = "answered {{ nodes.ask.answer }}",
            Document = new JsonObject { ["name"] = "gate" },
        };
        var runner = new WorkflowRunner(fixture.Service, (_, _) => definition);

        var waiting = await runner.RunAsync(definition, NoInputs, new WorkflowRunOptions(fixture.Root));

        Assert.Equal(WorkflowRunStatus.Waiting, waiting.Status);
        Assert.Equal(("Go?", "ask"), (waiting.Pending!.Text, waiting.Pending.NodeId));
        var stored = await fixture.Store.Workflows.GetRunAsync(waiting.RunId);
        Assert.Equal(WorkflowRunState.Waiting, stored.Status);
        Assert.NotNull(stored.PendingSince);

        var done = await runner.ResumeAsync(waiting.RunId[..10], new WorkflowRunOptions(fixture.Root), "go");

        Assert.Equal((WorkflowRunStatus.Completed, "answered go"), (done.Status, done.Output));
        Assert.Equal("ask", Assert.Single(await fixture.Store.Workflows.GetNodesAsync(waiting.RunId)).Path);
    }

    [Fact]
    public async Task AgentNode_ToolsLimitWhatItsSessionOffersTheModel_AndTheSessionIsTitledWorkflowSlashNode()
    {
        await using var fixture = new ServiceFixture();
        fixture.Model("limited").Reply("done");
        fixture.Model("all").Reply("done too");
        var definition = new WorkflowDefinition("tools", new WorkflowGraph(
        [
            new AgentNode("limited", "Only notes") { Model = "fake/limited", Tools = ["write_note"] },
            new AgentNode("all", "Anything") { Model = "fake/all" },
        ]));

        var result = await new WorkflowRunner(fixture.Service).RunAsync(definition, NoInputs, new WorkflowRunOptions(fixture.Root));

        Assert.Equal(WorkflowRunStatus.Completed, result.Status);
        // A node's tools are offered up front; without a list the node gets the session's tools, a plugin's deferred
        // ones (write_note) listed in the system prompt and loaded through tool_search.
        Assert.Equal(["write_note"], Assert.Single(fixture.Model("limited").OfferedTools));
        Assert.Equal(["ask_user", "skill", "tool_search"], Assert.Single(fixture.Model("all").OfferedTools));
        Assert.Contains("\n- write_note: Writes a note.\n", Assert.Single(fixture.Model("all").Requests)[0].Text, StringComparison.Ordinal);
        var nodes = await fixture.Store.Workflows.GetNodesAsync(result.RunId);
        var session = await fixture.Store.GetSessionAsync(nodes[0].SessionId!);
        Assert.Equal("tools/limited", session.Title);
    }

    private sealed class Answering(Func<HumanQuestion, HumanAnswer?> answer) : IHumanQuestions
    {
        public List<HumanQuestion> Asked { get; } = [];

        public bool CanAnswer => true;

        public Task<HumanAnswer?> AskAsync(HumanQuestion question, CancellationToken cancellationToken)
        {
            Asked.Add(question);
            return Task.FromResult(answer(question));
        }
    }
}
