using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// #47 (a task model): <c>agent run --max-cost</c>, <c>--max-session-cost</c> and <c>--timeout</c> stop a turn with
/// exit code 6 and say which limit and what was spent, through the real CLI with the scripted model priced in the user
/// configuration ($1000 per million tokens: a step of 1000 input tokens costs $1.00).
/// </summary>
public sealed class TurnLimitRunTests
{
    private static string Priced(RunWorkspace ws, string script) =>
        WritePricedProvider(ws, ws.WriteScript(script));

    private static string WritePricedProvider(RunWorkspace ws, string script)
    {
        ws.WriteUserConfig($$"""
            providers:
              priced:
                type: scripted
                script: {{script.Replace("\\", "/", StringComparison.Ordinal)}}
                models:
                  - { id: m, input_price: 1000, output_price: 1000 }
            """);
        return "priced/m";
    }

    private const string TwoPricedSteps = """
        turns:
          - text: Looking.
            usage: { input: 1000, output: 0 }
            tool_calls:
              - name: echo
                arguments: { text: one }
          - text: Done.
            usage: { input: 1000, output: 0 }
        """;

    [Fact]
    public async Task MaxCost_StopsTheTurnBeforeTheRequestThatWouldPassIt_WithExit6()
    {
        using var ws = new RunWorkspace();
        var model = Priced(ws, TwoPricedSteps);

        var capped = await ws.RunAsync("run", "spend", "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", model, "--max-cost", "0.5");
        var uncapped = await ws.RunAsync("run", "spend", "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", model, "--max-cost", "5");

        Assert.True(capped.ExitCode == ExitCodes.StepLimit, capped.Error);
        Assert.Contains("run stopped (CostLimit)", capped.Error, StringComparison.Ordinal);
        Assert.Contains("this turn has cost $1.00, its cap is $0.50 (--max-cost)", capped.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Done.", capped.Output, StringComparison.Ordinal);
        Assert.True(uncapped.ExitCode == ExitCodes.Success, uncapped.Error);
        Assert.Contains("Done.", uncapped.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxSessionCost_CountsTheSessionsEarlierTurns()
    {
        using var ws = new RunWorkspace();
        var model = Priced(ws, """
            turns:
              - text: First turn.
                usage: { input: 1000, output: 0 }
              - text: Second turn, looking.
                usage: { input: 1000, output: 0 }
                tool_calls:
                  - name: echo
                    arguments: { text: two }
              - text: Second turn done.
                usage: { input: 1000, output: 0 }
            """);
        var first = await ws.RunAsync("run", "one", "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", model, "-o", "json");
        var sessionId = RunWorkspace.Events(first.Output).First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString()!;

        // $1.00 before, $1.00 for the second turn's first step: $2.00 reaches the $1.50 cap before its second request.
        var second = await ws.RunAsync("run", "two", "--session", sessionId, "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", model, "--max-session-cost", "1.5");

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.True(second.ExitCode == ExitCodes.StepLimit, second.Error);
        Assert.Contains("the session has cost $2.00, its cap is $1.50 (--max-session-cost)", second.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Second turn done.", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_CancelsTheToolCallInFlight_AndEndsTheTurnWithExit6()
    {
        using var ws = new RunWorkspace();
        var gate = ws.Combine("gate-never-written.txt");
        var script = ws.WriteScript($$"""
            turns:
              - text: Waiting for a gate that never opens.
                tool_calls:
                  - name: wait_for_file
                    arguments: { path: "{{gate.Replace("\\", "/", StringComparison.Ordinal)}}" }
            """);

        var result = await ws.RunAsync("run", "wait", "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", "scripted/" + script, "--timeout", "2s");

        Assert.True(result.ExitCode == ExitCodes.StepLimit, result.Error);
        Assert.Contains("run stopped (TimeLimit)", result.Error, StringComparison.Ordinal);
        Assert.Contains("the turn's time limit of 2s was reached (--timeout)", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-cost", "-1", "not an amount of US dollars above zero")]
    [InlineData("--max-session-cost", "lots", "not an amount of US dollars above zero")]
    [InlineData("--timeout", "soon", "not a duration; write 90s, 10m, 2h or 1h30m")]
    public async Task ALimitThatIsNotOne_IsAUsageErrorNamingItsFlag(string flag, string value, string message)
    {
        using var ws = new RunWorkspace();
        var result = await ws.RunAsync("run", "hi", "-p", "scripted", "-m", "scripted/" + ws.WriteScript("turns:\n  - text: hi\n"), flag, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"{flag} {value}: {message}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACostCapOnAModelWithoutPrices_SaysItCannotStopTheTurn()
    {
        using var ws = new RunWorkspace();
        var result = await ws.RunAsync("run", "hi", "-p", "scripted", "-m", "scripted/" + ws.WriteScript("turns:\n  - text: hi\n"), "--max-cost", "1");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("has no prices in the model catalog", result.Error, StringComparison.Ordinal);
    }
}
