using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// The chat's line editor in a real terminal (tmux): a prompt typed while a turn runs is queued, the tool spinner,
/// Shift+Enter, <c>@path</c> completion, Ctrl+C on a permission question, and the plain reader of a dumb terminal.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatEditorTerminalTests : IDisposable
{
    private static readonly string[] TurnOrder = ["✓ shell", "the slow turn is done", "> the queued one", "answered the queued prompt", "> /cost"];
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task APromptTypedWhileATurnRuns_IsQueued_AndSentWhenTheTurnEnds_WhileASpinnerShowsTheRunningTool()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "while [ ! -f go ]; do sleep 0.1; done; echo released" } }]
              - text: the slow turn is done
              - expect: { last_user_contains: "the queued one" }
                text: answered the queued prompt
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "shell", "--permission-mode", "yolo", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("start the slow one");
        var spinning = await chat.WaitForMatchAsync(@"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] shell while \[ ! -f go \]; do sleep 0\.1; done; echo released · \d+\.\d s"); // the status line: the tool and its command
        await chat.LineAsync("the queued one");
        await chat.WaitForAsync("queued: the queued one");
        await chat.LineAsync("/cost");
        var queued = await chat.WaitForAllAsync("queued: /cost", "(sent when this turn ends)");
        await chat.TypeAsync("typed, not sent");
        await chat.WaitForAsync("yolo > typed, not sent");
        File.WriteAllText(Path.Combine(_ws.Root, "go"), string.Empty);
        await chat.WaitForAsync("answered the queued prompt");
        await chat.WaitForAsync("── ", count: 3); // after each turn, and /cost's
        var end = await chat.WaitForAsync("yolo > typed, not sent");
        var screen = end;
        await chat.KeysAsync("C-u");
        await chat.KeysAsync("C-d");

        Assert.Matches(@"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] shell while \[ ! -f go \]; do sleep 0\.1; done; echo released · \d+\.\d s", spinning);
        Assert.Contains("(sent when this turn ends)", queued, StringComparison.Ordinal);
        var order = TurnOrder.Select(s => screen.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.True(order.All(i => i >= 0) && order.SequenceEqual(order.Order()), screen);
        Assert.DoesNotContain("shell while [ ! -f go ]", end, StringComparison.Ordinal); // the status line went with the tool
        Assert.Matches(@"^ctx \d+% · yolo > typed, not sent$", end.TrimEnd().Split('\n')[^1].TrimEnd()); // still being edited, at the bottom, after the usage the prompt line shows
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task CtrlC_OnAPermissionQuestion_CancelsTheTurn()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "first\n" } }]
              - text: still here
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("write the notes");
        await chat.WaitForAsync("answer [y/s/p/g/e/n]:");
        await chat.KeysAsync("C-c");
        var cancelled = await chat.WaitForAsync("turn cancelled.");
        await chat.LineAsync("are you there?");
        await chat.WaitForAsync("still here");
        await chat.KeysAsync("C-d");

        Assert.Contains("(cancelling the turn; Ctrl+C again exits)", cancelled, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "notes.txt")));
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task AgentRun_CtrlCOnAPermissionQuestion_EndsTheRun_InsteadOfWaitingForTheAnswer()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "first\n" } }]
              - text: not reached
            """);
        await using var run = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "run", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "write the notes");
        await run.WaitForAsync("answer [y/s/p/g/e/n]:");
        await run.KeysAsync("C-c");
        var exit = await run.WaitForExitAsync();

        Assert.Contains("(the question was withdrawn: the run was cancelled)", await run.ScreenAsync(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Cancelled, exit);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "notes.txt")));
    }

    [TmuxFact]
    public async Task ShiftEnter_StartsANewLine_WhenTheTerminalReportsIt()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "first line\nsecond line" }
                text: got both lines
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");
        await chat.SetServerOptionAsync("extended-keys", "on"); // the next prompt asks for the extended keys again
        await chat.LineAsync("/help");
        await chat.WaitForAsync("Ctrl+D exits.");

        await chat.TypeAsync("first line");
        await chat.KeysAsync("S-Enter");
        await chat.WaitForAsync("… ");
        await chat.TypeAsync("second line");
        await chat.KeysAsync("Enter");
        await chat.WaitForAsync("got both lines");
        await chat.KeysAsync("C-d");

        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task UpAndDown_MoveBetweenTheLinesOfAMultiLinePrompt()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "the first line, edited\nthe second" }
                text: edited the first line
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("the first line\\");
        await chat.WaitForAsync("… ");
        await chat.TypeAsync("the second");
        await chat.KeysAsync("Up", "End");
        await chat.TypeAsync(", edited");
        await chat.WaitForAsync("> the first line, edited");
        await chat.KeysAsync("Enter");
        await chat.WaitForAsync("edited the first line");
        await chat.KeysAsync("C-d");

        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task AtPaths_CompleteFromTheProjectsFiles_AndTheFileGoesToTheModel()
    {
        Directory.CreateDirectory(Path.Combine(_ws.Root, "src"));
        File.WriteAllText(Path.Combine(_ws.Root, "src", "Parser.cs"), "class Parser {}\n");
        File.WriteAllText(Path.Combine(_ws.Root, "src", "Printer.cs"), "class Printer {}\n");
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "class Parser {}" }
                text: read the parser
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.TypeAsync("explain @sr");
        await chat.KeysAsync("Tab");
        await chat.WaitForAsync("> explain @src/");
        await chat.TypeAsync("P");
        await chat.KeysAsync("Tab");
        var listed = await chat.WaitForAsync("@src/Parser.cs  @src/Printer.cs");
        await chat.TypeAsync("a");
        await chat.KeysAsync("Tab");
        await chat.WaitForAsync("> explain @src/Parser.cs ");
        await chat.KeysAsync("Enter");
        await chat.WaitForAsync("read the parser");
        await chat.KeysAsync("C-d");

        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TerminalFact]
    public async Task ADumbTerminal_GetsAPlainLineReader_WithoutEscapeSequences()
    {
        var script = _ws.WriteScript("turns:\n  - text: plain answer\n");
        var environment = _ws.Environment;
        environment["TERM"] = "dumb";

        var result = await Terminal.RunAsync(_ws.Root, environment, "hello\n/exit\n", "-p", "scripted", "-m", "scripted/" + script);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("plain answer", result.Output, StringComparison.Ordinal);
        Assert.Contains("> ", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", result.Output, StringComparison.Ordinal);
    }
}
