using System.Text.Json.Nodes;
using AgentHost.Hosting;
using AgentHost.Sessions;
using AgentHost.Workflows.Engine;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Tests;

public sealed class WorkflowEnginePartsTests
{
    private static readonly WorkflowDefinition Definition = new("demo", new WorkflowGraph([new WaitNode("ask", "ok?")]))
    {
        Inputs =
        [
            new WorkflowInput("task", WorkflowValueType.String) { Required = true, Description = "What to do" },
            new WorkflowInput("attempts", WorkflowValueType.Integer) { Default = 3 },
            new WorkflowInput("ratio", WorkflowValueType.Number),
            new WorkflowInput("dry", WorkflowValueType.Boolean),
            new WorkflowInput("extra", WorkflowValueType.Object),
        ],
    };

    [Fact]
    public void Inputs_ConvertCommandLineText_ToTheDeclaredTypes_AndFillDefaults()
    {
        var bound = WorkflowInputs.Bind(Definition, new Dictionary<string, JsonNode?>
        {
            ["task"] = "fix it",
            ["ratio"] = "2.5",
            ["dry"] = "true",
            ["extra"] = """{"a": 1}""",
        });

        Assert.Equal("""{"task":"fix it","attempts":3,"ratio":2.5,"dry":true,"extra":{"a":1}}""", bound.ToJsonString());
    }

    [Theory]
    [InlineData("attempts", "many", "input 'attempts' of workflow 'demo' must be an integer")]
    [InlineData("dry", "perhaps", "must be a boolean (true or false)")]
    [InlineData("nope", "x", "input 'nope': workflow 'demo' has no such input (its inputs are task, attempts, ratio, dry, extra)")]
    public void Inputs_RefuseUnknownAndIllTypedValues_NamingTheInput(string name, string value, string message)
    {
        var error = Assert.Throws<AgentHostException>(() => WorkflowInputs.Bind(Definition, new Dictionary<string, JsonNode?> { ["task"] = "t", [name] = value }));

        Assert.Equal(ErrorKind.Usage, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_RefuseAMissingRequiredInput_WithHowToGiveIt()
    {
        var error = Assert.Throws<AgentHostException>(() => WorkflowInputs.Bind(Definition, new Dictionary<string, JsonNode?>()));

        Assert.Equal("input 'task' of workflow 'demo' is required (What to do): give it with --input task=VALUE.", error.Message);
    }

    [Theory]
    [InlineData("""{"choice": "ship", "reason": "green"}""", "ship", "green")]
    [InlineData("```json\n{\"choice\": \"Hold\"}\n```", "hold", null)]
    [InlineData("ship.", "ship", null)]
    [InlineData("`hold`", "hold", null)]
    [InlineData("I think we should ship", null, null)]
    [InlineData("""{"choice": "later"}""", null, null)]
    public void Decision_AcceptsJsonOrABareChoice_AndNothingElse(string answer, string? choice, string? reason)
    {
        Assert.Equal((choice, reason), WorkflowExecution.ParseChoice(answer, ["ship", "hold"]));
    }

    [Fact]
    public void Budget_StopsAtEachLimit_NamingTheAmountAndHowToRaiseIt()
    {
        var steps = new WorkflowBudgetTracker("RUN1", new WorkflowBudget(5, null, null), new WorkflowRunCounters(4, 0, 0));
        steps.Check(beforeModelNode: true);
        Assert.Equal(1, steps.StepsLeft);
        Assert.True(steps.TryTakeStep());
        Assert.False(steps.TryTakeStep());
        Assert.True(steps.StepsExhausted);
        steps.Check();
        var stepError = Assert.Throws<WorkflowBudgetException>(() => steps.Check(beforeModelNode: true));
        Assert.Equal("budget max_steps 5 reached (5 model steps used). Raise it with 'agent workflow resume RUN1 --max-steps 15'.", stepError.Message);

        var cost = new WorkflowBudgetTracker("RUN2", new WorkflowBudget(null, null, 1.5m), new WorkflowRunCounters(0, 1m, 0));
        Assert.True(cost.TryTakeStep());
        cost.AddCost(0.75m);
        Assert.Equal(new WorkflowRunCounters(1, 1.75m, cost.Counters.ActiveMilliseconds), cost.Counters);
        Assert.Contains("budget max_cost $1.50 reached ($1.75 spent)", Assert.Throws<WorkflowBudgetException>(() => cost.Check()).Message, StringComparison.Ordinal);

        var time = new WorkflowBudgetTracker("RUN3", new WorkflowBudget(null, TimeSpan.FromMinutes(1), null), new WorkflowRunCounters(0, 0, 61_000));
        Assert.Contains("budget max_time 1m reached (1m1s of active time)", Assert.Throws<WorkflowBudgetException>(() => time.Check()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PendingQuestion_RoundTripsThroughItsStoredForm()
    {
        var question = new AgentHost.Agent.Questions.HumanQuestion("R/gate", "Deploy?") { Options = ["yes", "no"], Timeout = TimeSpan.FromMinutes(5), NodeId = "gate" };

        var json = WaitQuestionJson.Write("loop#2/gate", question, "no");

        Assert.Equal("loop#2/gate", WaitQuestionJson.PathOf(json));
        var read = WaitQuestionJson.Read(json, "R")!;
        Assert.Equal(("R/gate", "Deploy?", TimeSpan.FromMinutes(5), "gate", "R"), (read.Id, read.Text, read.Timeout!.Value, read.NodeId!, read.WorkflowRunId!));
        Assert.Equal(["yes", "no"], read.Options);
    }
}
