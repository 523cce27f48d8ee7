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
/// The chat's line editor: history kept across sessions in the data folder, multi-line input (a trailing <c>\</c> or
/// Alt+Enter starts a new line; pasted lines stay one prompt), <c>/</c> command completion with Tab, Ctrl+D to exit,
/// Shift+Tab to cycle the permission mode, Ctrl+C to clear the prompt (twice exits). The line being edited scrolls
/// sideways rather than wrap, so it redraws in place at any width.
/// </summary>
/// <remarks>
/// Our own, on <see cref="System.Console"/>'s key reading: RadLine 0.6.0 (Spectre's line editor) is built against
/// Spectre.Console 0.43 and does not compile against the 0.57.2 the CLI uses (CS0012: its IAnsiConsole is another
/// assembly identity), see docs/chat.md.
/// </remarks>
internal sealed class ChatEditor
{
    /// <summary>How many entries the history file keeps.</summary>
    public const int HistoryLimit = 500;

    private readonly string _historyFile;
    private readonly List<string> _history;
    private readonly IReadOnlyList<string> _commands;
    private readonly TextWriter _out;

    public ChatEditor(AgentPaths paths, IReadOnlyList<string> commands, TextWriter output)
    {
        _historyFile = Path.Combine(paths.DataDirectory, "chat-history.jsonl");
        _history = LoadHistory(_historyFile);
        _commands = commands;
        _out = output;
    }

    /// <summary>Reads the next prompt; <paramref name="mode"/> is shown before it unless it is <c>ask</c>.</summary>
    public async Task<ChatInput> ReadAsync(string mode, CancellationToken cancellationToken)
    {
        var prompt = mode == "ask" ? "> " : $"{mode} > ";
        var more = new string(' ', Math.Max(0, prompt.Length - 2)) + "… ";
        var done = new List<string>();
        var line = new StringBuilder();
        var cursor = 0;
        var browsing = _history.Count;
        var treatAsInput = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true; // Ctrl+C arrives as a key while the prompt reads
        try
        {
            Render();
            while (true)
            {
                while (!Console.KeyAvailable)
                {
                    await Task.Delay(15, cancellationToken).ConfigureAwait(false);
                }

                var key = Console.ReadKey(intercept: true);
                var control = (key.Modifiers & ConsoleModifiers.Control) != 0;
                switch (key.Key)
                {
                    case ConsoleKey.C when control:
                        Finish();
                        return new ChatInput(ChatInputKind.Interrupted);
                    case ConsoleKey.D when control:
                        if (line.Length == 0 && done.Count == 0)
                        {
                            Finish();
                            return new ChatInput(ChatInputKind.Exit);
                        }

                        if (cursor < line.Length)
                        {
                            line.Remove(cursor, 1);
                        }

                        break;
                    case ConsoleKey.Tab when (key.Modifiers & ConsoleModifiers.Shift) != 0:
                        if (line.Length == 0 && done.Count == 0)
                        {
                            Finish();
                            return new ChatInput(ChatInputKind.CycleMode);
                        }

                        break;
                    case ConsoleKey.Tab:
                        Complete();
                        break;
                    case ConsoleKey.Enter:
                        var pasting = Console.KeyAvailable; // more keys already waiting: a paste, whose line breaks stay in the prompt
                        var continued = !pasting && cursor == line.Length && line.Length > 0 && line[^1] == '\\';
                        if (pasting || continued || (key.Modifiers & ConsoleModifiers.Alt) != 0)
                        {
                            if (continued)
                            {
                                line.Length--;
                            }

                            NewLine();
                            break;
                        }

                        Finish();
                        var text = string.Join('\n', done.Append(line.ToString()));
                        if (text.Trim().Length > 0)
                        {
                            Remember(text);
                        }

                        return new ChatInput(ChatInputKind.Text, text);
                    case ConsoleKey.Backspace when cursor > 0:
                        line.Remove(--cursor, 1);
                        break;
                    case ConsoleKey.Backspace when done.Count > 0:
                        JoinPrevious();
                        break;
                    case ConsoleKey.Delete when cursor < line.Length:
                        line.Remove(cursor, 1);
                        break;
                    case ConsoleKey.LeftArrow when cursor > 0:
                        cursor--;
                        break;
                    case ConsoleKey.RightArrow when cursor < line.Length:
                        cursor++;
                        break;
                    case ConsoleKey.Home:
                    case ConsoleKey.A when control:
                        cursor = 0;
                        break;
                    case ConsoleKey.End:
                    case ConsoleKey.E when control:
                        cursor = line.Length;
                        break;
                    case ConsoleKey.U when control:
                        line.Remove(0, cursor);
                        cursor = 0;
                        break;
                    case ConsoleKey.K when control:
                        line.Length = cursor;
                        break;
                    case ConsoleKey.W when control:
                        var start = cursor;
                        while (start > 0 && line[start - 1] == ' ')
                        {
                            start--;
                        }

                        while (start > 0 && line[start - 1] != ' ')
                        {
                            start--;
                        }

                        line.Remove(start, cursor - start);
                        cursor = start;
                        break;
                    case ConsoleKey.UpArrow when browsing > 0:
                        Recall(--browsing);
                        break;
                    case ConsoleKey.DownArrow when browsing < _history.Count:
                        browsing++;
                        Recall(browsing);
                        break;
                    default:
                        if (key.KeyChar >= ' ' && !control)
                        {
                            line.Insert(cursor++, key.KeyChar);
                        }

                        break;
                }

                if (!Console.KeyAvailable)
                {
                    Render(); // a paste arrives as many keys: drawn once they are all in
                }
            }
        }
        finally
        {
            Console.TreatControlCAsInput = treatAsInput;
        }

        string CurrentPrompt() => done.Count == 0 ? prompt : more;

        void Render()
        {
            var width = Math.Max(20, SafeWidth() - 1);
            var lead = CurrentPrompt();
            var room = Math.Max(8, width - lead.Length);
            var first = cursor < room ? 0 : cursor - room + 1;
            var visible = line.ToString(first, Math.Min(room, line.Length - first));
            var back = first + visible.Length - cursor;
            _out.Write("\r" + lead + visible + "\u001b[K" + (back > 0 ? $"\u001b[{back}D" : string.Empty));
            _out.Flush();
        }

        void NewLine()
        {
            cursor = line.Length;
            Render();
            _out.Write("\r\n");
            done.Add(line.ToString());
            line.Clear();
            cursor = 0;
        }

        void JoinPrevious()
        {
            var previous = done[^1];
            done.RemoveAt(done.Count - 1);
            _out.Write("\r\u001b[K\u001b[1A");
            line.Insert(0, previous);
            cursor = previous.Length;
        }

        void Recall(int index)
        {
            // Erase the lines already finished, then show the entry: all its lines but the last as finished ones.
            _out.Write("\r\u001b[K");
            for (var i = 0; i < done.Count; i++)
            {
                _out.Write("\u001b[1A\u001b[K");
            }

            done.Clear();
            var entry = index < _history.Count ? _history[index].Split('\n') : [string.Empty];
            foreach (var part in entry[..^1])
            {
                line.Clear().Append(part);
                NewLine();
            }

            line.Clear().Append(entry[^1]);
            cursor = line.Length;
        }

        void Complete()
        {
            var text = line.ToString();
            if (done.Count > 0 || !text.StartsWith('/') || text.Contains(' ', StringComparison.Ordinal))
            {
                return;
            }

            var matches = _commands.Where(c => ("/" + c).StartsWith(text, StringComparison.Ordinal)).ToList();
            if (matches.Count == 0)
            {
                return;
            }

            var common = matches.Aggregate((a, b) => a[..Enumerable.Range(0, Math.Min(a.Length, b.Length)).TakeWhile(i => a[i] == b[i]).Count()]);
            var completed = "/" + (matches.Count == 1 ? matches[0] + " " : common);
            if (completed.Length == text.Length && matches.Count > 1)
            {
                cursor = line.Length;
                Render();
                _out.Write("\r\n" + string.Join("  ", matches.Select(m => "/" + m)) + "\r\n");
            }

            line.Clear().Append(completed);
            cursor = line.Length;
        }

        void Finish()
        {
            cursor = line.Length;
            Render();
            _out.Write("\r\n");
            _out.Flush();
        }
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
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
}
