using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// The chat's task model (#47) in a real terminal (tmux): <c>/ps</c> typed while a turn runs answers at once with the
/// turn's step, its limits and the tool call in flight (not queued as a prompt), <c>/kill turn</c> stops it, and a
/// <c>/timeout</c> set between turns stops the next one, shown in the status line with the <c>--max-cost</c> cap.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatTaskTerminalTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task PsWhileATurnRuns_ShowsItsToolCall_KillStopsIt_AndATimeoutStopsTheNext()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "while [ ! -f go ]; do sleep 0.1; done" } }]
              - tool_calls: [{ name: shell, arguments: { command: "while [ ! -f go2 ]; do sleep 0.1; done" } }]
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "shell", "--permission-mode", "yolo", "-m", "scripted/" + script, "--max-cost", "2");
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("start the slow one");
        await chat.WaitForMatchAsync(@"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] shell while");
        await chat.LineAsync("/ps");
        var ps = await chat.WaitForAllAsync("  turn      running ", "(/kill turn stops it)", @"""command"":""while [ ! -f go ]");
        await chat.LineAsync("/kill turn");
        var killed = await chat.WaitForAsync("turn cancelled.");
        await chat.LineAsync("/timeout 1s");
        await chat.WaitForAsync("timeout: from the next turn on, each turn stops after 1s");
        await chat.LineAsync("the next one");
        var timedOut = await chat.WaitForAllAsync("turn stopped (TimeLimit)", "timeout 1s"); // the reason, then the status line
        await chat.KeysAsync("C-d");

        Assert.Contains("· step 1 · cap $2.00/turn", ps, StringComparison.Ordinal);
        Assert.DoesNotContain("queued: /ps", ps, StringComparison.Ordinal);
        Assert.DoesNotContain("queued: /kill", killed, StringComparison.Ordinal);
        Assert.Contains("the turn's time limit of 1s was reached", timedOut, StringComparison.Ordinal);
        Assert.Matches(@"cap \$2\.00/turn ·\s+timeout 1s", timedOut); // the status line, broken between its parts or not
        Assert.Equal(0, await chat.WaitForExitAsync());
    }
}
