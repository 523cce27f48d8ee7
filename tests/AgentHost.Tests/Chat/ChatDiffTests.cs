using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>Edits are shown as coloured diffs: in the permission question, under the tool's line, and by <c>/diff</c>.</summary>
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
}
