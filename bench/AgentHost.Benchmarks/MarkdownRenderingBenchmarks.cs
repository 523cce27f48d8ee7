using System.Text;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Sdk.Events;
using BenchmarkDotNet.Attributes;

namespace AgentHost.Benchmarks;

/// <summary>
/// The per-token cost of drawing a streamed answer at a terminal: a 6,000-word answer as about one word per delta
/// (6,000 <see cref="MessageDeltaEvent"/>s) through <see cref="TextRunRenderer"/> and <see cref="MarkdownAnswerWriter"/>
/// (Markdig parses each block, Spectre.Console draws it with styles) into an in-memory terminal; against writing the
/// same deltas raw to the same writer (the baseline), and the writer before this work (<see cref="MarkdownAnswerWriterBefore"/>). Shapes: <c>paragraphs</c> (paragraphs of 40–120 words, lists, code blocks, a
/// table: a typical answer) and <c>one-block</c> (6,000 words with no blank line: the longest block a delta can grow).
/// Divide the mean by <see cref="Tokens"/> for ns per token.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class MarkdownRenderingBenchmarks
{
    private readonly CountingWriter _terminal = new();
    private readonly Dictionary<string, string> _environment = new() { ["TERM"] = "xterm-256color" };
    private MessageDeltaEvent[] _deltas = [];
    private MessageDeltaEvent _whole = new("bench", 1, string.Empty);

    [Params("paragraphs", "one-block")]
    public string Shape { get; set; } = "paragraphs";

    /// <summary>How many deltas the answer is streamed in.</summary>
    public int Tokens => _deltas.Length;

    [GlobalSetup]
    public void Setup()
    {
        var answer = Answer(Shape, 6_000);
        _whole = new MessageDeltaEvent("bench", 1, answer);
        var words = answer.Split(' ');
        _deltas = [.. words.Select((w, i) => new MessageDeltaEvent("bench", 1, i == words.Length - 1 ? w : w + " "))];
        if (!string.Equals(string.Concat(_deltas.Select(d => d.Text)), answer, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("the deltas do not add up to the answer");
        }

        // Check the renderer draws every word (a benchmark of a renderer that drops text measures the wrong thing).
        var check = new StringWriter();
        var renderer = new TextRunRenderer(new TerminalConsole(check)) { Answer = new MarkdownAnswerWriter(new TerminalWriter(check), _environment, 120) };
        foreach (var delta in _deltas)
        {
            renderer.Render(delta);
        }

        renderer.EndLine();
        var drawn = check.ToString();
        var missing = answer.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Where(w => w.StartsWith('w') && w.Length == 5).FirstOrDefault(w => !drawn.Contains(w, StringComparison.Ordinal));
        if (missing is not null || !drawn.Contains("\u001b[", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the renderer lost {missing ?? "its styles"}");
        }

        Console.WriteLine($"// {Shape}: {_deltas.Length} deltas, {answer.Length} characters, {drawn.Length} characters drawn");
    }

    [Benchmark(Baseline = true)]
    public long Raw()
    {
        _terminal.Reset();
        foreach (var delta in _deltas)
        {
            _terminal.Write(delta.Text);
        }

        return _terminal.Count;
    }

    /// <summary>The writer before this work (commit dee06c9): it re-scanned the whole pending block on every delta and let Spectre.Console wrap long lines.</summary>
    [Benchmark]
    public long Before() => Stream(new MarkdownAnswerWriterBefore(_terminal, _environment, 120));

    [Benchmark]
    public long After() => Stream(new MarkdownAnswerWriter(new TerminalWriter(_terminal), _environment, 120));

    /// <summary>
    /// #47's reference for syntax highlighting: the current writer with code blocks drawn plain (as before
    /// <see cref="CodeHighlighter"/>), in the same run as <see cref="After"/>, which highlights them.
    /// </summary>
    [Benchmark]
    public long AfterNoHighlight() => Stream(new MarkdownAnswerWriter(new TerminalWriter(_terminal), _environment, 120) { HighlightCode = false });

    /// <summary>
    /// What the first code block of a chat or a run costs once the grammar library is in the process: a new writer (so
    /// a new <see cref="CodeHighlighter"/>: the bundled grammars' registry and the C# grammar are loaded again) drawing
    /// one three-line <c>```csharp</c> block. Against <see cref="FirstCodeBlockPlain"/>, the same without highlighting.
    /// </summary>
    [Benchmark]
    public long FirstCodeBlock() => OneBlock(highlight: true);

    /// <summary>The same block drawn plain by a new writer (the reference of <see cref="FirstCodeBlock"/>).</summary>
    [Benchmark]
    public long FirstCodeBlockPlain() => OneBlock(highlight: false);

    private long OneBlock(bool highlight)
    {
        _terminal.Reset();
        var writer = new MarkdownAnswerWriter(new TerminalWriter(_terminal), _environment, 120) { HighlightCode = highlight };
        writer.Append("```csharp\npublic static int Add(int a, int b) => a + b; // sum\nvar text = \"done\";\nreturn Add(1, 2);\n```\n");
        writer.Flush();
        return _terminal.Count;
    }

    /// <summary>
    /// The chat's path since #47: the same writer with the unfinished block shown as it streams
    /// (<see cref="AgentHost.Cli.Chat.StreamPreview"/> in a <see cref="AgentHost.Cli.Chat.LiveArea"/> under which a
    /// status line and a prompt are drawn), so each completed block also clears the preview and redraws the bottom lines.
    /// </summary>
    [Benchmark]
    public long AfterLive()
    {
        _terminal.Reset();
        var live = new AgentHost.Cli.Chat.LiveArea(new TerminalWriter(_terminal), () => 120);
        live.SetStatus("⠋ writing · 1.0 s · ↓ 10 tokens");
        live.SetEditor(["> "], 0, 2);
        var writer = new MarkdownAnswerWriter(live.Out, _environment, 120) { Preview = new AgentHost.Cli.Chat.StreamPreview(live, 12) };
        var renderer = new TextRunRenderer(new TerminalConsole(live.Out.Raw)) { Answer = writer };
        foreach (var delta in _deltas)
        {
            renderer.Render(delta);
        }

        renderer.EndLine();
        live.Close();
        return _terminal.Count;
    }

    /// <summary>The same answer drawn from one delta: the drawing alone (Markdig and Spectre.Console per block), without the streaming.</summary>
    [Benchmark]
    public long AfterWhole()
    {
        _terminal.Reset();
        var renderer = new TextRunRenderer(new TerminalConsole(_terminal)) { Answer = new MarkdownAnswerWriter(new TerminalWriter(_terminal), _environment, 120) };
        renderer.Render(_whole);
        renderer.EndLine();
        return _terminal.Count;
    }

    private long Stream(IAnswerWriter writer)
    {
        _terminal.Reset();
        var renderer = new TextRunRenderer(new TerminalConsole(_terminal)) { Answer = writer };
        foreach (var delta in _deltas)
        {
            renderer.Render(delta);
        }

        renderer.EndLine();
        return _terminal.Count;
    }

    /// <summary>A 6,000-word answer: words w0001…w6000 (so a test can tell each apart) with Markdown around them.</summary>
    internal static string Answer(string shape, int words)
    {
        var text = new StringBuilder();
        var random = new Random(20);
        var n = 1;
        string Word() => $"w{n++:0000}";
        if (shape == "one-block")
        {
            while (n <= words)
            {
                text.Append(n % 9 == 0 ? $"**{Word()}**" : n % 13 == 0 ? $"`{Word()}`" : Word()).Append(n <= words ? " " : string.Empty);
            }

            return text.ToString().TrimEnd();
        }

        var block = 0;
        while (n <= words)
        {
            switch (block++ % 6)
            {
                case 2:
                    for (var i = 0; i < 4 && n <= words; i++)
                    {
                        text.Append("- ").Append(Word()).Append(' ').Append(Word()).Append(" *").Append(Word()).Append("*\n");
                    }

                    break;
                case 4:
                    text.Append("```csharp\n");
                    for (var i = 0; i < 3 && n <= words; i++)
                    {
                        text.Append("var ").Append(Word()).Append(" = ").Append(Word()).Append(";\n");
                    }

                    text.Append("```\n");
                    break;
                case 5 when block % 4 == 0:
                    text.Append("| a | b |\n|---|---|\n| ").Append(Word()).Append(" | ").Append(Word()).Append(" |\n");
                    break;
                default:
                    var length = random.Next(40, 121);
                    for (var i = 0; i < length && n <= words; i++)
                    {
                        text.Append(i % 17 == 5 ? $"**{Word()}**" : Word()).Append(i % 23 == 22 ? "\n" : " ");
                    }

                    text.Length--;
                    text.Append('\n');
                    break;
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>A terminal in memory: counts what is written, keeps nothing.</summary>
    private sealed class CountingWriter : TextWriter
    {
        public long Count { get; private set; }

        public override Encoding Encoding => Encoding.UTF8;

        public void Reset() => Count = 0;

        public override void Write(char value) => Count++;

        public override void Write(string? value) => Count += value?.Length ?? 0;

        public override void Write(char[] buffer, int index, int count) => Count += count;

        public override void Write(ReadOnlySpan<char> buffer) => Count += buffer.Length;
    }

    /// <summary>The console the renderer writes tool lines to: everything to the one terminal writer.</summary>
    private sealed class TerminalConsole(TextWriter terminal) : IConsoleInteraction
    {
        private readonly TerminalWriter _terminal = new(terminal);

        public bool IsInteractive => true;

        public TerminalWriter? Terminal => _terminal;

        public TerminalWriter Errors => _terminal;

        public int TerminalWidth => 120;

        public void Write(TerminalText text) => _terminal.Write(text);

        public void WriteLine(TerminalText text = default) => _terminal.WriteLine(text);

        public void WriteDataLine(string text) => terminal.WriteLine(text);

        public void WriteInfo(TerminalText text) => _terminal.WriteLine(text);

        public void WriteError(TerminalText text) => _terminal.WriteLine(text);

        public string? ReadRedirectedInput() => null;

        public string? ReadLine() => null;

        public string? ReadSecret(TerminalText prompt) => null;

        public bool Confirm(TerminalText question, bool defaultAnswer) => defaultAnswer;
    }
}
