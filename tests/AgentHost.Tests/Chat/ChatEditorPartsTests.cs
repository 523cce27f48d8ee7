using System.Diagnostics;
using System.Text;
using AgentHost.Cli.Chat;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>The line editor's parts: the key decoder, the live area's screen, <c>@path</c> candidates, the spinner's label.</summary>
public sealed class ChatEditorPartsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("[13;2u", ConsoleKey.Enter, ConsoleModifiers.Shift)] // kitty, and tmux with extended-keys
    [InlineData("[27;2;13~", ConsoleKey.Enter, ConsoleModifiers.Shift)] // xterm modifyOtherKeys
    [InlineData("[13;3u", ConsoleKey.Enter, ConsoleModifiers.Alt)]
    [InlineData("[9;2u", ConsoleKey.Tab, ConsoleModifiers.Shift)] // tmux sends Shift+Tab so once extended keys are on
    [InlineData("[99;5u", ConsoleKey.C, ConsoleModifiers.Control)] // kitty's Ctrl+C
    [InlineData("[27u", ConsoleKey.Escape, (ConsoleModifiers)0)]
    [InlineData("[127;1u", ConsoleKey.Backspace, (ConsoleModifiers)0)]
    public void ExtendedKeySequences_Decode(string sequence, ConsoleKey key, ConsoleModifiers modifiers)
    {
        var decoded = TerminalKeys.Decode(sequence);

        Assert.NotNull(decoded);
        Assert.Equal(key, decoded.Value.Key);
        Assert.Equal(modifiers, decoded.Value.Modifiers);
    }

    [Fact]
    public void KittysCtrlC_CarriesTheControlCharacter()
    {
        Assert.Equal('\u0003', TerminalKeys.Decode("[99;5u")!.Value.KeyChar);
        Assert.Equal('é', TerminalKeys.Decode("[233u")!.Value.KeyChar);
    }

    [Theory]
    [InlineData("[A")]
    [InlineData("[1;5A")]
    [InlineData("[200~")]
    [InlineData("]0;title")]
    [InlineData("[x;2u")]
    public void OtherSequences_AreNotKeysOfTheEditor(string sequence) => Assert.Null(TerminalKeys.Decode(sequence));

    [Fact]
    public void TheModes_AreAskedFor_AndRestored()
    {
        Assert.Equal("\u001b[>4;1m\u001b[>1u", TerminalControl.ExtendedKeys.Value);
        Assert.Equal("\u001b[>4m\u001b[<u", TerminalControl.PlainKeys.Value);
    }

    [Fact]
    public void OutputWrittenWhileTheEditorIsShown_ScrollsAboveIt()
    {
        var terminal = new StringWriter();
        var live = new LiveArea(new TerminalWriter(terminal), () => 40);
        live.Write(new TerminalWriter(terminal), "before\n");
        live.SetEditor(["> typing"], 0, 8);
        live.SetStatus("⠋ shell npm test · 1.0 s");
        live.Write(new TerminalWriter(terminal), "the answer ");
        live.Write(new TerminalWriter(terminal), "streams\nin parts");

        var screen = Screen.Of(terminal.ToString(), 40);
        Assert.Equal(["before", "the answer streams", "in parts", "⠋ shell npm test · 1.0 s", "> typing"], screen.Lines);
        Assert.Equal((4, 8), screen.Cursor);

        live.SetStatus(null);
        live.CommitEditor("> typing\n");
        live.Close();
        Assert.Equal(["before", "the answer streams", "in parts", "> typing"], Screen.Of(terminal.ToString(), 40).Lines);
    }

    [Fact]
    public void AMultiLineEditor_KeepsItsCursorRow_AndIsClearedWhole()
    {
        var terminal = new StringWriter();
        var live = new LiveArea(new TerminalWriter(terminal), () => 30);
        live.SetEditor(["> one", "… two", "… three"], 0, 5);
        live.Write(new TerminalWriter(terminal), "output line\n");

        var screen = Screen.Of(terminal.ToString(), 30);
        Assert.Equal(["output line", "> one", "… two", "… three"], screen.Lines);
        Assert.Equal((1, 5), screen.Cursor);
    }

    [Fact]
    public void ALongTail_ThatWraps_IsClearedOverAllItsRows()
    {
        var terminal = new StringWriter();
        var live = new LiveArea(new TerminalWriter(terminal), () => 20);
        live.SetEditor(["> x"], 0, 3);
        live.Write(new TerminalWriter(terminal), new string('a', 45)); // three rows at 20 columns
        live.Write(new TerminalWriter(terminal), "b\n");

        var lines = Screen.Of(terminal.ToString(), 20).Lines;
        Assert.Equal([new string('a', 20), new string('a', 20), "aaaaab", "> x"], lines);
    }

    [Fact]
    public void StreamedText_IsShownWrappedAboveTheEditor_ItsLastRowsOnly_Neutralised_AndGoesWhenCleared()
    {
        var terminal = new StringWriter();
        var live = new LiveArea(new TerminalWriter(terminal), () => 21); // 20 columns for the bottom lines
        live.Write(new TerminalWriter(terminal), "before\n");
        live.SetEditor(["> x"], 0, 3);
        var preview = new StreamPreview(live, maxRows: 2);
        preview.Append("alpha beta gamma delta ");
        preview.Append("epsilon zeta eta theta\u001b[2J");
        preview.Refresh(); // the second piece came within the redraw interval: the tick draws it

        Assert.Equal(["before", "… delta epsilon zeta", "eta theta^[[2J", "> x"], Screen.Of(terminal.ToString(), 21).Lines);
        Assert.Equal(["delta epsilon zeta", "eta theta^[[2J"], preview.Rows);
        Assert.True(preview.Dropped);

        preview.Clear();
        live.Write(new TerminalWriter(terminal), "drawn for good\n");
        Assert.Equal(["before", "drawn for good", "> x"], Screen.Of(terminal.ToString(), 21).Lines);
    }

    [Fact]
    public void BottomLines_AreCutToTheWidth()
    {
        var terminal = new StringWriter();
        var live = new LiveArea(new TerminalWriter(terminal), () => 24);
        live.SetStatus("⠋ " + new string('s', 60));

        var line = Assert.Single(Screen.Of(terminal.ToString(), 24).Lines);
        Assert.Equal(23, line.Length);
        Assert.EndsWith("…", line, StringComparison.Ordinal);
    }

    [Fact]
    public void VisibleLength_SkipsEscapeSequences() =>
        Assert.Equal(5, LiveArea.VisibleLength("\u001b[1;31mhello\u001b[0m\u001b]8;;http://x\u001b\\"));

    [Fact]
    public void AtPathCandidates_AreTheNextSegment_SortedAndCapped()
    {
        string[] files = ["src/Parser.cs", "src/Printer.cs", "src/deep/Tree.cs", "README.md", "tests/ParserTests.cs"];

        Assert.Equal(["src/"], FileMentions.Complete(files, "sr"));
        Assert.Equal(["src/Parser.cs", "src/Printer.cs", "src/deep/"], FileMentions.Complete(files, "src/"));
        Assert.Equal(["src/Parser.cs"], FileMentions.Complete(files, "src/Pa"));
        Assert.Equal(["README.md", "src/", "tests/"], FileMentions.Complete(files, string.Empty));
        Assert.Empty(FileMentions.Complete(files, "nothing"));
        var many = Enumerable.Range(0, 500).Select(i => $"gen/file{i:000}.txt").ToList();
        Assert.Equal(FileMentions.MaxCandidates, FileMentions.Complete(many, "gen/").Count);
    }

    [RequiresProgramFact("git")]
    public async Task AtPathCandidates_RespectGitignore()
    {
        var root = _temp.Path;
        Git(root, "init", "-q");
        _temp.WriteFile(".gitignore", "*.log\nout/\n");
        _temp.WriteFile("src/Parser.cs", "class Parser {}");
        _temp.WriteFile("build.log", "noise");
        _temp.WriteFile("out/Parser.dll", "binary");
        _temp.WriteFile("with space.txt", "not referable as @path");

        var mentions = new FileMentions(root);

        Assert.Equal([".gitignore", "src/"], await mentions.CompleteAsync(string.Empty, CancellationToken.None));
        Assert.Empty(await mentions.CompleteAsync("build", CancellationToken.None));
        Assert.Empty(await mentions.CompleteAsync("out", CancellationToken.None));
    }

    [Fact]
    public async Task AtPathCandidates_OutsideARepository_AreAWalkWithoutBuildFolders()
    {
        _temp.WriteFile("plain/a.txt", "a");
        _temp.WriteFile("plain/node_modules/x/index.js", "x");
        _temp.WriteFile("plain/bin/Debug/a.dll", "x");

        var mentions = new FileMentions(_temp.Combine("plain"));

        Assert.Equal(["a.txt"], await mentions.CompleteAsync(string.Empty, CancellationToken.None));
    }

    [Theory]
    [InlineData("shell", """{"command":"npm test","timeout":30}""", "shell npm test")]
    [InlineData("write", """{"content":"x","path":"notes.txt"}""", "write notes.txt")]
    [InlineData("custom", """{"anything":"first string"}""", "custom first string")]
    [InlineData("custom", """{"n":1}""", "custom")]
    [InlineData("shell", """{"command":"line one\nline two"}""", "shell line one line two")]
    public void TheSpinnerLabel_IsTheToolAndItsSubject(string tool, string arguments, string label) =>
        Assert.Equal(label, ToolSpinner.Label(tool, arguments));

    [Fact]
    public void ADumbTerminal_HasNoCursorControl()
    {
        Assert.False(OperatingSystem.IsWindows() ? false : ChatTerminal.HasCursorControl(new Dictionary<string, string> { ["TERM"] = "dumb" }));
        Assert.False(OperatingSystem.IsWindows() ? false : ChatTerminal.HasCursorControl(new Dictionary<string, string>()));
        Assert.True(OperatingSystem.IsWindows() || ChatTerminal.HasCursorControl(new Dictionary<string, string> { ["TERM"] = "xterm-256color" }));
    }

    [WindowsFact("the Windows console's virtual terminal processing (SetConsoleMode)")]
    public void OnWindows_VirtualTerminalProcessing_IsAskedFor_WithoutFailingWhenThereIsNoConsole()
    {
        // Under the test runner standard output is a pipe, not a console: the call says so instead of throwing.
        var enabled = TerminalKeys.EnableVirtualTerminal();

        Assert.Equal(!Console.IsOutputRedirected, enabled);
    }

    private static void Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    /// <summary>A tiny terminal: text, CR, LF, cursor up/forward, erase to the end of the screen; wraps at the width.</summary>
    private sealed class Screen
    {
        private readonly List<StringBuilder> _rows = [new()];
        private int _row;
        private int _column;

        public List<string> Lines => [.. _rows.Select(r => r.ToString().TrimEnd()).Reverse().SkipWhile(r => r.Length == 0).Reverse()];

        public (int Row, int Column) Cursor => (_row, _column);

        public static Screen Of(string output, int width)
        {
            var screen = new Screen();
            for (var i = 0; i < output.Length; i++)
            {
                var c = output[i];
                if (c == '\u001b' && i + 1 < output.Length && output[i + 1] == '[')
                {
                    var end = i + 2;
                    while (output[end] is < '@' or > '~')
                    {
                        end++;
                    }

                    var parameter = output[(i + 2)..end];
                    var count = int.TryParse(parameter, out var n) ? n : 1;
                    switch (output[end])
                    {
                        case 'A':
                            screen._row = Math.Max(0, screen._row - count);
                            break;
                        case 'C':
                            screen._column += count;
                            break;
                        case 'J':
                            screen.Row.Length = Math.Min(screen.Row.Length, screen._column);
                            screen._rows.RemoveRange(screen._row + 1, screen._rows.Count - screen._row - 1);
                            break;
                    }

                    i = end;
                }
                else if (c == '\r')
                {
                    screen._column = 0;
                }
                else if (c == '\n')
                {
                    screen._row++;
                    screen._column = 0;
                    while (screen._rows.Count <= screen._row)
                    {
                        screen._rows.Add(new StringBuilder());
                    }
                }
                else
                {
                    if (screen._column >= width)
                    {
                        screen._row++;
                        screen._column = 0;
                        while (screen._rows.Count <= screen._row)
                        {
                            screen._rows.Add(new StringBuilder());
                        }
                    }

                    var row = screen.Row;
                    while (row.Length < screen._column)
                    {
                        row.Append(' ');
                    }

                    if (screen._column < row.Length)
                    {
                        row[screen._column] = c;
                    }
                    else
                    {
                        row.Append(c);
                    }

                    screen._column++;
                }
            }

            return screen;
        }

        private StringBuilder Row => _rows[_row];
    }
}
