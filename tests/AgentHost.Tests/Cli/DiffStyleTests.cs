using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;

namespace AgentHost.Tests.Cli;

/// <summary>Diff lines coloured at a terminal, left as they are without colour, and found in a file tool's result.</summary>
public sealed class DiffStyleTests
{
    [Theory]
    [InlineData("+added", "\u001b[32m+added\u001b[0m")]
    [InlineData("-removed", "\u001b[31m-removed\u001b[0m")]
    [InlineData("@@ -1,1 +1,1 @@", "\u001b[36m@@ -1,1 +1,1 @@\u001b[0m")]
    [InlineData("+++ b/notes.txt", "\u001b[1m+++ b/notes.txt\u001b[0m")]
    [InlineData("--- a/notes.txt", "\u001b[1m--- a/notes.txt\u001b[0m")]
    [InlineData(" context", " context")]
    public void Lines_AreColouredByTheirKind(string line, string expected) => Assert.Equal(expected, DiffStyle.Line(line, colour: true).Value);

    [Fact]
    public void WithoutColour_TheTextIsUntouched()
    {
        const string Diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
        Assert.Equal(Diff, DiffStyle.Text(Diff, colour: false).Value);
        Assert.DoesNotContain('\u001b', DiffStyle.Line("+b", colour: false).Value);
    }

    [Fact]
    public void InResult_FindsTheDiffAfterTheSummary_OrNothing()
    {
        Assert.Equal("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b", DiffStyle.InResult("Edited 'x': 1 replacement (+1 -1).\n\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"));
        Assert.Null(DiffStyle.InResult("     1\tline one\n     2\t--- not a diff"));
    }
}
