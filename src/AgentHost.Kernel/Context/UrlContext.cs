using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Kernel.Text;

namespace AgentHost.Kernel.Context;

/// <summary>Fetches a URL for the model: text as is, HTML reduced to its text, other types described.</summary>
internal static partial class UrlContext
{
    public static async Task<ContextReference?> FetchAsync(HttpClient http, string url, ContextLimits limits, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return new ContextReference(url, ContextReferenceKind.Url, url, $"(HTTP {(int)response.StatusCode} {response.ReasonPhrase})");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";
            if (!mediaType.StartsWith("text/", StringComparison.Ordinal) && !mediaType.Contains("json", StringComparison.Ordinal) && !mediaType.Contains("xml", StringComparison.Ordinal))
            {
                return new ContextReference(url, ContextReferenceKind.Url, url, $"({mediaType} content, not inlined)");
            }

            var body = await ReadCappedAsync(response, limits.MaxDownloadBytes, timeout.Token).ConfigureAwait(false);
            var text = mediaType == "text/html" ? HtmlToText(body) : body;
            return new ContextReference(url, ContextReferenceKind.Url, url, TextCaps.HeadAndTail(text, limits.MaxCharacters, out var cut)) { Truncated = cut };
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private static async Task<string> ReadCappedAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[maxBytes];
        var total = 0;
        int read;
        while (total < maxBytes && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static string HtmlToText(string html)
    {
        var withoutCode = ScriptOrStyle().Replace(html, " ");
        var text = WebUtility.HtmlDecode(Tag().Replace(withoutCode, " "));
        return Whitespace().Replace(text, " ").Trim();
    }

    [GeneratedRegex(@"<(script|style|noscript)\b[^>]*>.*?</\1\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Whitespace();
}
