using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// Issue #19, item 8, through the real <c>agent run</c>: <c>-o final</c> prints why a run failed, text output previews
/// each tool result (<c>--verbose</c> more), and Markdown answers are drawn at a terminal and left as they came when piped.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class RunOutputTests : IDisposable
{
    private const string Answer = "# Result\n\nThe **build** passed and `make test` is *green*.\n\n| name | value |\n|------|-------|\n| alpha | 1 |\n\n- first\n- second\n\n```python\ndef check():\n    return True\n```\n";

    private readonly RunWorkspace _ws = new();

    [Fact]
    public async Task FinalOutput_RunThatFails_PrintsTheErrorOnStderr_AndTheAnswerStaysOffStdout()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: something else }
                text: never
            """);

        var result = await _ws.RunAsync("run", "hello", "-p", "scripted", "-m", "scripted/" + script, "-o", "final");

        Assert.Equal(4, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        Assert.Contains("error: run stopped (ProviderError): ", result.Error, StringComparison.Ordinal);
        Assert.Contains("expected the last user message to contain 'something else'", result.Error, StringComparison.Ordinal);
        Assert.Contains("continue with: agent run --session ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("..", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TextOutput_PreviewsEachToolResult_AndVerboseShowsMoreLines()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - text: Read it.
            """);
        var firstLine = File.ReadLines(Path.Combine(_ws.Root, "README.md")).First(line => line.Trim().Length > 0).Trim();

        var text = await _ws.RunAsync("run", "read", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        var verbose = await _ws.RunAsync("run", "read", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "--verbose");

        Assert.True(text.ExitCode == 0, text.Error);
        var line = Assert.Single(text.Error.Split('\n'), l => l.StartsWith("  ✓ view (", StringComparison.Ordinal));
        Assert.Contains("): ", line, StringComparison.Ordinal);
        Assert.Contains(firstLine.Length > 40 ? firstLine[..40] : firstLine, line, StringComparison.Ordinal);
        Assert.Matches(@"\(\+\d+ lines\)\s*$", line);
        Assert.DoesNotContain("    │ ", text.Error, StringComparison.Ordinal);

        var shown = verbose.Error.Split('\n').Where(l => l.StartsWith("    │ ", StringComparison.Ordinal)).ToList();
        Assert.InRange(shown.Count, 2, 9);
        Assert.Contains(firstLine.Length > 40 ? firstLine[..40] : firstLine, shown[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Piped_TheAnswerIsWrittenAsTheModelSentIt()
    {
        var script = AnswerScript();

        var result = await _ws.RunAsync("run", "report", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("The **build** passed and `make test` is *green*.", result.Output, StringComparison.Ordinal);
        Assert.Contains("| alpha | 1 |", result.Output, StringComparison.Ordinal);
        Assert.Contains("```python\ndef check():", result.Output, StringComparison.Ordinal); // not highlighted either
        Assert.DoesNotContain('\u001b', result.Output);
    }

    [TerminalFact]
    public async Task AtATerminal_MarkdownIsDrawn_WithStylesAndATable()
    {
        var script = AnswerScript();

        var result = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "run", "report", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("\u001b[1mbuild\u001b[0m", result.Output, StringComparison.Ordinal); // bold, not **build**
        Assert.DoesNotContain("**build**", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("`make test`", result.Output, StringComparison.Ordinal);
        Assert.Contains("│ alpha │ 1     │", result.Output, StringComparison.Ordinal); // a drawn table
        Assert.DoesNotContain("|------|", result.Output, StringComparison.Ordinal);
        Assert.Contains("• first", result.Output, StringComparison.Ordinal);
        Assert.Contains("\u001b[35mdef", result.Output, StringComparison.Ordinal); // the code block highlighted: a keyword in purple (35)
        Assert.DoesNotContain("```", result.Output, StringComparison.Ordinal);
    }

    [TerminalFact]
    public async Task AtATerminal_NoColor_KeepsTheLayoutWithoutColours()
    {
        var script = AnswerScript();
        var environment = _ws.Environment;
        environment["NO_COLOR"] = "1";

        var result = await Terminal.RunAsync(_ws.Root, environment, string.Empty, "run", "report", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain("\u001b[38;", result.Output, StringComparison.Ordinal); // no foreground colour
        Assert.DoesNotContain("\u001b[35m", result.Output, StringComparison.Ordinal); // no highlighting either
        Assert.Contains("│ def check():", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("**build**", result.Output, StringComparison.Ordinal);
        Assert.Contains("│ alpha │ 1     │", result.Output, StringComparison.Ordinal);
    }

    private string AnswerScript() => _ws.WriteScript($"turns:\n  - text: {System.Text.Json.JsonSerializer.Serialize(Answer)}\n");

    public void Dispose() => _ws.Dispose();
}
