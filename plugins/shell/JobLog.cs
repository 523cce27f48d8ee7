using System.Text;

namespace AgentHost.Plugins.Shell;

/// <summary>
/// A background job's combined stdout and stderr, addressed by character position since the job started; only the
/// last <c>capacity</c> characters are kept. Thread-safe.
/// </summary>
internal sealed class JobLog(int capacity)
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private long _start;

    public void Append(ReadOnlySpan<char> text)
    {
        lock (_lock)
        {
            _text.Append(text);
            if (_text.Length > capacity)
            {
                var drop = _text.Length - capacity;
                _text.Remove(0, drop);
                _start += drop;
            }
        }
    }

    /// <summary>The output from position <paramref name="from"/> to the end.</summary>
    /// <param name="from">A position (0 = the job's first character).</param>
    /// <returns>The text, the end position, and how many characters after <paramref name="from"/> are no longer kept.</returns>
    public (string Text, long End, long Dropped) Read(long from)
    {
        lock (_lock)
        {
            var end = _start + _text.Length;
            var first = Math.Clamp(from, _start, end);
            var dropped = Math.Max(0, _start - from);
            return (_text.ToString((int)(first - _start), (int)(end - first)), end, dropped);
        }
    }
}
