using System.Globalization;
using System.Text;

namespace AgentHost.Plugins.Shell;

/// <summary>
/// Keeps the first and the last <c>capacity</c> characters of a stream of text, however long it gets, so any
/// head-and-tail view up to <c>capacity</c> characters can be rendered. Thread-safe.
/// </summary>
internal sealed class OutputBuffer(int capacity)
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _head = new();
    private readonly char[] _tail = new char[capacity];
    private long _total;

    /// <summary>How many characters were appended.</summary>
    public long Length
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    public void Append(ReadOnlySpan<char> text)
    {
        lock (_lock)
        {
            if (_head.Length < capacity)
            {
                _head.Append(text[..Math.Min(text.Length, capacity - _head.Length)]);
            }

            // The ring holds the last `capacity` characters; position = total mod capacity.
            var source = text.Length > capacity ? text[^capacity..] : text;
            var start = (int)((_total + text.Length - source.Length) % capacity);
            var first = Math.Min(source.Length, capacity - start);
            source[..first].CopyTo(_tail.AsSpan(start));
            source[first..].CopyTo(_tail);
            _total += text.Length;
        }
    }

    /// <summary>The text when it fits in <paramref name="budget"/>, else its head and tail with an omission marker.</summary>
    /// <param name="budget">The most characters to show (at most the capacity).</param>
    /// <returns>The text.</returns>
    public string Render(int budget)
    {
        budget = Math.Clamp(budget, 2, capacity);
        lock (_lock)
        {
            if (_total <= budget)
            {
                return _head.ToString(0, (int)_total);
            }

            var headLength = budget / 2;
            var tailLength = budget - headLength;
            var tail = new char[tailLength];
            var start = (int)((_total - tailLength) % capacity);
            var first = Math.Min(tailLength, capacity - start);
            _tail.AsSpan(start, first).CopyTo(tail);
            _tail.AsSpan(0, tailLength - first).CopyTo(tail.AsSpan(first));
            return string.Concat(
                _head.ToString(0, headLength),
                string.Create(CultureInfo.InvariantCulture, $"\n[… {_total - budget} characters omitted …]\n"),
                new string(tail));
        }
    }

    /// <summary><paramref name="text"/> when it fits in <paramref name="budget"/>, else its head and tail with an omission marker.</summary>
    /// <param name="text">The text.</param>
    /// <param name="budget">The most characters to keep.</param>
    /// <returns>The text.</returns>
    public static string HeadAndTail(string text, int budget)
    {
        if (text.Length <= budget)
        {
            return text;
        }

        var head = budget / 2;
        return string.Concat(
            text.AsSpan(0, head),
            string.Create(CultureInfo.InvariantCulture, $"\n[… {text.Length - budget} characters omitted …]\n"),
            text.AsSpan(text.Length - (budget - head)));
    }
}
