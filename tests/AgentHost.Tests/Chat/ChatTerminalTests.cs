using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// <c>agent</c> opens a chat: the real process in a real pseudo-terminal (tmux), the scripted provider, and assertions
/// on what the screen shows.
/// </summary>
[Trait("Speed", "Slow")]
public sealed partial class ChatTerminalTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task AConversation_WithAToolCall_AndAPermissionAnswered_ThenCtrlDExits()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "first\n" } }]
              - expect: { tool_results_contain: ["notes.txt"] }
                text: "**Done**: wrote the notes."
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("write the notes");
        await chat.WaitForAsync("answer [y/s/p/g/e/n]:");
        await chat.LineAsync("y");
        // The status line breaks between its parts where the terminal is too narrow for it (the script's path is long).
        var screen = await chat.WaitForMatchAsync(@"── scripted/\S* ·\s+context [\d.k]+/[\d.k]+ \(\d+%\) ·\s+[\d.k]+ in / [\d.k]+ out ·\s+ask");
        await chat.KeysAsync("C-d");
        var exit = await chat.WaitForExitAsync();

        Assert.Contains("? permission [write]: files/write wants to write: notes.txt", screen, StringComparison.Ordinal);
        Assert.Contains("✓ write", screen, StringComparison.Ordinal);
        Assert.Contains("Done: wrote the notes.", screen, StringComparison.Ordinal); // Markdown drawn, not shown as **Done**
        Assert.Matches(@"── scripted/\S* ·\s+context [\d.k]+/[\d.k]+ \(\d+%\) ·\s+[\d.k]+ in / [\d.k]+ out ·\s+ask", screen);
        Assert.Matches(@"\nctx \d+% > ", await chat.WaitForAsync("% > ")); // the prompt line carries the context window's use once a turn reported it
        Assert.Equal("first\n", File.ReadAllText(Path.Combine(_ws.Root, "notes.txt")));
        Assert.Equal(0, exit);
        Assert.Contains("Continue with: agent --session ", await chat.ScreenAsync(), StringComparison.Ordinal);
    }

    [TmuxFact]
    public async Task SlashCommands_CompleteWithTab_AndHelpListsThem()
    {
        var script = _ws.WriteScript("turns:\n  - text: unused\n");
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.TypeAsync("/he");
        await chat.KeysAsync("Tab");
        await chat.WaitForAsync("> /help ");
        await chat.KeysAsync("Enter");
        var screen = await chat.WaitForAsync("Ctrl+D exits.");
        await chat.LineAsync("/exit");

        foreach (var command in new[] { "/help", "/exit", "/clear", "/new", "/model", "/mode", "/sessions", "/resume", "/cost", "/tools" })
        {
            Assert.Contains("  " + command, screen, StringComparison.Ordinal);
        }

        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task ModelSwitch_TheNextTurnUsesTheNewModel()
    {
        var first = _ws.WriteScript("turns:\n  - text: from the first model\n");
        var second = _ws.WriteScript("turns:\n  - text: (first turn)\n  - text: from the second model\n");
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + first);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("one");
        await chat.WaitForAsync("from the first model");
        await chat.LineAsync("/model scripted/" + second);
        await chat.WaitForAsync("(from the next turn on)");
        await chat.LineAsync("two");
        var screen = await chat.WaitForAllAsync("from the second model", "── scripted/" + second);
        await chat.KeysAsync("C-d");

        Assert.Contains("── scripted/" + second, screen, StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task CtrlC_CancelsTheRunningTurn_AndTheChatGoesOn()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "sleep 30" } }]
              - text: still here
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "shell", "--allow", "shell(sleep *)", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("wait a while");
        await chat.WaitForAsync("→ shell");
        await chat.KeysAsync("C-c");
        var cancelled = await chat.WaitForAsync("turn cancelled.");
        await chat.LineAsync("are you there?");
        await chat.WaitForAsync("still here");
        await chat.KeysAsync("C-d");

        Assert.Contains("(cancelling the turn; Ctrl+C again exits)", cancelled, StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task Resume_AnotherSession_WithItsHistory_AndThePromptHistoryCarriesOver()
    {
        var script = _ws.WriteScript("turns:\n  - text: the first answer\n  - text: answered after the resume\n");
        string id;
        await using (var first = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script))
        {
            await first.WaitForAsync("/help for commands");
            await first.LineAsync("remember the word lighthouse");
            await first.WaitForAsync("the first answer");
            await first.WaitForAsync("── "); // the turn has ended (Ctrl+D during a turn cancels it first)
            await first.KeysAsync("C-d");
            Assert.Equal(0, await first.WaitForExitAsync());
            id = SessionLine().Match(await first.ScreenAsync()).Groups[1].Value;
        }

        await using var second = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await second.WaitForAsync("/help for commands");
        await second.LineAsync("/sessions");
        await second.WaitForAsync(id);
        await second.LineAsync("/resume " + id[..10]);
        // Wait for the history lines the test asserts, not for the line above them (#47: that read the screen too early).
        var resumed = await second.WaitForAllAsync("resumed session " + id, "user: remember the word lighthouse");
        await second.KeysAsync("Up");
        await second.WaitForAsync("> /resume " + id[..10]);
        await second.KeysAsync("Up");
        await second.WaitForAsync("> /sessions");
        await second.KeysAsync("Up");
        await second.WaitForAsync("> remember the word lighthouse"); // typed in the first chat
        await second.KeysAsync("Enter");
        await second.WaitForAsync("answered after the resume");
        await second.KeysAsync("C-d");

        Assert.Contains("user: remember the word lighthouse", resumed, StringComparison.Ordinal);
        Assert.Equal(0, await second.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task AUserCommand_BecomesAPrompt_WithItsArguments()
    {
        var commands = _ws.Combine("home", "commands");
        Directory.CreateDirectory(commands);
        File.WriteAllText(Path.Combine(commands, "greet.md"), "---\ndescription: Greets someone by name\n---\nSay hello to $ARGUMENTS, politely.\n");
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "Say hello to Ada Lovelace, politely." }
                text: Hello, Ada.
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("/help");
        var help = await chat.WaitForAsync("Ctrl+D exits.");
        await chat.LineAsync("/greet Ada Lovelace");
        await chat.WaitForAsync("Hello, Ada.");
        await chat.KeysAsync("C-d");

        Assert.Contains("Greets someone by name", help, StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task DiffShowsWhatTheFileToolsChanged_AndUndoRevertsTheLastTurn()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "keep.txt"), "original\n");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "first\n" } }]
              - text: Wrote the notes.
              - tool_calls:
                  - { name: view, arguments: { path: keep.txt } }
              - tool_calls:
                  - { name: edit, arguments: { path: keep.txt, old_string: original, new_string: changed } }
              - text: Edited keep.txt.
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script, "--permission-mode", "accept-edits");
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("write the notes");
        await chat.WaitForAsync("Wrote the notes.");
        await chat.WaitForMatchAsync(@"✓ write \(\d+ ms\): .* · notes\.txt \+1 -0"); // the call's line names the file it changed, with its diff summary (#47)
        await chat.LineAsync("now edit keep");
        await chat.WaitForAsync("Edited keep.txt.");
        await chat.WaitForMatchAsync(@"✓ edit \(\d+ ms\): .* · keep\.txt \+1 -1");
        await chat.LineAsync("/diff --stat");
        var stat = await chat.WaitForAllAsync("keep.txt  +1 -1", "created  notes.txt  +1 -0");
        await chat.LineAsync("/undo");
        var undone = await chat.WaitForAllAsync("Undid turn 2 of session", "reverted keep.txt");
        await chat.LineAsync("/undo");
        await chat.WaitForAsync("Undid turn 1 of session");
        await chat.KeysAsync("C-d");

        Assert.True(stat.Contains("created  notes.txt  +1 -0", StringComparison.Ordinal), stat); // one line written, one line added
        Assert.Contains("reverted keep.txt", undone, StringComparison.Ordinal);
        Assert.Equal("original\n", File.ReadAllText(Path.Combine(_ws.Root, "keep.txt")));
        Assert.False(File.Exists(Path.Combine(_ws.Root, "notes.txt")));
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task ATrailingBackslash_ContinuesThePrompt_OnTheNextLine()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "first line\nsecond line" }
                text: got both lines
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("first line\\");
        await chat.WaitForAsync("… ");
        await chat.LineAsync("second line");
        await chat.WaitForAsync("got both lines");
        await chat.KeysAsync("C-d");

        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task Mode_SwitchesWithSlashMode_AndShiftTabCycles_AndTheNextToolCallFollowsIt()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "edited\n" } }]
              - text: written without asking
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("/mode plan");
        await chat.WaitForAsync("plan > ");
        await chat.KeysAsync("BTab");
        await chat.WaitForAsync("permission mode: ask");
        await chat.KeysAsync("BTab");
        await chat.WaitForAsync("accept-edits > ");
        await chat.LineAsync("write the notes");
        var screen = await chat.WaitForAsync("written without asking");
        await chat.KeysAsync("C-d");

        Assert.DoesNotContain("? permission", screen, StringComparison.Ordinal);
        Assert.Equal("edited\n", File.ReadAllText(Path.Combine(_ws.Root, "notes.txt")));
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task Continue_OpensTheNewestSessionOfTheProject()
    {
        var script = _ws.WriteScript("turns:\n  - text: first\n  - text: second, in the same session\n");
        string id;
        await using (var first = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script))
        {
            await first.WaitForAsync("/help for commands");
            await first.LineAsync("one");
            await first.WaitForAsync("first");
            await first.LineAsync("/exit");
            Assert.Equal(0, await first.WaitForExitAsync());
            id = SessionLine().Match(await first.ScreenAsync()).Groups[1].Value;
        }

        await using var again = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "--continue");
        await again.WaitForAsync("resumed session " + id);
        await again.LineAsync("two");
        await again.WaitForAsync("second, in the same session");
        await again.KeysAsync("C-d");

        Assert.Equal(0, await again.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task APastedText_OfManyLines_StaysOnePrompt()
    {
        var lines = Enumerable.Range(1, 60).Select(i => $"pasted line {i}: " + new string('x', 60)).ToList();
        var script = _ws.WriteScript($$"""
            turns:
              - expect: { last_user_contains: "pasted line 60: x" }
                text: all {{lines.Count}} lines arrived
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.PasteAsync(string.Join('\n', lines));
        await chat.WaitForAsync("pasted line 60:");
        await chat.KeysAsync("Enter");
        var screen = await chat.WaitForAsync("all 60 lines arrived");
        await chat.KeysAsync("C-d");

        Assert.DoesNotContain("── ", screen[..screen.IndexOf("all 60 lines arrived", StringComparison.Ordinal)], StringComparison.Ordinal); // one turn, not sixty
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task CtrlC_AtThePrompt_DropsTheLine_AndASecondOneExits()
    {
        var script = _ws.WriteScript("turns:\n  - text: unused\n");
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.TypeAsync("half a thought");
        await chat.KeysAsync("C-c");
        await chat.WaitForAsync("(Ctrl+C again or Ctrl+D to exit)");
        await chat.KeysAsync("C-c");

        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task ATurnThatFails_IsReported_AndTheChatGoesOn_AndNewStartsAnotherSession()
    {
        var script = _ws.WriteScript("turns:\n  - text: the working model answers\n");
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/no-such-script.yaml");
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("hello");
        await chat.WaitForAsync("no-such-script.yaml' not found");
        await chat.LineAsync("/model scripted/" + script);
        await chat.WaitForAsync("(from the next turn on)");
        await chat.LineAsync("hello again");
        await chat.WaitForAsync("the working model answers");
        await chat.LineAsync("/new");
        var screen = await chat.WaitForMatchAsync(@"the last one: \w{20,}\)");
        await chat.KeysAsync("C-d");

        Assert.Equal(0, await chat.WaitForExitAsync());
        // The first session had a turn and is saved; the new one had none, so there is nothing to continue.
        Assert.Matches(@"the last one: \w{20,}\)", screen);
        Assert.DoesNotMatch(SessionLine(), await chat.ScreenAsync());
    }

    [Theory]
    [InlineData]
    [InlineData("chat")]
    [InlineData("--continue")]
    public async Task Agent_WithoutATerminal_IsAUsageError_NotAHang(params string[] args)
    {
        var result = await _ws.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("agent run \"…\"", result.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"session (\w+)\. Continue with: agent --session")]
    private static partial Regex SessionLine();
}
