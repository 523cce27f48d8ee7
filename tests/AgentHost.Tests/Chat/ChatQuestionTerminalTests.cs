using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// The model's <c>ask_user</c> questions at a real terminal (tmux): the chat asks inline in its editor (options as a
/// numbered list, or free text), and <c>agent run</c> at a terminal asks on the console.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatQuestionTerminalTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task TheChat_AsksInline_AnOptionByNumber_ARefusedAnswer_ThenFreeText_AndTheAnswersReachTheModel()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "Which colour?", options: [red, green, blue] } }]
              - expect: { tool_results_contain: ["green"] }
                tool_calls: [{ name: ask_user, arguments: { question: "What name?" } }]
              - expect: { tool_results_contain: ["Fern"] }
                text: A green plant called Fern.
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("name a plant");
        await chat.WaitForAsync("answer [1-3 or the text]:");
        await chat.LineAsync("purple");
        await chat.WaitForAsync("'purple' is not one of the options");
        await chat.LineAsync("2");
        await chat.WaitForAsync("? question: What name?");
        await chat.LineAsync("Fern");
        var screen = await chat.WaitForAsync("A green plant called Fern.");
        await chat.KeysAsync("C-d");

        Assert.Contains("? question: Which colour?", screen, StringComparison.Ordinal);
        Assert.Contains("  2  green", screen, StringComparison.Ordinal);
        Assert.Contains("answer (chat): green", screen, StringComparison.Ordinal);
        Assert.Contains("answer (chat): Fern", screen, StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task AgentRun_AtATerminal_AsksOnTheConsole()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "Proceed?", options: [yes, no] } }]
              - expect: { tool_results_contain: ["yes"] }
                text: Proceeding.
            """);
        await using var run = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "run", "-p", "scripted", "-m", "scripted/" + script, "go");
        await run.WaitForAsync("answer [1-2 or the text]:");
        await run.LineAsync("YES");
        var exit = await run.WaitForExitAsync();

        var screen = await run.ScreenAsync();
        Assert.Contains("? question: Proceed?", screen, StringComparison.Ordinal);
        Assert.Contains("Proceeding.", screen, StringComparison.Ordinal);
        Assert.Equal(0, exit);
    }

    [TmuxFact]
    public async Task WorkflowCommand_RunsAWorkflowInTheChat_ShowsItsNodes_AndAsksItsWaitNodeInline()
    {
        var script = _ws.WriteScript("turns:\n  - text: unused\n");
        File.WriteAllText(Path.Combine(_ws.Root, "approve.yaml"), """
            name: approve
            inputs:
              item: { type: string, default: widgets }
            nodes:
              - id: ask
                kind: wait
                question: "Ship {{ inputs.item }}?"
                options: [ship, hold]
              - id: done
                kind: shell
                command: echo "decided-$ANSWER"
                env: { ANSWER: "{{ nodes.ask.answer }}" }
            output: "{{ nodes.done.output }}"
            """);
        var trusted = await _ws.RunAsync("trust"); // the project's shell node may run
        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error + trusted.Output);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "shell", "-m", "scripted/" + script, "--permission-mode", "yolo");
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("/workflow ./approve.yaml item=gadgets");
        await chat.WaitForAsync("answer [1-2 or the text]:");
        await chat.LineAsync("ship");
        await chat.WaitForAsync("✓ done");
        var screen = await chat.WaitForAsync("decided-ship");
        await chat.KeysAsync("C-d");

        Assert.Contains("workflow approve: run ", screen, StringComparison.Ordinal);
        Assert.Contains("? question (workflow step ask): Ship gadgets?", screen, StringComparison.Ordinal);
        Assert.Contains("✓ ask: ship", screen, StringComparison.Ordinal);
        Assert.Contains("✓ done", screen, StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task WorkflowRun_AtATerminal_AsksItsWaitNodeOnTheConsole_InsteadOfPausing()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "approve.yaml"), """
            name: approve
            nodes:
              - id: ask
                kind: wait
                question: "Ship it?"
                options: [ship, hold]
              - id: done
                kind: decision
                next:
                  - when: nodes.ask.answer == 'ship'
                    to: end
            output: "decided-{{ nodes.ask.answer }}"
            """);
        await using var run = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "workflow", "run", "./approve.yaml");
        await run.WaitForAsync("answer [1-2 or the text]:");
        await run.LineAsync("1");
        var exit = await run.WaitForExitAsync();

        var screen = await run.ScreenAsync();
        Assert.Contains("Ship it?", screen, StringComparison.Ordinal);
        Assert.Contains("decided-ship", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("workflow resume", screen, StringComparison.Ordinal);
        Assert.Equal(0, exit);
    }
}
