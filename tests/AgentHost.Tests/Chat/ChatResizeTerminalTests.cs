using System.Text;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// A terminal resized from 120 to 80 columns (#47): the prompt, <c>/help</c>, the status line and the answers drawn
/// after it are laid out for 80 columns, broken at spaces, so the terminal breaks no word. The real <c>agent</c> in
/// tmux (<c>resize-window</c>); the screen is read as the terminal's rows (a word the terminal broke is not whole in them).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatResizeTerminalTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task AfterAShrinkTo80Columns_ThePromptHelpStatusAndAnswers_ReflowWithoutBreakingAWord()
    {
        var paragraph = new StringBuilder();
        for (var i = 1; i <= 60; i++)
        {
            paragraph.Append($"word{i:00}x ").Append(i % 7 == 0 ? "**bold** " : string.Empty);
        }

        // A short model name (the script's path relative to the project), so that the status line's parts fit in 80 columns.
        File.WriteAllText(Path.Combine(_ws.Root, "s.yaml"), $"turns:\n  - text: {JsonSerializer.Serialize(paragraph.ToString().TrimEnd() + "\n\n- a list item that is long enough to need two rows at eighty columns when it is drawn there")}\n");
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/s.yaml");
        await chat.WaitForAsync("/help for commands");
        var typed = "a prompt typed before the resize, " + string.Concat(Enumerable.Range(1, 9).Select(i => $"typed{i} "));
        await chat.TypeAsync(typed.TrimEnd());
        await chat.WaitForAsync("typed9");

        await chat.ResizeAsync(80, 40);
        // The prompt is drawn again for 80 columns: it scrolls sideways to its cursor (its start is out of view), on one
        // row, once (the rows the terminal re-flowed the old one into are gone).
        var resized = await chat.WaitForMatchAsync(@"(?m)^> (?!a prompt).*typed9\s*$");
        await chat.KeysAsync("C-u");
        await chat.LineAsync("/help");
        await chat.WaitForAsync("Ctrl+D exits.");
        await chat.LineAsync("say a long paragraph");
        await chat.WaitForAllAsync("word60x", "a list item", "── ");
        var rows = await chat.RowsAsync();
        var joined = await chat.ScreenAsync();
        await chat.KeysAsync("C-d");

        Assert.Single(System.Text.RegularExpressions.Regex.Matches(resized, "typed9"));
        var tail = joined[joined.IndexOf("> /help", StringComparison.Ordinal)..]; // what was drawn after the resize
        var rowWords = Words(rows).ToHashSet(StringComparer.Ordinal);
        var broken = Words(tail).Where(word => !rowWords.Contains(word)).ToList();
        Assert.True(broken.Count == 0, $"broken by the terminal mid-word: {string.Join(", ", broken.Take(10))}\n{rows}");
        Assert.Contains("word01x", tail, StringComparison.Ordinal);
        Assert.Contains("• a list item", tail, StringComparison.Ordinal);
        Assert.All(rows.Split('\n'), row => Assert.True(row.TrimEnd().Length <= 80, row));
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    private static string[] Words(string text) =>
        text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
}
