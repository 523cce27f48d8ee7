using System.Text;
using System.Text.Json;
using AgentHost.Hosting;

namespace AgentHost.Cli.Chat;

/// <summary>What the person did at the prompt.</summary>
internal enum ChatInputKind
{
    Text,
    Exit,
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
internal sealed class ChatEditor : IDisposable
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
    private readonly TextWriter _plain;
    private readonly bool _treatControlCAsInput;

    private List<StringBuilder> _lines = [new()];
    private int _row;
    private int _cursor;
    private int _browsing;
    private string _prompt = "> ";
    private Question? _question;

    /// <param name="paths">Where the history file is.</param>
    /// <param name="commands">The slash commands' names (completion).</param>
    /// <param name="live">The bottom of the screen; <see langword="null"/>: no cursor control, a plain line reader.</param>
    /// <param name="files">The project's files (<c>@path</c> completion).</param>
    /// <param name="plain">Where the plain reader writes its prompt.</param>
    public ChatEditor(AgentPaths paths, IReadOnlyList<string> commands, LiveArea? live, FileMentions? files, TextWriter plain)
    {
        _historyFile = Path.Combine(paths.DataDirectory, "chat-history.jsonl");
        _history = LoadHistory(_historyFile);
        _browsing = _history.Count;
        _commands = commands;
        _live = live;
        _files = files;
        _plain = plain;
        if (live is not null)
        {
            _treatControlCAsInput = Console.TreatControlCAsInput;
            Console.TreatControlCAsInput = true; // Ctrl+C arrives as a key, also while a turn runs
            TerminalKeys.Start(Console.Out);
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
            Console.TreatControlCAsInput = _treatControlCAsInput;
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
            Console.Out.Write("\u001b[>4;1m"); // again at each prompt: a terminal (tmux) that enabled extended keys since honours it
            Render();
        }

        while (true)
        {
            while (!Console.KeyAvailable)
            {
                await Task.Delay(15, cancellationToken).ConfigureAwait(false);
            }

            var key = ReadKey();
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
        var asked = new Question(question, _lines, _row, _cursor);
        lock (_sync)
        {
            _question?.Answer.TrySetResult(null);
            _question = asked;
            _lines = [new()];
            _row = 0;
            _cursor = 0;
            Render();
        }

        cancellationToken.Register(() => Answer(null));
        return asked.Answer.Task;
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

    private static ConsoleKeyInfo ReadKey()
    {
        var key = Console.ReadKey(intercept: true);
        if (key.Key != ConsoleKey.Escape || !Console.KeyAvailable)
        {
            return key;
        }

        // An escape sequence .NET did not decode (Shift+Enter in an extended keyboard mode), or Alt+key.
        var next = Console.ReadKey(intercept: true);
        if (next.KeyChar != '[')
        {
            return new ConsoleKeyInfo(next.KeyChar, next.Key, (next.Modifiers & ConsoleModifiers.Shift) != 0, alt: true, (next.Modifiers & ConsoleModifiers.Control) != 0);
        }

        var sequence = new StringBuilder("[");
        while (Console.KeyAvailable)
        {
            var part = Console.ReadKey(intercept: true).KeyChar;
            sequence.Append(part);
            if (part is >= '@' and <= '~')
            {
                break;
            }
        }

        return TerminalKeys.Decode(sequence.ToString()) ?? default;
    }

    /// <summary>Applies one key; the input when it ends the reading.</summary>
    private ChatInput? Handle(ConsoleKeyInfo key, bool busy)
    {
        lock (_sync)
        {
            var control = (key.Modifiers & ConsoleModifiers.Control) != 0;
            var line = _lines[_row];
            var empty = _lines.Count == 1 && line.Length == 0;
            switch (key.Key)
            {
                case ConsoleKey.C when control:
                    if (_question is not null)
                    {
                        Answer(null);
                        return new ChatInput(ChatInputKind.Interrupted);
                    }

                    if (busy)
                    {
                        return new ChatInput(ChatInputKind.Interrupted); // cancels the turn; what is typed stays
                    }

                    Commit(busy: false);
                    Clear();
                    return new ChatInput(ChatInputKind.Interrupted);
                case ConsoleKey.D when control:
                    if (empty && _question is null)
                    {
                        Commit(busy);
                        return new ChatInput(ChatInputKind.Exit);
                    }

                    Delete();
                    break;
                case ConsoleKey.Tab when (key.Modifiers & ConsoleModifiers.Shift) != 0:
                    if (empty && _question is null)
                    {
                        return new ChatInput(ChatInputKind.CycleMode);
                    }

                    break;
                case ConsoleKey.Enter:
                    var pasting = Console.KeyAvailable; // more keys already waiting: a paste, whose line breaks stay in the prompt
                    var last = _row == _lines.Count - 1;
                    var continued = !pasting && last && _cursor == line.Length && line.Length > 0 && line[^1] == '\\';
                    var newLine = (key.Modifiers & (ConsoleModifiers.Alt | ConsoleModifiers.Shift)) != 0;
                    if (_question is null && (pasting || continued || newLine))
                    {
                        if (continued)
                        {
                            line.Length--;
                            _cursor--;
                        }

                        SplitLine();
                        break;
                    }

                    if (_question is not null)
                    {
                        var answer = line.ToString();
                        _live!.CommitEditor(_question.Prompt + answer + "\n");
                        Answer(answer);
                        break;
                    }

                    var text = string.Join('\n', _lines.Select(l => l.ToString()));
                    Commit(busy);
                    Clear();
                    if (text.Trim().Length > 0)
                    {
                        Remember(text);
                    }

                    return new ChatInput(ChatInputKind.Text, text);
                case ConsoleKey.Backspace when _cursor > 0:
                    line.Remove(--_cursor, 1);
                    break;
                case ConsoleKey.Backspace when _row > 0:
                    _cursor = _lines[_row - 1].Length;
                    _lines[_row - 1].Append(line);
                    _lines.RemoveAt(_row--);
                    break;
                case ConsoleKey.Delete:
                    Delete();
                    break;
                case ConsoleKey.LeftArrow when _cursor > 0:
                    _cursor--;
                    break;
                case ConsoleKey.LeftArrow when _row > 0:
                    _cursor = _lines[--_row].Length;
                    break;
                case ConsoleKey.RightArrow when _cursor < line.Length:
                    _cursor++;
                    break;
                case ConsoleKey.RightArrow when _row < _lines.Count - 1:
                    _row++;
                    _cursor = 0;
                    break;
                case ConsoleKey.Home:
                case ConsoleKey.A when control:
                    _cursor = 0;
                    break;
                case ConsoleKey.End:
                case ConsoleKey.E when control:
                    _cursor = line.Length;
                    break;
                case ConsoleKey.U when control:
                    line.Remove(0, _cursor);
                    _cursor = 0;
                    break;
                case ConsoleKey.K when control:
                    line.Length = _cursor;
                    break;
                case ConsoleKey.W when control:
                    var start = _cursor;
                    while (start > 0 && line[start - 1] == ' ')
                    {
                        start--;
                    }

                    while (start > 0 && line[start - 1] != ' ')
                    {
                        start--;
                    }

                    line.Remove(start, _cursor - start);
                    _cursor = start;
                    break;
                case ConsoleKey.UpArrow when _row > 0:
                    _row--;
                    _cursor = Math.Min(_cursor, _lines[_row].Length);
                    break;
                case ConsoleKey.DownArrow when _row < _lines.Count - 1:
                    _row++;
                    _cursor = Math.Min(_cursor, _lines[_row].Length);
                    break;
                case ConsoleKey.UpArrow when _browsing > 0 && _question is null:
                    Recall(--_browsing);
                    break;
                case ConsoleKey.DownArrow when _browsing < _history.Count && _question is null:
                    Recall(++_browsing);
                    break;
                default:
                    if (key.KeyChar >= ' ' && !control)
                    {
                        line.Insert(_cursor++, key.KeyChar);
                    }

                    break;
            }

            return null;
        }
    }

    /// <summary>Completes the <c>/command</c> or <c>@path</c> before the cursor (Tab).</summary>
    private async Task CompleteAsync(CancellationToken cancellationToken)
    {
        string word;
        int start;
        lock (_sync)
        {
            var line = _lines[_row].ToString();
            start = _cursor;
            while (start > 0 && !char.IsWhiteSpace(line[start - 1]))
            {
                start--;
            }

            word = line[start.._cursor];
            var command = _row == 0 && start == 0 && word.StartsWith('/') && _question is null;
            if (command)
            {
                Apply(start, word, _commands.Where(c => ("/" + c).StartsWith(word, StringComparison.Ordinal)).Select(c => "/" + c).ToList(), capped: false);
                return;
            }
        }

        if (!word.StartsWith('@') || _files is null)
        {
            return;
        }

        var paths = await _files.CompleteAsync(word[1..], cancellationToken).ConfigureAwait(false);
        lock (_sync)
        {
            if (_lines[_row].Length >= start + word.Length && _lines[_row].ToString(start, word.Length) == word)
            {
                Apply(start, word, [.. paths.Select(p => "@" + p)], capped: paths.Count >= FileMentions.MaxCandidates);
            }
        }
    }

    /// <summary>Replaces <paramref name="word"/> at <paramref name="start"/> by the matches' common start, or lists them when that adds nothing.</summary>
    private void Apply(int start, string word, List<string> matches, bool capped)
    {
        if (matches.Count == 0)
        {
            return;
        }

        var common = matches.Aggregate((a, b) => a[..Enumerable.Range(0, Math.Min(a.Length, b.Length)).TakeWhile(i => a[i] == b[i]).Count()]);
        var completed = matches.Count == 1 && !matches[0].EndsWith('/') ? matches[0] + " " : common;
        if (completed.Length <= word.Length && matches.Count > 1)
        {
            _live!.Write(Console.Out, string.Join("  ", matches) + (capped ? "  …" : string.Empty) + "\n");
            return;
        }

        if (completed.Length < word.Length)
        {
            return; // a case-insensitive match shorter than what is typed: leave it
        }

        _lines[_row].Remove(start, word.Length).Insert(start, completed);
        _cursor = start + completed.Length;
    }

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

    private void Delete()
    {
        var line = _lines[_row];
        if (_cursor < line.Length)
        {
            line.Remove(_cursor, 1);
        }
        else if (_row < _lines.Count - 1)
        {
            line.Append(_lines[_row + 1]);
            _lines.RemoveAt(_row + 1);
        }
    }

    private void SplitLine()
    {
        var line = _lines[_row];
        var rest = line.ToString(_cursor, line.Length - _cursor);
        line.Length = _cursor;
        _lines.Insert(++_row, new StringBuilder(rest));
        _cursor = 0;
    }

    private void Clear()
    {
        _lines = [new()];
        _row = 0;
        _cursor = 0;
        _browsing = _history.Count;
    }

    private void Recall(int index)
    {
        var entry = index < _history.Count ? _history[index].Split('\n') : [string.Empty];
        _lines = [.. entry.Select(e => new StringBuilder(e))];
        _row = _lines.Count - 1;
        _cursor = _lines[_row].Length;
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
        var first = Math.Clamp(_row - (MaxDrawnLines / 2), 0, Math.Max(0, _lines.Count - MaxDrawnLines));
        var count = Math.Min(MaxDrawnLines, _lines.Count - first);
        var drawn = new List<string>(count);
        var column = 0;
        for (var i = first; i < first + count; i++)
        {
            var lead = Lead(i);
            var room = Math.Max(8, width - lead.Length);
            var line = _lines[i];
            if (i == _row)
            {
                // The cursor's line scrolls sideways to keep the cursor in view.
                var from = _cursor < room ? 0 : _cursor - room + 1;
                drawn.Add(lead + line.ToString(from, Math.Min(room, line.Length - from)));
                column = lead.Length + _cursor - from;
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
            _plain.Write(lines.Count == 0 ? prompt : "… ");
            _plain.Flush();
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

    private void Remember(string text)
    {
        _history.Remove(text);
        _history.Add(text);
        if (_history.Count > HistoryLimit)
        {
            _history.RemoveRange(0, _history.Count - HistoryLimit);
        }

        _browsing = _history.Count;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_historyFile)!);
            var temporary = _historyFile + ".tmp";
            File.WriteAllLines(temporary, _history.Select(entry => JsonSerializer.Serialize(entry)));
            File.Move(temporary, _historyFile, overwrite: true);
        }
        catch (IOException)
        {
            // History is a convenience: a read-only or full disk does not stop the chat.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static List<string> LoadHistory(string file)
    {
        var entries = new List<string>();
        try
        {
            if (!File.Exists(file))
            {
                return entries;
            }

            foreach (var line in File.ReadLines(file))
            {
                try
                {
                    if (JsonSerializer.Deserialize<string>(line) is { Length: > 0 } entry)
                    {
                        entries.Add(entry);
                    }
                }
                catch (JsonException)
                {
                    // a damaged line is skipped
                }
            }
        }
        catch (IOException)
        {
        }

        return entries;
    }

    /// <summary>A question asked in the editor, with the prompt it put aside.</summary>
    private sealed class Question(string prompt, List<StringBuilder> lines, int row, int cursor)
    {
        public string Prompt { get; } = prompt;

        public List<StringBuilder> Lines { get; } = lines;

        public int Row { get; } = row;

        public int Cursor { get; } = cursor;

        public TaskCompletionSource<string?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
