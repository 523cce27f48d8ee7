using System.Text;

namespace AgentHost.Plugins.Lsp.Protocol;

/// <summary>How LSP <c>character</c> offsets count (negotiated through <c>general.positionEncodings</c>).</summary>
internal enum PositionEncoding
{
    /// <summary>UTF-16 code units: the protocol default.</summary>
    Utf16,

    /// <summary>UTF-8 bytes.</summary>
    Utf8,

    /// <summary>Unicode code points.</summary>
    Utf32,
}

/// <summary>
/// The lines of a document, converting between the columns people and models use (1-based, counted in characters:
/// Unicode scalar values, so an emoji is one column) and LSP <c>character</c> offsets in the negotiated encoding.
/// Line breaks are <c>\n</c>, <c>\r\n</c> or <c>\r</c>, as LSP defines them.
/// </summary>
internal sealed class TextPositions
{
    private readonly List<string> _lines = [];

    public TextPositions(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\r')
            {
                _lines.Add(text[start..i]);
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        _lines.Add(text[start..]);
    }

    public int LineCount => _lines.Count;

    public string Line(int zeroBasedLine) => zeroBasedLine >= 0 && zeroBasedLine < _lines.Count ? _lines[zeroBasedLine] : string.Empty;

    /// <summary>Parses an encoding name from <c>capabilities.positionEncoding</c>; UTF-16 when absent or unknown.</summary>
    public static PositionEncoding ParseEncoding(string? name) => name switch
    {
        "utf-8" => PositionEncoding.Utf8,
        "utf-32" => PositionEncoding.Utf32,
        _ => PositionEncoding.Utf16,
    };

    /// <summary>The LSP <c>character</c> of a 0-based character (scalar) column.</summary>
    public int ToProtocol(int zeroBasedLine, int column, PositionEncoding encoding)
    {
        var line = Line(zeroBasedLine);
        var offset = 0;
        var scalars = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            if (scalars == column)
            {
                break;
            }

            offset += Width(rune, encoding);
            scalars++;
        }

        return offset;
    }

    /// <summary>The 0-based character (scalar) column of an LSP <c>character</c>.</summary>
    public int FromProtocol(int zeroBasedLine, int character, PositionEncoding encoding)
    {
        var line = Line(zeroBasedLine);
        var offset = 0;
        var scalars = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            if (offset >= character)
            {
                break;
            }

            offset += Width(rune, encoding);
            scalars++;
        }

        return scalars;
    }

    /// <summary>The UTF-16 index into the whole text of an LSP position (for applying edits).</summary>
    public int ToStringIndex(string text, int zeroBasedLine, int character, PositionEncoding encoding)
    {
        var index = 0;
        var line = 0;
        while (line < zeroBasedLine && index < text.Length)
        {
            if (text[index] == '\r' && index + 1 < text.Length && text[index + 1] == '\n')
            {
                index += 2;
                line++;
            }
            else if (text[index] is '\n' or '\r')
            {
                index++;
                line++;
            }
            else
            {
                index++;
            }
        }

        var column = FromProtocol(zeroBasedLine, character, encoding);
        var lineText = Line(zeroBasedLine);
        var utf16 = 0;
        var scalars = 0;
        foreach (var rune in lineText.EnumerateRunes())
        {
            if (scalars == column)
            {
                break;
            }

            utf16 += rune.Utf16SequenceLength;
            scalars++;
        }

        return Math.Min(index + utf16, text.Length);
    }

    private static int Width(Rune rune, PositionEncoding encoding) => encoding switch
    {
        PositionEncoding.Utf8 => rune.Utf8SequenceLength,
        PositionEncoding.Utf32 => 1,
        _ => rune.Utf16SequenceLength,
    };
}
