using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// Code blocks are highlighted at a real terminal (#47): the chat in tmux (<c>agent run</c> at a terminal: RunOutputTests), whose screen with its
/// colours (<c>capture-pane -e</c>) shows the keyword of a <c>```python</c> block in the keyword colour (35, purple);
/// the grammar library is loaded only by the first code block (the process's memory map shows it).
/// </summary>
[Trait("Speed", "Slow")]
public sealed partial class CodeHighlightTerminalTests : IDisposable
{
    private const string Code = "```python\ndef greet(name):\n    return \"hi \" + name\n```";
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task Chat_HighlightsAPythonBlock_AndLoadsTheGrammarsOnlyAtTheFirstCodeBlock()
    {
        var script = _ws.WriteScript($"""
            turns:
              - text: "No code in this answer."
              - text: {JsonSerializer.Serialize("Here it is:\n\n" + Code + "\n\nThat is all.")}
            """);
        await using var chat = await TmuxSession.StartAsync(new TmuxStart(_ws.Root, _ws.Environment) { Direct = true }, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");
        var pid = await chat.ProcessIdAsync();

        await chat.LineAsync("say something");
        await chat.WaitForAsync("No code in this answer.");
        var beforeCode = await File.ReadAllTextAsync($"/proc/{pid}/maps");
        await chat.LineAsync("show code");
        await chat.WaitForAllAsync("That is all.", "def greet(name):");
        var coloured = await chat.HistoryAsync(escapes: true);
        var afterCode = await File.ReadAllTextAsync($"/proc/{pid}/maps");
        await chat.KeysAsync("C-d");

        Assert.True(KeywordColour().IsMatch(coloured), coloured);
        Assert.DoesNotContain("```", coloured, StringComparison.Ordinal);
        Assert.Contains("agent.dll", beforeCode, StringComparison.Ordinal);
        Assert.DoesNotContain("TextMateSharp", beforeCode, StringComparison.Ordinal);
        Assert.Contains("TextMateSharp", afterCode, StringComparison.Ordinal);
    }

    /// <summary><c>def</c> right after the sequence that makes it purple (tmux may join other attributes into it).</summary>
    [GeneratedRegex(@"\u001b\[(?:\d+;)*35mdef")]
    private static partial Regex KeywordColour();
}
