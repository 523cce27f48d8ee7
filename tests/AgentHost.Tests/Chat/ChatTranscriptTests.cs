using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// What a turn leaves on the screen: reasoning dimmed, its last rows kept with its summary, numbered tool lines that
/// <c>/expand</c> opens from the stored history, no escape sequences at all under <c>NO_COLOR</c>, and a long answer
/// arriving whole. The real <c>agent</c> in tmux with the scripted provider.
/// </summary>
[Trait("Speed", "Slow")]
public sealed partial class ChatTranscriptTests : IDisposable
{
    private static readonly string Reasoning = string.Join("\n", Enumerable.Range(1, 12).Select(i => $"step {i:00} of the plan")) + "\nfinally the lastthought";
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task Reasoning_IsDimmedAndKeepsItsLastRows_AndExpandShowsItWithTheFullToolResult()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "big.txt"), string.Concat(Enumerable.Range(1, 80).Select(i => i == 80 ? "line 080 tailmarker\n" : $"line {i:000} of the file\n")));
        var script = _ws.WriteScript($"""
            turns:
              - reasoning: {JsonSerializer.Serialize(Reasoning)}
                tool_calls: [{"{"} name: view, arguments: {"{"} path: big.txt {"}"} {"}"}]
              - text: "**Read** it."
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("read big.txt");
        await chat.WaitForAsync("── ");
        var turn = await chat.HistoryAsync();
        var styled = await chat.HistoryAsync(escapes: true);
        await chat.LineAsync("/expand");
        await chat.WaitForAsync("tailmarker");
        await chat.LineAsync("/expand 1");
        await chat.WaitForAsync("tailmarker", count: 2);
        await chat.LineAsync("/expand 3");
        var expanded = await chat.WaitForAsync("the last turn has 1 tool call");
        await chat.KeysAsync("C-d");

        Assert.Contains("  finally the ", turn, StringComparison.Ordinal); // the live view's last rows stay (#47)
        Assert.DoesNotContain("step 01 of the plan", turn, StringComparison.Ordinal); // cut: /expand has it
        var words = Reasoning.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.Matches(@"✻ thought for [\d.]+ s \(" + words + @" words\) · /expand shows all of it", turn);
        Assert.Matches(@"✓ view \(\d+ ms\): .*\[/expand 1\]", turn);
        Assert.DoesNotContain("tailmarker", turn, StringComparison.Ordinal); // the preview holds the first line only
        Assert.True(turn.IndexOf("✻ thought for", StringComparison.Ordinal) < turn.IndexOf("→ view", StringComparison.Ordinal), turn);
        Assert.Contains("Read it.", turn, StringComparison.Ordinal);
        Assert.Contains("\u001b[", styled, StringComparison.Ordinal); // dimmed reasoning, bold answer
        Assert.DoesNotContain("thinking │", styled, StringComparison.Ordinal);

        Assert.Contains($"── reasoning ({words} words)", expanded, StringComparison.Ordinal);
        Assert.Contains("finally the lastthought", expanded, StringComparison.Ordinal); // all of it, from the turn
        Assert.Contains("── [1] view {\"path\":\"big.txt\"}", expanded, StringComparison.Ordinal);
        Assert.Contains("line 040 of the file", expanded, StringComparison.Ordinal); // the stored result, not the preview
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task NoColor_TheTranscriptHasNoEscapeSequencesAtAll()
    {
        var answer = "# Result\n\nThe **build** passed and `make test` is *green*.\n\n| name | count |\n|------|-------|\n| alpha | 1 |\n\n- first\n- second";
        var script = _ws.WriteScript($"""
            turns:
              - reasoning: {JsonSerializer.Serialize(Reasoning)}
                tool_calls: [{"{"} name: write, arguments: {"{"} path: notes.txt, content: "first\n" {"}"} {"}"}]
              - text: {JsonSerializer.Serialize(answer)}
            """);
        var environment = _ws.Environment;
        environment["NO_COLOR"] = "1";
        await using var chat = await TmuxSession.StartAsync(_ws.Root, environment, "-p", "scripted", "-p", "files", "--permission-mode", "accept-edits", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("write and report");
        await chat.WaitForAsync("── ");
        await chat.LineAsync("/diff");
        await chat.WaitForAsync("+first", count: 2); // once under the write (its diff), once from /diff
        await chat.LineAsync("/expand");
        await chat.WaitForAsync("── [1] write");
        var styled = await chat.HistoryAsync(escapes: true);
        await chat.KeysAsync("C-d");

        Assert.DoesNotContain('\u001b', styled);
        Assert.Contains("thinking │ … step 08 of the plan", styled, StringComparison.Ordinal); // marked instead of dimmed; the last rows
        Assert.Contains("✻ thought for", styled, StringComparison.Ordinal);
        Assert.Contains("The build passed and make test is green.", styled, StringComparison.Ordinal); // Markdown's layout, plain
        Assert.Contains("│ alpha │ 1     │", styled, StringComparison.Ordinal);
        Assert.Contains("• first", styled, StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [TmuxFact]
    public async Task ALongAnswer_InManySmallDeltas_ArrivesWholeAndInOrder()
    {
        const int Words = 6_000;
        var answer = new StringBuilder();
        for (var i = 1; i <= Words; i++)
        {
            answer.Append($"w{i:0000}").Append(i % 100 == 0 ? "\n\n" : i % 37 == 0 ? "\n" : " ");
        }

        // The scripted provider streams its text in pieces of about 16 characters: some 2,700 deltas here.
        var script = _ws.WriteScript($"turns:\n  - text: {JsonSerializer.Serialize(answer.ToString().TrimEnd())}\n");
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("say a lot");
        await chat.WaitForAsync("── ", timeout: TimeSpan.FromMinutes(3));
        var history = await chat.HistoryAsync();
        await chat.KeysAsync("C-d");

        Assert.Contains("/help for commands", history, StringComparison.Ordinal); // the whole history: nothing scrolled away
        var seen = WordPattern().Matches(history).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var firstMissing = Enumerable.Range(1, Words).Except(seen).Select(i => (int?)i).FirstOrDefault();
        Assert.True(firstMissing is null, $"w{firstMissing:0000} never reached the screen");
        Assert.Equal(Enumerable.Range(1, Words), seen);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [GeneratedRegex(@"\bw(\d{4})\b")]
    private static partial Regex WordPattern();
}
