using System.Globalization;
using System.Text;

namespace AgentHost.Sessions.Sql;

/// <summary>Caps stored text: over the limit, the head and the tail are kept around a truncation marker.</summary>
internal static class PayloadLimiter
{
    /// <summary>Returns <paramref name="text"/>, or its head and tail with <c>[… N bytes truncated …]</c> when it is longer than <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public static string Cap(string text, int maxBytes)
    {
        // Cheap exits: a UTF-8 char is at most 3 bytes per UTF-16 unit.
        if (text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var keep = Math.Max(0, maxBytes - 64);
        var headLength = BackToBoundary(bytes, keep / 2);
        var tailStart = ForwardToBoundary(bytes, bytes.Length - (keep - (keep / 2)));
        var removed = tailStart - headLength;
        var marker = string.Create(CultureInfo.InvariantCulture, $"\n[… {removed} bytes truncated …]\n");
        return Encoding.UTF8.GetString(bytes, 0, headLength) + marker + Encoding.UTF8.GetString(bytes, tailStart, bytes.Length - tailStart);
    }

    /// <summary>Moves an end index back so it does not split a multi-byte character.</summary>
    private static int BackToBoundary(byte[] bytes, int index)
    {
        while (index > 0 && index < bytes.Length && (bytes[index] & 0xC0) == 0x80)
        {
            index--;
        }

        return index;
    }

    /// <summary>Moves a start index forward to the start of a character.</summary>
    private static int ForwardToBoundary(byte[] bytes, int index)
    {
        while (index < bytes.Length && (bytes[index] & 0xC0) == 0x80)
        {
            index++;
        }

        return index;
    }
}
