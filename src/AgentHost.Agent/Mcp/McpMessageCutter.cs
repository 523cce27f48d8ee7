using System.Buffers;
using System.Globalization;
using System.Text;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// Caps what an MCP server sends while it is read, so that no answer makes the process hold more than a few megabytes
/// of it: the MCP client (the SDK) reads each message as one string and parses it whole, so a 50 MB tool result used to
/// cost about 850 MB. The server's bytes pass through this cutter on their way to the client, one line (one JSON-RPC
/// message; an SSE <c>data:</c> line) at a time, and are rewritten as they stream:
/// <list type="bullet">
/// <item>every JSON string longer than its cap keeps its head and its tail with a marker between them
/// (<c>[… N bytes cut by agent …]</c>), cut between characters and escapes, so the message stays valid JSON with the same
/// shape; the cap is <see cref="McpMessageLimits.MaxStringBytes"/>, and <see cref="McpMessageLimits.MaxBinaryBytes"/>
/// for the base64 of images and blobs (<c>"data"</c>, <c>"blob"</c>), which must stay whole to be used;</item>
/// <item>a message still longer than <see cref="McpMessageLimits.MaxMessageBytes"/> after that (a huge number of parts)
/// is not passed on: an answer becomes an error answer to the same request, saying why; anything else is dropped and
/// reported.</item>
/// </list>
/// A message within its limits passes byte for byte. Memory is bounded by the message limit, whatever the server sends.
/// </summary>
/// <remarks>Not thread-safe: one reader. Bytes in, completed lines out (<see cref="Output"/>).</remarks>
internal sealed class McpMessageCutter(McpMessageLimits limits, Action<string>? dropped = null)
{
    private const int MaxKeyBytes = 16;
    private const int MaxIdBytes = 128;

    /// <summary>The bytes a string's text is mostly made of: ASCII except the quote, the backslash and the newline.</summary>
    private static readonly SearchValues<byte> Plain = SearchValues.Create([.. Enumerable.Range(0, 0x80).Select(b => (byte)b).Where(b => b is not ((byte)'"' or (byte)'\\' or (byte)'\n'))]);

    /// <summary>The unit length a high surrogate escape waits at, for the low one (<c>\uXXXX</c> is 6 bytes; 7 is never reached).</summary>
    private const int HighSurrogateWaiting = 7;

    private readonly ByteBuffer _line = new();
    private readonly ByteBuffer _prefix = new();
    private readonly ByteBuffer _id = new();
    private readonly byte[] _key = new byte[MaxKeyBytes];
    private readonly byte[] _unit = new byte[12];
    private readonly UnitRing _tail = new();

    // Structure of the current line.
    private int _depth;
    private bool _inString;
    private bool _overflow;
    private bool _seenBrace;
    private long _lineBytes;
    private bool _isRequest;
    private bool _isResponse;
    private bool _capturingId;
    private bool _idUnusable;

    // Keys: the first bytes of the last string, and the key the next value belongs to.
    private int _keyLength;
    private bool _keyTooLong;
    private string? _lastString;
    private string? _pendingKey;
    private byte _lastSignificant;

    // The string being read.
    private int _cap;
    private int _headCap;
    private long _stringBytes;
    private int _headBytes;
    private int _unitLength;
    private int _unitNeed;

    /// <summary>Completed lines, ready to be read.</summary>
    public ByteBuffer Output { get; } = new();

    /// <summary>Reads bytes of the server's output.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        while (at < bytes.Length)
        {
            if (_inString && _unitLength == 0)
            {
                // The bulk of a long text: ASCII other than quote, backslash and newline, one unit per byte, taken at once.
                var rest = bytes[at..];
                var run = rest.IndexOfAnyExcept(Plain);
                run = run < 0 ? rest.Length : run;
                if (run > 0)
                {
                    TakePlain(rest[..run]);
                    at += run;
                    continue;
                }
            }

            Take(bytes[at++]);
        }
    }

    /// <summary>The server's output ended: a line without its newline (an HTTP body) is completed as it is.</summary>
    public void Complete()
    {
        if (_lineBytes > 0 || _line.Length > 0)
        {
            EndLine(newline: false);
        }
    }

    private void Take(byte b)
    {
        if (b == (byte)'\n')
        {
            // A raw newline ends a message (inside a JSON string it is invalid anyway).
            EndLine(newline: true);
            return;
        }

        _lineBytes++;
        if (_inString)
        {
            TakeInString(b);
            return;
        }

        if (_capturingId && _depth == 1 && b is (byte)',' or (byte)'}')
        {
            _capturingId = false;
        }

        switch (b)
        {
            case (byte)'"':
                StartString();
                return;
            case (byte)'{' or (byte)'[':
                if (!_seenBrace && b == (byte)'{')
                {
                    _seenBrace = true;
                }

                _depth++;
                break;
            case (byte)'}' or (byte)']':
                _depth--;
                break;
            case (byte)':':
                _pendingKey = _lastSignificant == (byte)'"' ? _lastString : null;
                if (_depth == 1)
                {
                    NoteTopLevelKey(_pendingKey);
                }

                break;
        }

        if (!IsWhitespace(b))
        {
            if (_capturingId && b != (byte)':')
            {
                CaptureId(b);
            }

            _lastSignificant = b;
        }

        if (!_seenBrace && _prefix.Length < 64)
        {
            _prefix.Append(b);
        }

        Emit(b);
    }

    /// <summary>Takes a run of single-byte units of a string (see <see cref="Plain"/>), as <see cref="FinishUnit"/> would one by one.</summary>
    private void TakePlain(ReadOnlySpan<byte> run)
    {
        _lineBytes += run.Length;
        _stringBytes += run.Length;
        var key = Math.Min(MaxKeyBytes - _keyLength, run.Length);
        run[..key].CopyTo(_key.AsSpan(_keyLength));
        _keyLength += key;
        _keyTooLong |= key < run.Length;
        if (_capturingId)
        {
            foreach (var b in run[..Math.Min(run.Length, MaxIdBytes + 1)])
            {
                CaptureId(b);
            }
        }

        var head = _tail.IsEmpty ? Math.Clamp(_headCap - _headBytes, 0, run.Length) : 0;
        if (head > 0)
        {
            Emit(run[..head]);
            _headBytes += head;
        }

        if (head < run.Length)
        {
            _tail.PushSingles(run[head..], _cap - _headBytes);
        }
    }

    private void NoteTopLevelKey(string? key)
    {
        switch (key)
        {
            case "id":
                _capturingId = true;
                _id.Clear();
                break;
            case "method":
                _isRequest = true;
                break;
            case "result" or "error":
                _isResponse = true;
                break;
        }
    }

    private void StartString()
    {
        var key = _lastSignificant == (byte)':' ? _pendingKey : null;
        _cap = key is "data" or "blob" ? limits.MaxBinaryBytes : limits.MaxStringBytes;
        _headCap = _cap / 2;
        _inString = true;
        _stringBytes = 0;
        _headBytes = 0;
        _unitLength = 0;
        _keyLength = 0;
        _keyTooLong = false;
        _tail.Clear();
        if (_capturingId)
        {
            CaptureId((byte)'"');
        }

        Emit((byte)'"');
    }

    private void TakeInString(byte b)
    {
        if (_unitLength == 0)
        {
            if (b == (byte)'"')
            {
                EndString();
                return;
            }

            _unit[0] = b;
            _unitLength = 1;
            _unitNeed = b == (byte)'\\' ? 2 : b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
        }
        else if (_unit[0] == (byte)'\\')
        {
            if (!TakeEscape(b))
            {
                return;
            }
        }
        else if ((b & 0xC0) == 0x80)
        {
            _unit[_unitLength++] = b;
        }
        else
        {
            // A UTF-8 sequence cut short: what was read is a unit of its own, and this byte starts the next.
            FinishUnit();
            TakeInString(b);
            return;
        }

        if (_unitLength >= _unitNeed)
        {
            FinishUnit();
        }
    }

    /// <summary>
    /// Adds a byte to an escape (<c>\n</c>, <c>\uXXXX</c>; a surrogate pair <c>\uD83D\uDE00</c> is kept as one unit, so a
    /// cut never leaves half of one); false when the byte was taken as the start of the next unit instead.
    /// </summary>
    private bool TakeEscape(byte b)
    {
        if (_unitLength == 1)
        {
            _unit[_unitLength++] = b;
            _unitNeed = b == (byte)'u' ? 6 : 2;
            return true;
        }

        if (_unitNeed == HighSurrogateWaiting)
        {
            if (b == (byte)'\\')
            {
                _unit[_unitLength++] = b;
                _unitNeed = 12;
                return true;
            }

            // A lone high surrogate: a unit of its own; this byte starts the next.
            FinishUnit();
            TakeInString(b);
            return false;
        }

        if (_unitNeed == 12 && _unitLength == 7 && b != (byte)'u')
        {
            // Not a pair after all: the high surrogate stands alone, and the backslash starts the next escape.
            _unitLength = 6;
            FinishUnit();
            _unit[0] = (byte)'\\';
            _unitLength = 1;
            return TakeEscape(b);
        }

        _unit[_unitLength++] = b;
        if (_unitLength == 6 && _unitNeed == 6 && IsHighSurrogate())
        {
            _unitNeed = HighSurrogateWaiting;
        }

        return true;
    }

    private bool IsHighSurrogate() =>
        _unit[1] == (byte)'u'
        && int.TryParse(Encoding.ASCII.GetString(_unit, 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
        && code is >= 0xD800 and <= 0xDBFF;

    private void FinishUnit()
    {
        var unit = _unit.AsSpan(0, _unitLength);
        _unitLength = 0;
        _stringBytes += unit.Length;
        foreach (var b in unit)
        {
            if (_keyLength < MaxKeyBytes)
            {
                _key[_keyLength++] = b;
            }
            else
            {
                _keyTooLong = true;
            }

            if (_capturingId)
            {
                CaptureId(b);
            }
        }

        if (_tail.IsEmpty && _headBytes + unit.Length <= _headCap)
        {
            _headBytes += unit.Length;
            foreach (var b in unit)
            {
                Emit(b);
            }

            return;
        }

        // The tail gets what the head left of the cap, so a string within its cap passes whole.
        _tail.Push(unit, _cap - _headBytes);
    }

    private void EndString()
    {
        if (_unitLength > 0)
        {
            FinishUnit();
        }

        var kept = _headBytes + _tail.Bytes;
        if (_stringBytes > kept)
        {
            foreach (var b in Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\\n[… {_stringBytes - kept} bytes cut by agent …]\\n")))
            {
                Emit(b);
            }
        }

        _tail.Drain(Emit);
        Emit((byte)'"');
        _inString = false;
        _lastSignificant = (byte)'"';
        _lastString = _keyTooLong ? null : Encoding.UTF8.GetString(_key, 0, _keyLength);
        if (_capturingId)
        {
            CaptureId((byte)'"');
            _capturingId = false;
        }
    }

    private void CaptureId(byte b)
    {
        if (_id.Length < MaxIdBytes)
        {
            _id.Append(b);
        }
        else
        {
            _idUnusable = true;
        }
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        if (_overflow)
        {
            return;
        }

        _line.Append(bytes);
        if (_line.Length > limits.MaxMessageBytes)
        {
            _overflow = true;
            _line.Clear();
        }
    }

    private void Emit(byte b) => Emit(new ReadOnlySpan<byte>(in b));

    private void EndLine(bool newline)
    {
        if (_inString)
        {
            EndString(); // malformed (a raw newline in a string): closed, so what follows is read as a new message
        }

        if (!_overflow)
        {
            Output.Append(_line.Span);
            if (newline)
            {
                Output.Append((byte)'\n');
            }
        }
        else if (_isResponse && !_isRequest && _id.Length > 0 && !_idUnusable)
        {
            // The request it answers fails with the reason instead of waiting for an answer that never comes.
            Output.Append(_prefix.Span);
            Output.Append("{\"jsonrpc\":\"2.0\",\"id\":"u8);
            Output.Append(_id.Span);
            Output.Append(Encoding.UTF8.GetBytes(string.Create(
                CultureInfo.InvariantCulture,
                $",\"error\":{{\"code\":-32603,\"message\":\"the MCP server's answer was larger than {limits.MaxMessageBytes / (1024 * 1024)} MiB even with its long texts cut, so it was not read\"}}}}")));
            if (newline)
            {
                Output.Append((byte)'\n');
            }

            dropped?.Invoke($"an answer of more than {limits.MaxMessageBytes} bytes (to request {Encoding.UTF8.GetString(_id.Span)}) was replaced by an error");
        }
        else
        {
            dropped?.Invoke($"a message of more than {limits.MaxMessageBytes} bytes was dropped");
        }

        ResetLine();
    }

    private void ResetLine()
    {
        _line.Clear();
        _prefix.Clear();
        _id.Clear();
        _depth = 0;
        _inString = false;
        _overflow = false;
        _seenBrace = false;
        _lineBytes = 0;
        _isRequest = false;
        _isResponse = false;
        _capturingId = false;
        _idUnusable = false;
        _lastString = null;
        _pendingKey = null;
        _lastSignificant = 0;
        _unitLength = 0;
        _line.TrimCapacity(64 * 1024);
        _tail.TrimCapacity(64 * 1024);
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r';
}
