using System.Text;

namespace AgentHost.Cli.Chat;

/// <summary>The keys: reading them (with the extended-key sequences) and what each does to the buffer.</summary>
internal sealed partial class ChatEditor
{
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
        if ((key.Modifiers & ConsoleModifiers.Control) != 0 && key.Key is ConsoleKey.P or ConsoleKey.N)
        {
            // Emacs and readline muscle memory: Ctrl+P and Ctrl+N are Up and Down (the line above or below, then history).
            key = new ConsoleKeyInfo('\0', key.Key == ConsoleKey.P ? ConsoleKey.UpArrow : ConsoleKey.DownArrow, shift: false, alt: false, control: false);
        }

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
                        _live!.CommitEditor(_question.Prompt + (_question.Secret ? new string('•', answer.Length) : answer) + "\n");
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
}
