using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// #49: a workflow run's cost cap (<c>budget.max_cost</c>, <c>--max-cost</c>) is each agent turn's cap less what the run
/// spent, so the run stops before the model request that would pass it — not only after the node. The scripted model is
/// priced in the user configuration ($1000 per million tokens: a step of 1000 input tokens costs $1.00).
/// </summary>
public sealed class WorkflowCostCapTests
{
    private const string OneStep = """
        turns:
          - text: first node done
            usage: { input: 1000, output: 0 }
        """;

    private const string TwoSteps = """
        turns:
          - text: Looking.
            usage: { input: 1000, output: 0 }
            tool_calls:
              - name: ls
                arguments: { path: "." }
          - text: second node done
            usage: { input: 1000, output: 0 }
        """;

    private static void PriceModels(WorkflowWorkspace ws)
    {
        var one = ws.Model(OneStep)["scripted/".Length..];
        var two = ws.Model(TwoSteps)["scripted/".Length..];
        ws.WriteUserConfig($$$"""
            providers:
              first:
                type: scripted
                script: {{{one}}}
                models:
                  - { id: m, input_price: 1000, output_price: 1000 }
              second:
                type: scripted
                script: {{{two}}}
                models:
                  - { id: m, input_price: 1000, output_price: 1000 }
            """);
        ws.WriteWorkflow("costly.yaml", """
            name: costly
            nodes:
              - id: one
                kind: agent
                model: first/m
                prompt: Spend once
              - id: two
                kind: agent
                model: second/m
                prompt: Spend twice
            output: "{{ nodes.two.text }}"
            """);
    }

    [UnixFact]
    public async Task MaxCost_StopsTheRunBeforeTheModelRequestThatWouldPassIt_NamingTheCapAndWhatWasSpent()
    {
        using var ws = new WorkflowWorkspace();
        PriceModels(ws);

        // $1.00 for the first node, $1.00 for the second's first step: $2.00 reaches the $1.50 cap before its second request.
        var capped = await ws.RunAsync("workflow", "run", "costly.yaml", "--max-cost", "1.5");
        var uncapped = await ws.RunAsync("workflow", "run", "costly.yaml", "--max-cost", "5");

        Assert.True(capped.ExitCode == ExitCodes.StepLimit, capped.Error);
        Assert.Contains("budget max_cost $1.50 reached ($2.00 spent)", capped.Error, StringComparison.Ordinal);
        Assert.Contains("--max-cost", capped.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("second node done", capped.Output, StringComparison.Ordinal);
        Assert.True(uncapped.ExitCode == 0, uncapped.Error);
        Assert.Equal("second node done", uncapped.Output.Trim());
    }

    [UnixFact]
    public async Task MaxCost_ThatIsNotAnAmount_IsAUsageErrorNamingTheFlag()
    {
        using var ws = new WorkflowWorkspace();
        PriceModels(ws);

        var result = await ws.RunAsync("workflow", "run", "costly.yaml", "--max-cost", "-1");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--max-cost -1: not an amount of US dollars above zero", result.Error, StringComparison.Ordinal);
    }
}
