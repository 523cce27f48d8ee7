using System.Text;
using System.Text.Json;

namespace AgentHost.Cli.Chat;

/// <summary>The prompt history across chats (chat-history.jsonl).</summary>
internal sealed partial class ChatEditor
{
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
}
