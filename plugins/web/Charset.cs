using System.Text;
using System.Text.RegularExpressions;

namespace AgentHost.Plugins.Web;

/// <summary>
/// Decodes a text body. The encoding comes from a byte order mark, else the Content-Type charset, else (for HTML) a
/// <c>&lt;meta charset&gt;</c> or <c>http-equiv</c> declaration in the first 2 KB, else UTF-8 — or Windows-1252 when
/// the bytes are not valid UTF-8. As browsers do, the Latin-1 and ASCII labels decode as Windows-1252.
/// </summary>
internal static partial class Charset
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The body.</param>
    /// <param name="declared">The Content-Type charset parameter, if any.</param>
    /// <param name="html">Whether to look for a meta declaration.</param>
    /// <returns>The text and the name of the encoding used.</returns>
    public static (string Text, string Encoding) Decode(byte[] bytes, string? declared, bool html)
    {
        var (bom, skip) = FromBom(bytes);
        var encoding = bom ?? Lookup(declared) ?? (html ? FromMeta(bytes) : null);
        if (encoding is null)
        {
            try
            {
                return (StrictUtf8.GetString(bytes), "utf-8");
            }
            catch (DecoderFallbackException)
            {
                encoding = Windows1252();
            }
        }

        return (encoding.GetString(bytes, skip, bytes.Length - skip), encoding.WebName);
    }

    /// <summary>An encoding by its label, or <see langword="null"/> when the label is empty or unknown.</summary>
    /// <param name="label">A charset label such as <c>ISO-8859-1</c>.</param>
    /// <returns>The encoding.</returns>
    public static Encoding? Lookup(string? label)
    {
        var name = label?.Trim().Trim('"', '\'').ToLowerInvariant();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        switch (name)
        {
            case "utf-8" or "utf8" or "unicode-1-1-utf-8":
                return new UTF8Encoding(false);
            case "iso-8859-1" or "iso8859-1" or "latin1" or "l1" or "iso_8859-1" or "cp819" or "ibm819" or "us-ascii" or "ascii" or "windows-1252" or "cp1252" or "x-cp1252":
                return Windows1252();
            case "utf-16" or "utf-16le" or "unicode":
                return Encoding.Unicode;
            case "utf-16be" or "unicodefffe":
                return Encoding.BigEndianUnicode;
        }

        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(name);
        }
    }

    private static Encoding Windows1252() => CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? Encoding.Latin1;

    private static (Encoding? Encoding, int Skip) FromBom(byte[] bytes) => bytes switch
    {
        [0xEF, 0xBB, 0xBF, ..] => (new UTF8Encoding(false), 3),
        [0xFF, 0xFE, ..] => (Encoding.Unicode, 2),
        [0xFE, 0xFF, ..] => (Encoding.BigEndianUnicode, 2),
        _ => (null, 0),
    };

    /// <summary>A meta declaration of UTF-16 means UTF-8: the declaration itself was read as ASCII.</summary>
    private static Encoding? FromMeta(byte[] bytes)
    {
        var meta = Lookup(MetaCharset(bytes));
        return meta?.CodePage is 1200 or 1201 ? new UTF8Encoding(false) : meta;
    }

    /// <summary>The charset a <c>&lt;meta&gt;</c> tag declares in the first 2 KB.</summary>
    private static string? MetaCharset(byte[] bytes)
    {
        var head = Encoding.Latin1.GetString(bytes, 0, Math.Min(bytes.Length, 2048));
        foreach (Match meta in MetaTag().Matches(head))
        {
            if (CharsetValue().Match(meta.Value) is { Success: true } value)
            {
                return value.Groups[1].Value;
            }
        }

        return null;
    }

    [GeneratedRegex(@"<meta\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex MetaTag();

    [GeneratedRegex(@"charset\s*=\s*[""']?\s*([A-Za-z0-9._:\-]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CharsetValue();
}
