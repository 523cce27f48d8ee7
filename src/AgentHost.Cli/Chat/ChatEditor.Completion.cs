
namespace AgentHost.Cli.Chat;

/// <summary>Tab: completing a /command or an @path.</summary>
internal sealed partial class ChatEditor
{
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
            _live!.Write(_terminal, string.Join("  ", matches) + (capped ? "  …" : string.Empty) + "\n");
            return;
        }

        if (completed.Length < word.Length)
        {
            return; // a case-insensitive match shorter than what is typed: leave it
        }

        _lines[_row].Remove(start, word.Length).Insert(start, completed);
        _cursor = start + completed.Length;
    }
}
