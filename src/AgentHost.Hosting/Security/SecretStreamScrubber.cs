namespace AgentHost.Hosting.Security;

/// <summary>
/// Scrubs a stream of text deltas (a model's streamed answer) so that a secret split across deltas is still masked:
/// each <see cref="Push"/> returns the scrubbed text that can no longer be part of an unfinished secret and holds the
/// rest back until more arrives or <see cref="Flush"/>.
/// </summary>
/// <remarks>
/// What is held back: the last word (a token may still grow); a block rule's match (a private key, see
/// <see cref="SecretRule.BlockEnd"/>) from its keyword until its end line has ended; and, on the current line, the text
/// from a keyword of a rule whose match may hold white space (<c>password</c>, <c>secret</c>, <c>token</c>,
/// <c>Authorization</c>, <c>aws</c>, …) until the line ends or 256 more characters arrive, so that
/// <c>aws_secret_access_key = </c> and its value in the next delta are scrubbed together. Nothing is held beyond
/// 64 KiB. Not thread-safe: one instance per stream.
/// </remarks>
public sealed class SecretStreamScrubber(SecretScrubber scrubber)
{
    /// <summary>How far past a key word, on one line, a value may still follow.</summary>
    internal const int KeyWordWindow = 256;

    /// <summary>The most text held back.</summary>
    internal const int MaxHeld = 64 * 1024;

    private string _held = string.Empty;

    /// <summary>Adds a delta; returns the scrubbed text that is safe to emit now (possibly empty).</summary>
    /// <param name="delta">The next piece of the stream.</param>
    /// <returns>Scrubbed text to emit.</returns>
    public string Push(string delta)
    {
        var text = _held.Length == 0 ? delta : _held + delta;
        var safe = text.Length > MaxHeld ? text.Length : SafeLength(scrubber.Rules, text);
        _held = text[safe..];
        return safe == 0 ? string.Empty : scrubber.Scrub(text[..safe]);
    }

    /// <summary>Ends the stream: returns the scrubbed rest.</summary>
    /// <returns>Scrubbed text to emit (possibly empty).</returns>
    public string Flush()
    {
        var rest = _held;
        _held = string.Empty;
        return scrubber.Scrub(rest);
    }

    /// <summary>The length of the prefix of <paramref name="text"/> that no unfinished secret can reach into.</summary>
    internal static int SafeLength(SecretRuleSet rules, string text)
    {
        var span = text.AsSpan();
        var safe = WordStart(span, span.Length);

        foreach (var block in rules.BlockRules)
        {
            foreach (var keyword in block.Keywords)
            {
                var begin = span.LastIndexOf(keyword, StringComparison.OrdinalIgnoreCase);
                if (begin >= 0 && !BlockEnded(span[begin..], block.BlockEnd!))
                {
                    safe = Math.Min(safe, begin);
                }
            }
        }

        var lineStart = span.LastIndexOfAny('\n', '\r') + 1;
        var windowStart = Math.Max(lineStart, span.Length - KeyWordWindow);
        var word = rules.IndexOfHoldKeyword(span[windowStart..]);
        if (word >= 0)
        {
            safe = Math.Min(safe, WordStart(span, windowStart + word));
        }

        return safe;
    }

    /// <summary>The start of the word that contains (or ends just before) <paramref name="index"/>.</summary>
    private static int WordStart(ReadOnlySpan<char> text, int index)
    {
        var i = index;
        while (i > 0 && !char.IsWhiteSpace(text[i - 1]))
        {
            i--;
        }

        return i;
    }

    /// <summary>Whether a block (starting at its keyword) has its end literal, and the line of that end has ended.</summary>
    private static bool BlockEnded(ReadOnlySpan<char> block, string end)
    {
        var at = block.IndexOf(end, StringComparison.OrdinalIgnoreCase);
        return at >= 0 && block[(at + end.Length)..].IndexOfAny('\n', '\r') >= 0;
    }
}
