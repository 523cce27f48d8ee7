namespace AgentHost.Plugins.Web;

/// <summary>How <c>fetch</c> treats a body.</summary>
internal enum BodyKind
{
    /// <summary>An HTML page: converted to Markdown or text, or returned raw.</summary>
    Html,

    /// <summary>Text, JSON, XML, scripts: returned as text.</summary>
    Text,

    /// <summary>Images, archives, PDFs, executables: refused by <c>fetch</c> (use <c>download</c>).</summary>
    Binary,
}

/// <summary>Classifies bodies by media type, and by their first bytes when the type is missing or generic.</summary>
internal static class BodyKinds
{
    private static readonly HashSet<string> TextApplicationTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/json", "application/xml", "application/javascript", "application/ecmascript", "application/x-javascript",
        "application/x-ndjson", "application/ndjson", "application/yaml", "application/x-yaml", "application/toml", "application/sql",
        "application/graphql", "application/x-sh", "application/x-csh", "application/x-httpd-php", "application/rtf",
        "application/x-tex", "application/x-latex", "application/csv", "application/x-www-form-urlencoded",
    };

    /// <summary>The kind a media type says, or <see langword="null"/> when it says nothing useful (missing, octet-stream).</summary>
    /// <param name="mediaType">The Content-Type media type without parameters.</param>
    /// <returns>The kind.</returns>
    public static BodyKind? FromMediaType(string? mediaType)
    {
        var type = mediaType?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(type) || type is "application/octet-stream" or "binary/octet-stream" or "application/unknown" or "unknown/unknown")
        {
            return null;
        }

        if (type is "text/html" or "application/xhtml+xml")
        {
            return BodyKind.Html;
        }

        return type.StartsWith("text/", StringComparison.Ordinal) || TextApplicationTypes.Contains(type)
               || type.EndsWith("+json", StringComparison.Ordinal) || type.EndsWith("+xml", StringComparison.Ordinal)
            ? BodyKind.Text
            : BodyKind.Binary;
    }

    /// <summary>Guesses the kind from the first bytes: HTML markup, text without NUL bytes, else binary.</summary>
    /// <param name="body">The body.</param>
    /// <returns>The kind.</returns>
    public static BodyKind Sniff(ReadOnlySpan<byte> body)
    {
        var head = body[..Math.Min(body.Length, 4096)];
        if (head.IndexOf((byte)0) >= 0 && !(head is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..]))
        {
            return BodyKind.Binary;
        }

        var start = System.Text.Encoding.Latin1.GetString(head).TrimStart('\uFEFF', '\u00EF', '\u00BB', '\u00BF', ' ', '\t', '\r', '\n');
        return start.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) || start.StartsWith("<html", StringComparison.OrdinalIgnoreCase)
            ? BodyKind.Html
            : head.ToArray().Count(b => b < 0x09 || (b > 0x0D && b < 0x20)) > head.Length / 100
                ? BodyKind.Binary
                : BodyKind.Text;
    }
}
