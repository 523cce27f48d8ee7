using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Sessions;

namespace AgentHost.Tests.Cli;

/// <summary>The run renderer's transcript: reasoning before the answer, numbered tool lines for /expand, and piped output as before.</summary>
public sealed class TextRunRendererTests
{
    private readonly TranscriptConsole _console = new();
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public void Reasoning_IsClosedByItsSummary_BeforeTheAnswerStarts()
    {
        var renderer = new TextRunRenderer(_console) { Reasoning = new ReasoningWriter(_console.Terminal, plain: true, 80, _time) };

        renderer.Render(new RunStartedEvent("s", "scripted", "m", "hi"));
        renderer.Render(new ReasoningDeltaEvent("s", 1, "Look at "));
        renderer.Render(new ReasoningDeltaEvent("s", 1, "the files."));
        renderer.Render(new MessageDeltaEvent("s", 1, "Here is the answer."));
        renderer.Render(new ReasoningDeltaEvent("s", 1, " (held back)"));
        renderer.EndLine();

        var shown = _console.Out.ToString();
        var summary = shown.IndexOf("✻ thought for", StringComparison.Ordinal);
        Assert.True(shown.IndexOf("thinking │ Look at the files.", StringComparison.Ordinal) is >= 0 and var r && r < summary && summary < shown.IndexOf("Here is the answer.", StringComparison.Ordinal), shown);
        Assert.DoesNotContain("(held back)", shown, StringComparison.Ordinal);
        Assert.Equal("Look at the files. (held back)", renderer.Reasoning!.Text);
    }

    [Fact]
    public void Reasoning_OfALaterStep_EndsTheAnswersLineFirst()
    {
        var renderer = new TextRunRenderer(_console) { Reasoning = new ReasoningWriter(_console.Terminal, plain: true, 80, _time) };

        renderer.Render(new MessageDeltaEvent("s", 1, "First part"));
        renderer.Render(new ReasoningDeltaEvent("s", 2, "more thinking"));
        renderer.EndLine();

        Assert.Contains("First part" + Environment.NewLine + "thinking │ more thinking", _console.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAReasoningWriter_ReasoningIsNotShown()
    {
        var renderer = new TextRunRenderer(_console);

        renderer.Render(new ReasoningDeltaEvent("s", 1, "secret plan"));
        renderer.Render(new MessageDeltaEvent("s", 1, "answer"));
        renderer.EndLine();

        Assert.Equal("answer" + Environment.NewLine, _console.Out.ToString());
    }

    [Fact]
    public void NumberedCalls_EndWithTheirExpandNumber_AndANewRunStartsAgainAtOne()
    {
        var renderer = new TextRunRenderer(_console) { NumberCalls = true };

        renderer.Render(new RunStartedEvent("s1", "scripted", "m", "one"));
        renderer.Render(new ToolCallStartedEvent("s1", 1, "call_a", "view", "files", "{}"));
        renderer.Render(new ToolCallCompletedEvent("s1", 1, "call_a", "view", ToolCallStatus.Succeeded, "line\nline", 3));
        renderer.Render(new ToolCallStartedEvent("s1", 1, "call_b", "write", "files", "{}"));
        renderer.Render(new ToolCallCompletedEvent("s1", 1, "call_b", "write", ToolCallStatus.Denied, "denied", 1));
        renderer.Render(new ToolCallStartedEvent("s1", 1, "call_c", "shell", "shell", "{}"));
        renderer.Render(new ToolCallCompletedEvent("s1", 1, "call_c", "shell", ToolCallStatus.Failed, "boom", 2) { Error = "exit 1" });

        Assert.Contains("✓ view (3 ms): line (+1 lines)  [/expand 1]", _console.Info, StringComparison.Ordinal);
        Assert.Contains("✗ shell failed: exit 1  [/expand 2]", _console.Info, StringComparison.Ordinal);
        Assert.Equal(["call_a", "call_c"], renderer.Calls);
        Assert.Equal("s1", renderer.RunSessionId);

        renderer.Render(new RunStartedEvent("s1", "scripted", "m", "two"));
        Assert.Empty(renderer.Calls);
    }

    [Fact]
    public void AgentRunsLines_HaveNoNumbers()
    {
        var renderer = new TextRunRenderer(_console);

        renderer.Render(new ToolCallCompletedEvent("s", 1, "call_a", "view", ToolCallStatus.Succeeded, "text", 3));

        Assert.Contains("✓ view (3 ms): text" + Environment.NewLine, _console.Info, StringComparison.Ordinal);
        Assert.Empty(renderer.Calls);
    }

    /// <summary>Stdout and stderr in memory.</summary>
    private sealed class TranscriptConsole : IConsoleInteraction
    {
        private readonly StringWriter _info = new();

        public TranscriptConsole()
        {
            Terminal = new TerminalWriter(Out);
            Errors = new TerminalWriter(_info);
        }

        public StringWriter Out { get; } = new();

        public string Info => _info.ToString();

        public bool IsInteractive => true;

        public TerminalWriter Terminal { get; }

        public TerminalWriter Errors { get; }

        TerminalWriter? IConsoleInteraction.Terminal => Terminal;

        public int TerminalWidth => 80;

        public void Write(TerminalText text) => Terminal.Write(text);

        public void WriteLine(TerminalText text = default) => Terminal.WriteLine(text);

        public void WriteDataLine(string text) => Out.WriteLine(text);

        public void WriteInfo(TerminalText text) => Errors.WriteLine(text);

        public void WriteError(TerminalText text) => Errors.WriteLine(text);

        public string? ReadRedirectedInput() => null;

        public (Stream Input, Stream Output) TakeProtocolStreams() => throw new NotSupportedException();

        public string? ReadLine() => null;

        public string? ReadSecret(TerminalText prompt) => null;

        public bool Confirm(TerminalText question, bool defaultAnswer) => defaultAnswer;
    }
}
