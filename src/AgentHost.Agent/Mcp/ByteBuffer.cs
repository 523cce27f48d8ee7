namespace AgentHost.Agent.Mcp;

/// <summary>A growable byte buffer read from the front (<see cref="Take"/>).</summary>
internal sealed class ByteBuffer
{
    private byte[] _bytes = new byte[256];
    private int _start;
    private int _end;

    /// <summary>The bytes held.</summary>
    public int Length => _end - _start;

    /// <summary>The bytes held, in order.</summary>
    public ReadOnlySpan<byte> Span => _bytes.AsSpan(_start, _end - _start);

    public void Append(byte b)
    {
        Reserve(1);
        _bytes[_end++] = b;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(_end));
        _end += bytes.Length;
    }

    /// <summary>Moves up to <paramref name="destination"/>'s length of bytes from the front into it.</summary>
    public int Take(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, Length);
        _bytes.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        return count;
    }

    public void Clear() => _start = _end = 0;

    /// <summary>Gives back a large array once it is empty, so one long message does not keep its memory.</summary>
    public void TrimCapacity(int keep)
    {
        if (Length == 0 && _bytes.Length > keep)
        {
            _bytes = new byte[256];
            _start = _end = 0;
        }
    }

    private void Reserve(int count)
    {
        if (_end + count <= _bytes.Length)
        {
            return;
        }

        var length = _end - _start;
        if (_start > 0 && length + count <= _bytes.Length)
        {
            _bytes.AsSpan(_start, length).CopyTo(_bytes);
        }
        else
        {
            var grown = new byte[Math.Max(_bytes.Length * 2, length + count)];
            _bytes.AsSpan(_start, length).CopyTo(grown);
            _bytes = grown;
        }

        _start = 0;
        _end = length;
    }
}
