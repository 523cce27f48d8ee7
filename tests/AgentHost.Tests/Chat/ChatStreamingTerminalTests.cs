using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// A turn shows signs of life and its text as it comes (#47): a spinner line with the turn's time and tokens from
/// the moment the prompt is sent, the answer's unfinished block above the prompt while it streams (then drawn as
/// Markdown in its place), and the reasoning's last rows. The real <c>agent</c> in tmux; the scripted model waits
/// for real (<c>delay_ms</c> before its answer, <c>chunk_delay_ms</c> between streamed pieces).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatStreamingTerminalTests : IDisposable
{
    private static readonly string Reasoning = string.Join("\n", Enumerable.Range(1, 12).Select(i => $"step {i:00} of the plan")) + "\nfinally the lastthought";
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task ASlowModel_ShowsASpinnerWithTheTurnsTime_FromTheMomentThePromptIsSent()
    {
        var script = _ws.WriteScript("turns:\n  - delay_ms: 600000\n    text: never shown\n");
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("are you there");
        // The clock runs: a second has passed on the line, and the model has not answered.
        var waiting = await chat.WaitForMatchAsync(@"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] waiting for the model · [1-9]\d*\.\d s");
        await chat.KeysAsync("C-c");
        var cancelled = await chat.WaitForAsync("turn cancelled.");
        await chat.KeysAsync("C-d");

        Assert.DoesNotContain("never shown", waiting, StringComparison.Ordinal);
        Assert.DoesNotContain("waiting for the model", cancelled, StringComparison.Ordinal); // gone with the turn
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task TheAnswer_IsShownAsItStreams_WithTheTokensSoFar_AndStaysOnceWhenTheTurnEnds()
    {
        // The first piece comes at once, the next one ten minutes later: what is on the screen came as it streamed.
        var script = _ws.WriteScript("""
            turns:
              - text: "The first words arrive now and the rest of this paragraph waits for the slow model."
                chunk_delay_ms: 600000
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("write slowly");
        var streaming = await chat.WaitForAllAsync("The first words", "writing · ", " tokens");
        await chat.KeysAsync("C-c");
        await chat.WaitForAsync("turn cancelled.");
        var after = await chat.HistoryAsync();
        await chat.KeysAsync("C-d");

        Assert.DoesNotContain("slow model", streaming, StringComparison.Ordinal);
        Assert.Matches(@"writing · \d+\.\d s · ↓ \d+ tokens?", streaming);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(after, "The first words")); // drawn for good once, the preview gone
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task StreamedBlocks_AreDrawnAsMarkdownInPlaceOfTheirText_AndTheReasoningKeepsItsLastRows()
    {
        var answer = "**Bold** start of the first paragraph.\n\n- item one\n- item two\n\nThe end.";
        var script = _ws.WriteScript($"""
            turns:
              - reasoning: {JsonSerializer.Serialize(Reasoning)}
                text: {JsonSerializer.Serialize(answer)}
                chunk_delay_ms: 20
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("think, then answer");
        await chat.WaitForAllAsync("The end.", "── ");
        var history = await chat.HistoryAsync();
        await chat.KeysAsync("C-d");

        // The reasoning's live view showed its last rows; they stay, marked as cut, above the summary. (Its very last
        // word comes only at the step's end: the secret scrubber holds back what could start a secret; /expand has it.)
        Assert.True(history.Contains("  finally the ", StringComparison.Ordinal), history);
        Assert.Contains("… step 08 of the plan", history, StringComparison.Ordinal);
        Assert.DoesNotContain("step 01 of the plan", history, StringComparison.Ordinal);
        Assert.Matches(@"✻ thought for [\d.]+ s \(\d+ words\) · /expand shows all of it", history);
        Assert.True(history.IndexOf("finally the ", StringComparison.Ordinal) < history.IndexOf("✻ thought for", StringComparison.Ordinal), history);

        // Each block is drawn as Markdown once complete; its streamed text does not stay behind.
        Assert.Contains("Bold start of the first paragraph.", history, StringComparison.Ordinal);
        Assert.Contains("• item one", history, StringComparison.Ordinal);
        Assert.DoesNotContain("**Bold**", history, StringComparison.Ordinal);
        Assert.DoesNotContain("- item one", history, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(history, "The end\\."));
        Assert.DoesNotContain("writing · ", history, StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }
}
