using System.Text;
using System.Text.Json;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Hosting;

namespace AgentHost.Cli.Chat;

/// <summary>What the person did at the prompt.</summary>
internal enum ChatInputKind
{
    Text,
    Exit,

    /// <summary>The terminal hung up (end of input): the chat ends as on Ctrl+D, with no one left to tell.</summary>
    HungUp,
    Interrupted,
    CycleMode,
}

/// <summary>One reading of the prompt.</summary>
internal sealed record ChatInput(ChatInputKind Kind, string Text = "");

/// <summary>
/// The chat's line editor: history kept across sessions in the data folder, multi-line input (Shift+Enter where the
/// terminal reports it, Alt+Enter, or a trailing <c>\</c> start a new line; pasted lines stay one prompt; Up/Down move
/// between the lines of a multi-line prompt), Tab completion of <c>/commands</c> and <c>@paths</c>, Ctrl+D to exit,
/// Shift+Tab to cycle the permission mode, Ctrl+C to clear the prompt (twice exits). It draws in the
/// <see cref="LiveArea"/> at the bottom of the screen, so it stays live while a turn writes above it: the chat reads
/// the next prompt while a turn runs (<c>busy</c>), and a permission question is asked in it (<see cref="AskAsync"/>).
/// Without cursor control (<c>TERM=dumb</c>) it is a plain line reader that writes no escape sequences.
/// </summary>
/// <remarks>
/// Our own, on <see cref="System.Console"/>'s key reading (see docs/chat.md, "The line editor": RadLine does not
/// compile against our Spectre.Console and PrettyPrompt is not on the package feed). Lines scroll sideways rather
/// than wrap, so every line of the editor is one terminal row and the live area can redraw it in place.
/// </remarks>
internal sealed partial class ChatEditor : IDisposable
{
    /// <summary>How many entries the history file keeps.</summary>
    public const int HistoryLimit = 500;

    /// <summary>At most this many lines of a long prompt are drawn (the ones around the cursor).</summary>
    private const int MaxDrawnLines = 12;

    private readonly Lock _sync = new();
    private readonly string _historyFile;
    private readonly List<string> _history;
    private readonly IReadOnlyList<string> _commands;
    private readonly LiveArea? _live;
    private readonly FileMentions? _files;
    private readonly TerminalWriter _terminal;
    private readonly bool _treatControlCAsInput;

    private List<StringBuilder> _lines = [new()];
    private int _row;
    private int _renderedWidth;
    private int _cursor;
    private int _browsing;
    private string _prompt = "> ";
    private Question? _question;

    /// <param name="paths">Where the history file is.</param>
    /// <param name="commands">The slash commands' names (completion).</param>
    /// <param name="live">The bottom of the screen; <see langword="null"/>: no cursor control, a plain line reader.</param>
    /// <param name="files">The project's files (<c>@path</c> completion).</param>
    /// <param name="terminal">The terminal (standard output): keyboard modes, and the plain reader's prompt.</param>
    public ChatEditor(AgentPaths paths, IReadOnlyList<string> commands, LiveArea? live, FileMentions? files, TerminalWriter terminal)
    {
        _historyFile = Path.Combine(paths.DataDirectory, "chat-history.jsonl");
        _history = LoadHistory(_historyFile);
        _browsing = _history.Count;
        _commands = commands;
        _live = live;
        _files = files;
        _terminal = terminal;
        if (live is not null)
        {
            _treatControlCAsInput = Console.TreatControlCAsInput;
            Console.TreatControlCAsInput = true; // Ctrl+C arrives as a key, also while a turn runs
            TerminalKeys.Start(terminal);
        }
    }

    /// <summary>Whether the editor draws at the bottom of the screen and reads keys while a turn runs.</summary>
    public bool IsLive => _live is not null;

    /// <summary>The text typed so far (lines joined with <c>\n</c>).</summary>
    internal string Text
    {
        get
        {
            lock (_sync)
            {
                return string.Join('\n', _lines.Select(l => l.ToString()));
            }
        }
    }

    public void Dispose()
    {
        if (_live is not null)
        {
            _live.Close();
            TerminalKeys.Restore();
            try
            {
                Console.TreatControlCAsInput = _treatControlCAsInput;
            }
            catch (IOException)
            {
                // the terminal hung up: there is no terminal mode left to restore
            }
        }
    }

    /// <summary>
    /// Reads the next prompt after the label <paramref name="prompt"/> (<see cref="ChatState.Prompt"/>). While
    /// <paramref name="busy"/> (a turn runs), the prompt entered is taken off the screen (the chat shows it as queued).
    /// Cancelling stops reading and keeps what was typed for the next call.
    /// </summary>
    public async Task<ChatInput> ReadAsync(string prompt, bool busy, CancellationToken cancellationToken)
    {
        if (_live is null)
        {
            return await ReadPlainAsync(prompt).ConfigureAwait(false);
        }

        lock (_sync)
        {
            _prompt = prompt;
            _terminal.Write(TerminalControl.ModifyOtherKeys); // again at each prompt: a terminal (tmux) that enabled extended keys since honours it
            Render();
        }

        while (true)
        {
            while (!Console.KeyAvailable)
            {
                await Task.Delay(15, cancellationToken).ConfigureAwait(false);
                if (_live.Width != _renderedWidth)
                {
                    lock (_sync)
                    {
                        Render(); // the terminal was resized: the prompt is laid out for its new width
                    }
                }
            }

            // A terminal that hung up always has "input" (its end): the wait above no longer sees the cancellation.
            cancellationToken.ThrowIfCancellationRequested();
            var key = ReadKey();
            if (TerminalKeys.IsEndOfInput(key))
            {
                return new ChatInput(ChatInputKind.HungUp);
            }

            if (key.Key == ConsoleKey.Tab && (key.Modifiers & ConsoleModifiers.Shift) == 0)
            {
                await CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (Handle(key, busy) is { } input)
            {
                return input;
            }

            if (!Console.KeyAvailable)
            {
                lock (_sync)
                {
                    Render(); // a paste arrives as many keys: drawn once they are all in
                }
            }
        }
    }

    /// <summary>
    /// Asks a question in the editor (a permission answer) while a turn runs: the prompt being typed is put aside,
    /// <paramref name="question"/> is the prompt, and Enter answers. <see langword="null"/> when Ctrl+C cancelled it.
    /// Needs <see cref="ReadAsync"/> to be reading (it is, while a turn runs).
    /// </summary>
    public Task<string?> AskAsync(string question, CancellationToken cancellationToken)
    {
        var asked = Pose(question, secret: false);

        cancellationToken.Register(() => Answer(null));
        return asked.Answer.Task;
    }

    /// <summary>
    /// Asks for a secret (an API key for <c>/login</c>) in the editor while nothing else reads it (a slash command runs):
    /// each character typed is drawn as <c>•</c>, and neither the screen, the scrollback nor the prompt history ever holds
    /// it. Enter answers; Ctrl+C, Escape, or the terminal hanging up, gives <see langword="null"/>. When the editor is not live
    /// (a dumb terminal) <see langword="null"/> at once: the caller asks with the console's hidden reader instead.
    /// </summary>
    /// <param name="question">The prompt.</param>
    /// <param name="cancellationToken">Cancels the question.</param>
    /// <returns>The secret, or <see langword="null"/>.</returns>
    public async Task<string?> AskSecretAsync(string question, CancellationToken cancellationToken)
    {
        if (_live is null)
        {
            return null;
        }

        var asked = Pose(question, secret: true);

        using var registration = cancellationToken.Register(() => Answer(null));
        while (!asked.Answer.Task.IsCompleted)
        {
            if (!Console.KeyAvailable)
            {
                await Task.Delay(15, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            var key = ReadKey();
            if (TerminalKeys.IsEndOfInput(key) || key.Key == ConsoleKey.Escape)
            {
                Answer(null);
            }
            else if (key.Key != ConsoleKey.Tab)
            {
                _ = Handle(key, busy: true); // Enter answers the question, Ctrl+C drops it (both end the loop)
            }

            if (!Console.KeyAvailable)
            {
                lock (_sync)
                {
                    Render();
                }
            }
        }

        return await asked.Answer.Task.ConfigureAwait(false);
    }

    /// <summary>Puts the prompt being typed aside and makes <paramref name="prompt"/> the editor's question (a pending one is dropped).</summary>
    private Question Pose(string prompt, bool secret)
    {
        lock (_sync)
        {
            var asked = new Question(prompt, _lines, _row, _cursor) { Secret = secret };
            _question?.Answer.TrySetResult(null);
            _question = asked;
            _lines = [new()];
            _row = 0;
            _cursor = 0;
            Render();
            return asked;
        }
    }

    /// <summary>
    /// Takes the editor off the screen until the next <see cref="ReadAsync"/> (what is typed is kept), so output written
    /// past the live area (a slash command's) lands where the editor was.
    /// </summary>
    public void Hide()
    {
        lock (_sync)
        {
            _live?.CommitEditor(string.Empty);
        }
    }

    /// <summary>Drops a pending question (its turn ended): it is answered with <see langword="null"/>.</summary>
    public void DropQuestion() => Answer(null);

    private void Answer(string? answer)
    {
        lock (_sync)
        {
            if (_question is not { } question)
            {
                return;
            }

            _question = null;
            _lines = question.Lines;
            _row = question.Row;
            _cursor = question.Cursor;
            question.Answer.TrySetResult(answer);
            Render();
        }
    }

    private string Lead(int row) => _question?.Prompt ?? (row == 0 ? _prompt : new string(' ', Math.Max(0, _prompt.Length - 2)) + "… ");

    /// <summary>Takes the editor off the screen: what was typed stays as output (not while busy: it is shown as queued).</summary>
    private void Commit(bool busy)
    {
        var shown = busy ? string.Empty : string.Join('\n', _lines.Select((l, i) => Lead(i) + l)) + "\n";
        _live!.CommitEditor(shown);
    }

    private void Render()
    {
        if (_live is null)
        {
            return;
        }

        var width = _live.Width;
        _renderedWidth = width;
        var first = Math.Clamp(_row - (MaxDrawnLines / 2), 0, Math.Max(0, _lines.Count - MaxDrawnLines));
        var count = Math.Min(MaxDrawnLines, _lines.Count - first);
        var drawn = new List<TerminalText>(count); // typed or pasted text, neutralised like all else
        var column = 0;
        for (var i = first; i < first + count; i++)
        {
            var lead = Lead(i);
            var room = Math.Max(8, width - lead.Length);
            var line = _question is { Secret: true } ? new StringBuilder(new string('•', _lines[i].Length)) : _lines[i];
            if (i == _row)
            {
                // The cursor's line scrolls sideways to keep the cursor in view.
                var from = _cursor < room ? 0 : _cursor - room + 1;
                drawn.Add(lead + line.ToString(from, Math.Min(room, line.Length - from)));
                column = TerminalText.Neutralize(lead).Length + TerminalText.Neutralize(line.ToString(from, _cursor - from)).Length;
            }
            else
            {
                drawn.Add(lead + (line.Length <= room ? line.ToString() : line.ToString(0, room - 1) + "…"));
            }
        }

        if (first > 0)
        {
            drawn[0] = $"  … {first} more line(s) above";
        }

        if (first + count < _lines.Count)
        {
            drawn[^1] = $"  … {_lines.Count - first - count} more line(s) below";
        }

        _live.SetEditor(drawn, _row - first, column);
    }

    /// <summary>The plain reader (no cursor control): a line at a time; a trailing <c>\</c> continues the prompt.</summary>
    private async Task<ChatInput> ReadPlainAsync(string prompt)
    {
        var lines = new List<string>();
        while (true)
        {
            _terminal.Write(lines.Count == 0 ? prompt : "… ");
            var line = await Task.Run(Console.In.ReadLine).ConfigureAwait(false);
            if (line is null)
            {
                return lines.Count == 0 ? new ChatInput(ChatInputKind.Exit) : new ChatInput(ChatInputKind.Text, string.Join('\n', lines));
            }

            if (line.EndsWith('\\'))
            {
                lines.Add(line[..^1]);
                continue;
            }

            lines.Add(line);
            var text = string.Join('\n', lines);
            if (text.Trim().Length > 0)
            {
                Remember(text);
            }

            return new ChatInput(ChatInputKind.Text, text);
        }
    }

    /// <summary>A question asked in the editor, with the prompt it put aside.</summary>
    private sealed class Question(string prompt, List<StringBuilder> lines, int row, int cursor)
    {
        public string Prompt { get; } = prompt;

        public List<StringBuilder> Lines { get; } = lines;

        public int Row { get; } = row;

        public int Cursor { get; } = cursor;

        /// <summary>Whether the answer is a secret: drawn as <c>•</c>, never shown or kept.</summary>
        public bool Secret { get; init; }

        public TaskCompletionSource<string?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
