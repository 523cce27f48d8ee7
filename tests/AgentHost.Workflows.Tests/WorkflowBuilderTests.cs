using System.Text.Json.Nodes;
using AgentHost.Sdk.Workflows;
using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Workflows.Tests;

/// <summary>The SDK's <see cref="WorkflowBuilder"/>: every node kind, nested bodies and edges, validated by the parser.</summary>
public sealed class WorkflowBuilderTests
{
    [Fact]
    public void Build_ProducesADocumentThatTheParserReadsWithEveryKind()
    {
        var built = new WorkflowBuilder("everything")
            .Description("All kinds")
            .Input("task", required: true, description: "What to do")
            .Input("rounds", "integer", defaultValue: 2)
            .Model("openai/gpt-5-mini")
            .Plugins("git")
            .Budget(maxSteps: 20, maxTime: TimeSpan.FromMinutes(5), maxCost: 1.5m)
            .Output("{{ nodes.summary.text }}")
            .Nodes(n => n
                .Agent("plan", "Plan: {{ inputs.task }}", o => o.Set("permission_mode", "plan").Description("Think first"))
                .Tool("read", "read_file", new JsonObject { ["path"] = "README.md" }, o => o.Set("on_error", "continue"))
                .Decision("route", o => o.Next("ask", "nodes.read.is_error").Next("work"))
                .Wait("ask", "Go on?", o => o.Set("options", new JsonArray("yes", "no")).Set("timeout", "5m").Set("default", "yes"))
                .Loop("work", 3, body => body
                    .Shell("test", "make test", o => o.Next("end", "nodes.test.exit_code == 0"))
                    .Agent("fix", "Fix {{ nodes.test.output }} (round {{ loop.iteration }})", o => o.Set("continue", "plan")),
                    o => o.Set("until", "nodes.test.passed"))
                .Parallel("fan", b => b
                    .Branch("left", l => l.Agent("l1", "left"))
                    .Branch("right", r => r.Decision("r1", o => o.Set("prompt", "ok?").Set("choices", new JsonArray("a", "b")))))
                .SubWorkflow("sub", "other-flow", new Dictionary<string, string> { ["task"] = "{{ inputs.task }}" })
                .InlineWorkflow("inline", i => i.Agent("inner", "About {{ inputs.topic }}"), new Dictionary<string, string> { ["topic"] = "{{ nodes.plan.text }}" })
                .Agent("summary", "Summarise"))
            .Build();

        Assert.Equal("everything", built.Name);
        Assert.Equal("All kinds", built.Description);
        var definition = WorkflowParser.FromDocument(built.Document, new WorkflowSource(WorkflowSourceKind.Plugin, "plugin 'x'"));
        Assert.Equal(["plan", "read", "route", "ask", "work", "fan", "sub", "inline", "summary"], definition.Nodes.Nodes.Select(n => n.Id));
        Assert.Equal(["agent", "tool", "decision", "wait", "loop", "parallel", "workflow", "workflow", "agent"], definition.Nodes.Nodes.Select(n => n.Kind));
        Assert.Equal(new WorkflowBudget(20, TimeSpan.FromMinutes(5), 1.5m), definition.Budget);
        Assert.Equal([new WorkflowEdge("ask", "nodes.read.is_error"), new WorkflowEdge("work")], definition.Nodes.Nodes[2].Next);
        var loop = (LoopNode)definition.Nodes.Nodes[4];
        Assert.Equal("nodes.test.passed", loop.Until);
        Assert.Equal([new WorkflowEdge("end", "nodes.test.exit_code == 0")], loop.Body.Nodes[0].Next);
        Assert.Equal("plan", ((AgentNode)loop.Body.Nodes[1]).Continue);
        Assert.Equal(["a", "b"], ((DecisionNode)((ParallelNode)definition.Nodes.Nodes[5]).Branches[1].Value.Nodes[0]).Choices);
        Assert.Equal("inner", ((SubWorkflowNode)definition.Nodes.Nodes[7]).Inline!.Nodes[0].Id);
        Assert.Equal("Think first", definition.Nodes.Nodes[0].Description);
        Assert.Equal(2, definition.Inputs[1].Default!.GetValue<int>());
    }

    [Fact]
    public void Definition_IsACopy()
    {
        var built = new WorkflowBuilder("copy").Nodes(n => n.Shell("a", "true")).Build();
        var document = built.Document;
        document["name"] = "changed";
        Assert.Equal("copy", built.Document["name"]!.GetValue<string>());
    }
}
