using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>Edits are shown as coloured diffs (in the permission question, under the tool's line, by <c>/diff</c>), and a narrow terminal still works.</summary>
[Trait("Speed", "Slow")]
public sealed class ChatDiffTests : IDisposable
{
    private const string Green = "\u001b[32m";
    private const string Red = "\u001b[31m";
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task AnEdit_IsAColouredDiff_InTheQuestion_UnderTheToolLine_AndInSlashDiff()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "notes.txt"), "old line\n");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: notes.txt } }]
              - tool_calls: [{ name: edit, arguments: { path: notes.txt, old_string: "old line", new_string: "new line" } }]
              - expect: { tool_results_contain: ["Edited"] }
                text: changed it
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("change the note");
        await chat.WaitForAsync("answer [y/s/p/g/e/n]:");
        var question = await chat.HistoryAsync(escapes: true);
        await chat.LineAsync("y");
        await chat.WaitForAsync("── ");
        var turn = await chat.HistoryAsync(escapes: true);
        await chat.LineAsync("/diff");
        await chat.WaitForAsync("+new line", count: 3);
        var diff = await chat.HistoryAsync(escapes: true);
        await chat.KeysAsync("C-d");

        Assert.Contains("│ " + Red + "-old line", question, StringComparison.Ordinal);
        Assert.Contains("│ " + Green + "+new line", question, StringComparison.Ordinal);
        var underTheTool = turn[turn.IndexOf("✓ edit", StringComparison.Ordinal)..];
        Assert.Contains("    │ " + Red + "-old line", underTheTool, StringComparison.Ordinal);
        Assert.Contains("    │ " + Green + "+new line", underTheTool, StringComparison.Ordinal);
        Assert.Contains(Green + "+new line", diff[diff.LastIndexOf("/diff", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Equal("new line\n", File.ReadAllText(Path.Combine(_ws.Root, "notes.txt")));
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task ANarrowTerminal_LosesNoWordOfTheAnswer_AndKeepsTheEditorUsable()
    {
        var answer = string.Join(' ', Enumerable.Range(1, 40).Select(i => $"word{i:00}"));
        var script = _ws.WriteScript($"turns:\n  - text: \"{answer}\"\n  - text: second answer\n");
        await using var chat = await TmuxSession.StartAsync(32, 20, _ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("Ctrl+D");

        await chat.LineAsync("a long answer please");
        await chat.WaitForAsync("── ");
        await chat.LineAsync("and another");
        await chat.WaitForAsync("second answer");
        var history = await chat.HistoryAsync();
        await chat.KeysAsync("C-d");

        // capture-pane -J joins the rows the terminal wrapped, so each word is whole and in order.
        var words = history.ReplaceLineEndings(" ").Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.StartsWith("word", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"word{i:00}"), words);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }
}
