using System.Globalization;
using System.Text;

namespace AgentHost.Agent.Engine;

/// <summary>
/// The session's read cap (<c>max_read_bytes</c>, docs/permissions.md "Session policies") on a read tool's result:
/// the first bytes of the result up to the cap, cut at a character boundary, then a note saying how much was held back.
/// </summary>
internal static class ReadCap
{
    /// <summary>The result cut to <paramref name="maxBytes"/> UTF-8 bytes with a note, or unchanged when it fits or there is no cap.</summary>
    public static string Apply(string text, long? maxBytes)
    {
        if (maxBytes is not { } cap || Encoding.UTF8.GetByteCount(text) <= cap)
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var keep = (int)Math.Min(cap, bytes.Length);
        while (keep > 0 && (bytes[keep] & 0xC0) == 0x80)
        {
            keep--; // not inside a UTF-8 sequence
        }

        return string.Concat(
            Encoding.UTF8.GetString(bytes, 0, keep),
            string.Create(CultureInfo.InvariantCulture, $"\n[truncated: the session's max_read_bytes is {cap}; {bytes.Length - keep} more bytes of this result were not returned. Read a smaller part (offset and limit, a narrower path or pattern).]"));
    }
}
