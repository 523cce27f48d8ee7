using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;

namespace AgentHost.Tests.Cli;

/// <summary>
/// Code blocks in answers drawn at a terminal are highlighted by their info string with TextMate grammars (#47):
/// colours of the terminal's 16, none with <c>NO_COLOR</c> or a dumb terminal, and the model's text neutralised
/// before it is coloured. Escape sequences: 35 purple (keywords), 32 green (strings, added lines), 31 maroon (removed
/// lines), 33 olive (numbers), 90 grey (comments).
/// </summary>
public sealed class CodeHighlightingTests
{
    private const string Esc = "\u001b";

    [Fact]
    public void CSharpBlock_KeywordsStringsAndNumbers_GetTheirColours()
    {
        var drawn = Draw("Here:\n\n```csharp\nif (x) { return \"done\"; } // why\nvar n = 42;\n```\n");

        Assert.Contains($"{Esc}[35mif", drawn, StringComparison.Ordinal);
        Assert.Contains($"{Esc}[35mreturn", drawn, StringComparison.Ordinal);
        Assert.Contains($"{Esc}[32m\"done\"", drawn, StringComparison.Ordinal);
        Assert.Contains($"{Esc}[33m42", drawn, StringComparison.Ordinal);
        Assert.Contains($"{Esc}[90m// why", drawn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("python", "def f():\n    return 1\n", "def")]
    [InlineData("py", "import os\n", "import")]
    [InlineData("bash", "if [ -e x ]; then echo y; fi\n", "if")]
    [InlineData("json", "{\"a\": true}\n", "true")]
    public void InfoString_PicksTheGrammar_ByLanguageIdOrAlias(string info, string code, string coloured)
    {
        var drawn = Draw($"```{info}\n{code}```\n");

        Assert.Matches($@"{Esc}\[3\dm{coloured}", drawn);
    }

    [Fact]
    public void DiffBlock_AddedLinesGreen_RemovedLinesRed()
    {
        var drawn = Draw("```diff\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-old line\n+new line\n```\n");

        Assert.Contains($"{Esc}[31m-old line", drawn, StringComparison.Ordinal);
        Assert.Contains($"{Esc}[32m+new line", drawn, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownLanguage_OrNoInfoString_IsDrawnPlain()
    {
        var drawn = Draw("```nosuchlanguage\nif return 42\n```\n\n```\nif return 43\n```\n");

        Assert.Contains($"│{Esc}[0m if return 42", drawn, StringComparison.Ordinal);
        Assert.Contains($"│{Esc}[0m if return 43", drawn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NO_COLOR", "1")]
    [InlineData("TERM", "dumb")]
    public void NoColorOrDumbTerminal_NoEscapeSequences_AndNoGrammarLoaded(string variable, string value)
    {
        var (drawn, loaded) = DrawWithWriter("```csharp\nreturn 42;\n```\n", new Dictionary<string, string> { [variable] = value });

        Assert.DoesNotContain('\u001b', drawn);
        Assert.Contains("│ return 42;", drawn, StringComparison.Ordinal);
        Assert.False(loaded);
    }

    [Fact]
    public void EscapeSequencesInACodeBlock_AreNeutralised_BeforeTheyAreColoured()
    {
        // A title change (OSC), a colour of its own, a cursor move and a bell, inside a string and a comment of a block.
        var drawn = Draw("```python\nx = \"\u001b]0;pwned\u0007\u001b[31mred\" # \u001b[2J\u009b1A gone\n```\n");

        Assert.Contains("^[]0;pwned^G^[[31mred", drawn, StringComparison.Ordinal);
        Assert.Contains("^[[2J\\u009b1A gone", drawn, StringComparison.Ordinal);
        Assert.DoesNotContain("\u0007", drawn, StringComparison.Ordinal);
        Assert.DoesNotContain("\u009b", drawn, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Esc}]", drawn, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Esc}[2J", drawn, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Esc}[31mred", drawn, StringComparison.Ordinal);
        Assert.Contains($"{Esc}[32m", drawn, StringComparison.Ordinal); // still highlighted: the string is green
    }

    [Fact]
    public void MarkupInCode_IsShownAsText()
    {
        var drawn = Visible(Draw("```python\nx = a[0] + b[[1]] # [red]not red[/]\n```\n"));

        Assert.Contains("a[0]", drawn, StringComparison.Ordinal);
        Assert.Contains("b[[1]]", drawn, StringComparison.Ordinal);
        Assert.Contains("[red]not red[/]", drawn, StringComparison.Ordinal);
    }

    [Fact]
    public void AnswersWithoutALanguagesCodeBlock_NeverLoadTheGrammars()
    {
        var (_, loaded) = DrawWithWriter("Some **bold** text.\n\n- a list\n\n```\nplain code\n```\n", new Dictionary<string, string>());
        var (_, loadedByCode) = DrawWithWriter("```go\npackage main\n```\n", new Dictionary<string, string>());

        Assert.False(loaded);
        Assert.True(loadedByCode);
    }

    [Fact]
    public void AStreamedOpeningFence_StartsLoadingTheGrammars_BeforeTheBlockIsComplete()
    {
        using var output = new StringWriter();
        var writer = new MarkdownAnswerWriter(new TerminalWriter(output), new Dictionary<string, string>(), 100);

        writer.Append("Text first.\n\n``");
        writer.Append("`\n");
        var afterPlainFence = writer.GrammarsLoaded;
        writer.Append("no language here\n```\n\n```py");
        writer.Append("thon\n");
        var afterPythonFence = writer.GrammarsLoaded;
        writer.Append("def f():\n    pass\n```\n");
        writer.Flush();

        Assert.False(afterPlainFence);
        Assert.True(afterPythonFence);
        Assert.Contains($"{Esc}[35mdef", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("python", "python")]
    [InlineData(" Python  title=\"x.py\"", "python")]
    [InlineData("{.rust}", "rust")]
    [InlineData("c#", "c#")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void LanguageName_IsTheInfoStringsFirstWord(string? info, string? expected) =>
        Assert.Equal(expected, CodeHighlighter.LanguageName(info));

    /// <summary>The text as the terminal shows it: without the colours' sequences.</summary>
    internal static string Visible(string drawn) => System.Text.RegularExpressions.Regex.Replace(drawn, "\u001b\\[[0-9;]*m", string.Empty);

    private static string Draw(string answer) => DrawWithWriter(answer, new Dictionary<string, string>()).Drawn;

    private static (string Drawn, bool GrammarsLoaded) DrawWithWriter(string answer, Dictionary<string, string> environment)
    {
        using var output = new StringWriter();
        var writer = new MarkdownAnswerWriter(new TerminalWriter(output), environment, 100);
        writer.Append(answer);
        writer.Flush();
        return (output.ToString(), writer.GrammarsLoaded);
    }
}
