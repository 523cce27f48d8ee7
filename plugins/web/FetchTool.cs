using System.Globalization;
using AgentHost.Plugins.Web.Html;
using AngleSharp.Html.Parser;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Web;

/// <summary>The <c>fetch</c> tool: a page as Markdown, text or raw HTML; text and JSON as they are; paged by <c>offset</c>.</summary>
internal sealed class FetchTool(HttpFetcher fetcher, WebSettings settings, PageCache cache)
{
    private const string Accept = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,application/json;q=0.8,*/*;q=0.5";
    private const int MinLength = 100;

    public async Task<string> RunAsync(string url, string? format, int? maxLength, int? offset, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? headers = null)
    {
        var kind = Format(format);
        var sent = RequestHeaders.Parse(headers);
        var length = maxLength ?? settings.MaxOutputCharacters;
        if (length < MinLength || length > settings.MaxOutputCharacters)
        {
            throw new ToolException(string.Create(
                CultureInfo.InvariantCulture,
                $"max_length: {length} is outside {MinLength}-{settings.MaxOutputCharacters} (the upper limit is max_output_chars); leave it out for {settings.MaxOutputCharacters}, and page with offset."));
        }

        var start = offset ?? 0;
        if (start < 0)
        {
            throw new ToolException($"offset: {start} is negative; give 0 for the start, or the offset a previous fetch of this URL suggested.");
        }

        var uri = fetcher.Check(url);
        var cacheKey = uri.AbsoluteUri + sent.CacheKey;
        var page = start > 0 ? cache.Get(cacheKey, kind) : null;
        page ??= await fetcher.GetAsync(uri, Accept, settings.Timeout, (response, timer) => ConvertAsync(response, kind, timer), cancellationToken, sent).ConfigureAwait(false);
        var (text, more) = Slice(page, start, length);
        if (more)
        {
            cache.Put(cacheKey, kind, page);
        }

        return text;
    }

    private static string Format(string? format)
    {
        var value = string.IsNullOrWhiteSpace(format) ? "markdown" : format.Trim().ToLowerInvariant();
        return value switch
        {
            "markdown" or "md" => "markdown",
            "text" or "txt" => "text",
            "html" => "html",
            _ => throw new ToolException($"format: '{format}' is not supported; use markdown (the readable content, the default), text (the same without markup) or html (the raw page)."),
        };
    }

    private async Task<FetchedPage> ConvertAsync(WebResponse response, string format, StallTimer timer)
    {
        var message = response.Message;
        if (!message.IsSuccessStatusCode)
        {
            throw HttpErrors.Status(response);
        }

        var contentType = message.Content.Headers.ContentType;
        var kind = BodyKinds.FromMediaType(contentType?.MediaType);
        if (kind == BodyKind.Binary)
        {
            throw Binary(response, contentType?.MediaType!, message.Content.Headers.ContentLength);
        }

        var bytes = await BodyReader.ReadAllAsync(
            response, settings.MaxResponseBytes, "max_response_bytes", "Use download to save it to a file, or raise plugins.settings.web.max_response_bytes.", timer).ConfigureAwait(false);
        kind ??= BodyKinds.Sniff(bytes);
        if (kind == BodyKind.Binary)
        {
            throw Binary(response, contentType?.MediaType ?? "binary data (no Content-Type)", bytes.Length);
        }

        var (text, encoding) = Charset.Decode(bytes, contentType?.CharSet, kind == BodyKind.Html);
        var header = $"Source: {response.Url}" + (response.Redirects.Count > 0 ? $"\nRedirected from: {response.Redirects[0]}" : string.Empty);
        if (kind == BodyKind.Text || format == "html")
        {
            var type = contentType?.MediaType ?? (kind == BodyKind.Html ? "text/html (guessed)" : "text (guessed, no Content-Type)");
            return new FetchedPage($"{header}\nContent-Type: {type}; charset={encoding}", text);
        }

        string body;
        ExtractedPage page;
        try
        {
            // Parsing honours the request's time limit: pathological nesting makes any HTML tree builder slow.
            var document = await new HtmlParser().ParseDocumentAsync(text, timer.Token).ConfigureAwait(false);
            page = ContentExtractor.Extract(document, response.Url);
            timer.Token.ThrowIfCancellationRequested();
            body = format == "text" ? MarkdownRenderer.ToText(page) : MarkdownRenderer.ToMarkdown(page);
        }
        catch (OperationCanceledException) when (!timer.CallerCancelled)
        {
            throw new ToolException($"{response.Url}: the page could not be converted within the time limit (timeout_ms); it is too large or too deeply nested. format: html returns it unconverted.");
        }

        if (page.Content.TextContent.Trim().Length == 0)
        {
            body += "\n\n(No readable content was found: the page may build its content with JavaScript. format: html shows what the server sent.)";
        }

        return new FetchedPage(header, body.Trim());
    }

    private static ToolException Binary(WebResponse response, string mediaType, long? size) =>
        new($"{response.Url} is {mediaType}{(size is { } bytes ? $" ({BodyReader.Size(bytes)})" : string.Empty)}, not text: fetch returns text only. Use download to save it to a file in the project.");

    /// <summary>One page of the text, cut at a line break near the end when there is one, with a note on how to read on.</summary>
    private static (string Text, bool More) Slice(FetchedPage page, int start, int length)
    {
        var body = page.Body;
        if (start > 0 && start >= body.Length)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"offset: {start} is past the end of the page ({body.Length} characters); use a smaller offset."));
        }

        var end = Math.Min(body.Length, start + length);
        if (end < body.Length)
        {
            var window = (end - start) / 5;
            var newline = body.LastIndexOf('\n', end - 1, window);
            if (newline > start)
            {
                end = newline + 1;
            }
            else if (char.IsHighSurrogate(body[end - 1]))
            {
                end--;
            }
        }

        var range = start > 0 || end < body.Length
            ? string.Create(CultureInfo.InvariantCulture, $"\nCharacters: {start}-{end} of {body.Length}")
            : string.Empty;
        var text = $"{page.Header}{range}\n\n{body[start..end].TrimEnd()}";
        if (end >= body.Length)
        {
            return (text, false);
        }

        return (text + string.Create(CultureInfo.InvariantCulture, $"\n\n[more: {body.Length - end} characters left; call fetch again with the same url and offset: {end} to continue]"), true);
    }
}
