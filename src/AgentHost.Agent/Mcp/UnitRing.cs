namespace AgentHost.Agent.Mcp;

/// <summary>
/// The last units (characters or escapes) of a string, at most a given number of bytes: a ring of bytes with the
/// length of each unit, so the front is always dropped whole.
/// </summary>
internal sealed class UnitRing
{
    private byte[] _bytes = [];
    private byte[] _lengths = [];
    private int _byteStart;
    private int _unitStart;
    private int _units;

    /// <summary>The bytes held.</summary>
    public int Bytes { get; private set; }

    public bool IsEmpty => _units == 0;

    public void Clear()
    {
        _byteStart = _unitStart = _units = 0;
        Bytes = 0;
    }

    /// <summary>Adds a unit at the back, then drops units from the front until at most <paramref name="maxBytes"/> remain.</summary>
    public void Push(ReadOnlySpan<byte> unit, int maxBytes)
    {
        Reserve(Bytes + unit.Length, _units + 1, maxBytes + 16);
        for (var i = 0; i < unit.Length; i++)
        {
            _bytes[(_byteStart + Bytes + i) % _bytes.Length] = unit[i];
        }

        _lengths[(_unitStart + _units) % _lengths.Length] = (byte)unit.Length;
        _units++;
        Bytes += unit.Length;
        DropFront(maxBytes);
    }

    private void DropFront(int maxBytes)
    {
        while (Bytes > maxBytes && _units > 0)
        {
            // Single-byte units (ASCII) at the front go in bulk.
            var span = _lengths.AsSpan(_unitStart, Math.Min(Math.Min(Bytes - maxBytes, _units), _lengths.Length - _unitStart));
            var ones = span.IndexOfAnyExcept((byte)1);
            var count = ones < 0 ? span.Length : Math.Max(ones, 0);
            if (count == 0)
            {
                count = 1;
                var length = _lengths[_unitStart];
                _byteStart = (_byteStart + length) % _bytes.Length;
                Bytes -= length;
            }
            else
            {
                _byteStart = (_byteStart + count) % _bytes.Length;
                Bytes -= count;
            }

            _unitStart = (_unitStart + count) % _lengths.Length;
            _units -= count;
        }
    }

    /// <summary>Adds single-byte units at the back (a run of ASCII), then drops units from the front until at most <paramref name="maxBytes"/> remain.</summary>
    public void PushSingles(ReadOnlySpan<byte> run, int maxBytes)
    {
        if (run.Length >= maxBytes)
        {
            // Everything held now, and the start of the run, would be dropped.
            Clear();
            run = run[^maxBytes..];
        }

        Reserve(Bytes + run.Length, _units + run.Length, maxBytes + 16);
        for (var copied = 0; copied < run.Length;)
        {
            var at = (_byteStart + Bytes + copied) % _bytes.Length;
            var count = Math.Min(run.Length - copied, _bytes.Length - at);
            run.Slice(copied, count).CopyTo(_bytes.AsSpan(at));
            copied += count;
        }

        for (var filled = 0; filled < run.Length;)
        {
            var at = (_unitStart + _units + filled) % _lengths.Length;
            var count = Math.Min(run.Length - filled, _lengths.Length - at);
            _lengths.AsSpan(at, count).Fill(1);
            filled += count;
        }

        _units += run.Length;
        Bytes += run.Length;
        DropFront(maxBytes);
    }

    /// <summary>Passes the bytes held, front to back, to <paramref name="emit"/> (in one or two parts), and empties the ring.</summary>
    public void Drain(Action<ReadOnlySpan<byte>> emit)
    {
        var first = Math.Min(Bytes, _bytes.Length - _byteStart);
        if (first > 0)
        {
            emit(_bytes.AsSpan(_byteStart, first));
        }

        if (Bytes > first)
        {
            emit(_bytes.AsSpan(0, Bytes - first));
        }

        Clear();
    }

    /// <summary>Gives back a large ring once it is empty.</summary>
    public void TrimCapacity(int keep)
    {
        if (_units == 0 && _bytes.Length > keep)
        {
            _bytes = [];
            _lengths = [];
            Clear();
        }
    }

    private void Reserve(int bytes, int units, int limit)
    {
        if (bytes <= _bytes.Length && units <= _lengths.Length)
        {
            return;
        }

        var grownBytes = new byte[Math.Max(bytes, Math.Max(Math.Min(_bytes.Length * 2, limit), 64))];
        for (var i = 0; i < Bytes; i++)
        {
            grownBytes[i] = _bytes[(_byteStart + i) % _bytes.Length];
        }

        var grownLengths = new byte[Math.Max(units, Math.Max(Math.Min(_lengths.Length * 2, limit), 64))];
        for (var i = 0; i < _units; i++)
        {
            grownLengths[i] = _lengths[(_unitStart + i) % _lengths.Length];
        }

        _bytes = grownBytes;
        _lengths = grownLengths;
        _byteStart = 0;
        _unitStart = 0;
    }
}
