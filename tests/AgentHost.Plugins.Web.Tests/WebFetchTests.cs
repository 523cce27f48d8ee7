using System.IO.Compression;
using System.Text;

namespace AgentHost.Plugins.Web.Tests;

/// <summary>The <c>fetch</c> tool against pages served on 127.0.0.1 (allowed explicitly in the plugin settings).</summary>
public sealed class WebFetchTests : IAsyncLifetime
{
    private WebPluginFixture _web = null!;

    public async Task InitializeAsync() => _web = await WebPluginFixture.LoadAsync([.. WebPluginFixture.AllowLoopbackServer, ("max_output_chars", "5000")]);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Article_BecomesMarkdownOfTheMainContent_WithoutBoilerplate()
    {
        _web.Server.Page("news/tides", WebPages.Article);

        var markdown = await _web.FetchAsync(_web.Url("news/tides"));

        Assert.StartsWith($"Source: {_web.Url("news/tides")}\n\n# How Tides Work\n\n", markdown, StringComparison.Ordinal);
        Assert.Contains("## The Moon's Pull", markdown, StringComparison.Ordinal);
        Assert.Contains("## Spring and Neap Tides", markdown, StringComparison.Ordinal);
        Assert.Contains("Twice a day, the sea rises and falls along most coasts.", markdown, StringComparison.Ordinal);
        Assert.Contains($"the [gravitational pull]({_web.Url("moon")}) of the Moon", markdown, StringComparison.Ordinal);
        Assert.Contains("[full prediction guide](https://tides.example.org/guide?lang=en)", markdown, StringComparison.Ordinal);
        Assert.Contains($"[article on currents]({_web.Url("archive/2023/currents")})", markdown, StringComparison.Ordinal);
        Assert.Contains("high water **twice a day**, about *12 hours and 25 minutes* apart.", markdown, StringComparison.Ordinal);
        Assert.Contains($"![Tide chart]({_web.Url("img/tides.png")})", markdown, StringComparison.Ordinal);
        Assert.Contains("*High and low water over two days in Brest.*", markdown, StringComparison.Ordinal);
        Assert.Contains("- Spring tides: the largest range, near new and full moon.\n- Neap tides: the smallest range, near the quarter moons.", markdown, StringComparison.Ordinal);
        Assert.Contains("> The tide waits for no man, and the coast has always known it.", markdown, StringComparison.Ordinal);
        Assert.Contains("```python\nheight = sum(a * cos(w * t + p) for a, w, p in constituents)\nprint(round(height, 2))\n```", markdown, StringComparison.Ordinal);
        Assert.Contains("| Tide | Height |\n| --- | --- |\n| High water | 6.8 m |\n| Low water | 1.2 m |", markdown, StringComparison.Ordinal);

        foreach (var boilerplate in new[]
                 {
                     "cookies", "Accept all", "Browse all sections", "Subscribe today", "Buy cheap watches", "Share on Facebook",
                     "newsletter", "Sign up", "Related stories", "Why waves break", "Great article", "3 comments", "Most read",
                     "Sponsored", "All rights reserved", "Tags:", "TRACKING_SECRET", "dataLayer", "font-family", "querySelectorAll",
                 })
        {
            Assert.DoesNotContain(boilerplate, markdown, StringComparison.OrdinalIgnoreCase);
        }

        // The title is not repeated as the first heading of the body.
        Assert.Single(markdown.Split('\n'), line => line.Contains("How Tides Work", StringComparison.Ordinal));
    }

    /// <summary>#49: fetch with the call's own headers (an API token, an Accept), sent to the URL's origin only.</summary>
    [Fact]
    public async Task Headers_AreSentToTheUrlsOrigin_ButNotAcrossARedirectToAnother()
    {
        await using var other = new PageServer();
        _web.Server.Page("api/me", "<html><body><p>me</p></body></html>");
        other.Page("landing", "<html><body><p>landed</p></body></html>");
        _web.Server.Redirect("api/away", other.Root + "landing");
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer tok-31c9", ["Accept"] = "application/json", ["X-Trace"] = "t1" };

        await _web.FetchAsync(_web.Url("api/me"), ("headers", headers), ("format", "text"));
        await _web.FetchAsync(_web.Url("api/away"), ("headers", headers), ("format", "text"));

        var direct = _web.Server.Requests.Single(r => r.Path == "/api/me");
        Assert.Equal("Bearer tok-31c9", direct.Header("Authorization"));
        Assert.Equal("application/json", direct.Header("Accept"));
        Assert.Equal("t1", direct.Header("X-Trace"));
        Assert.Equal("Bearer tok-31c9", _web.Server.Requests.Single(r => r.Path == "/api/away").Header("Authorization"));
        var landed = other.Requests.Single(r => r.Path == "/landing");
        Assert.Null(landed.Header("Authorization"));
        Assert.Null(landed.Header("X-Trace"));
    }

    [Theory]
    [InlineData("Host", "example.org", "Host is set by the HTTP client itself")]
    [InlineData("Bad Name", "x", "'Bad Name' is not a header name")]
    [InlineData("X-Split", "a\r\nX-Injected: 1", "the value of X-Split must be one line")]
    [InlineData("Content-Type", "application/json", "Content-Type describes a request body")]
    public async Task Headers_ThatCannotBeSent_AreRefusedBeforeAnyRequest(string name, string value, string message)
    {
        _web.Server.Page("never", "<p>x</p>");

        var error = await _web.FailureAsync("fetch", ("url", _web.Url("never")), ("headers", new Dictionary<string, string> { [name] = System.Text.RegularExpressions.Regex.Unescape(value) }));

        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal(0, _web.Server.Hits("never"));
    }

    [Fact]
    public async Task PageWithoutArticleElement_IsFoundByScoring_AndNavigationLinksAreLeftOut()
    {
        _web.Server.Page("bread", WebPages.DivSoup);

        var markdown = await _web.FetchAsync(_web.Url("bread"));

        Assert.Contains("# Notes on Bread", markdown, StringComparison.Ordinal);
        Assert.Contains("Bread needs only flour, water, salt and yeast", markdown, StringComparison.Ordinal);
        Assert.Contains("a long, cool fermentation develops flavour", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Recipes", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Archive", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Privacy", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeeplyNestedPage_IsConverted_WithoutExhaustingTheStack()
    {
        const int Depth = 5000;
        var html = "<html><head><title>Deep</title></head><body>"
                   + string.Concat(Enumerable.Repeat("<div><span>", Depth))
                   + "<p>The deepest paragraph, far below the surface, still reaches the reader.</p>"
                   + string.Concat(Enumerable.Repeat("</span></div>", Depth))
                   + "</body></html>";
        _web.Server.Page("deep", html);

        var markdown = await _web.FetchAsync(_web.Url("deep"));

        Assert.Contains("The deepest paragraph, far below the surface, still reaches the reader.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TextFormat_IsTheReadableContentWithoutMarkup()
    {
        _web.Server.Page("news/tides", WebPages.Article);

        var text = await _web.FetchAsync(_web.Url("news/tides"), ("format", "text"));

        Assert.Contains("\n\nHow Tides Work\n\n", text, StringComparison.Ordinal);
        Assert.Contains("The Moon's Pull", text, StringComparison.Ordinal);
        Assert.Contains("from the gravitational pull of the Moon", text, StringComparison.Ordinal);
        Assert.Contains("high water twice a day, about 12 hours and 25 minutes apart.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("##", text, StringComparison.Ordinal);
        Assert.DoesNotContain("](", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Buy cheap watches", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HtmlFormat_IsTheRawPage()
    {
        _web.Server.Page("news/tides", WebPages.Article);

        var html = await _web.FetchAsync(_web.Url("news/tides"), ("format", "html"), ("max_length", 5000));

        Assert.Contains("Content-Type: text/html; charset=utf-8", html, StringComparison.Ordinal);
        Assert.Contains("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("var TRACKING_SECRET", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownFormat_IsAnErrorNamingTheChoices()
    {
        var message = await _web.FailureAsync("fetch", ("url", _web.Url("x")), ("format", "pdf"));

        Assert.Contains("format: 'pdf' is not supported; use markdown", message, StringComparison.Ordinal);
        Assert.Empty(_web.Server.Requests);
    }

    [Fact]
    public async Task LongPage_IsCut_WithAMoreNote_AndOffsetReadsOnFromTheCache()
    {
        _web.Server.Page("long", WebPages.Long(120));

        var first = await _web.FetchAsync(_web.Url("long"), ("max_length", 2000));
        var offset = int.Parse(first[(first.LastIndexOf("offset: ", StringComparison.Ordinal) + 8)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var second = await _web.FetchAsync(_web.Url("long"), ("max_length", 2000), ("offset", offset));

        Assert.Contains("Paragraph 1 of the long read", first, StringComparison.Ordinal);
        Assert.DoesNotContain("Paragraph 60 of", first, StringComparison.Ordinal);
        Assert.Matches(@"\[more: \d+ characters left; call fetch again with the same url and offset: \d+ to continue\]$", first);
        Assert.Contains($"Characters: {offset}-", second, StringComparison.Ordinal);
        var lastInFirst = first.Split('\n').Last(l => l.StartsWith("Paragraph ", StringComparison.Ordinal));
        var next = int.Parse(lastInFirst.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) + 1;
        Assert.Contains($"\n\nParagraph {next} of the long read", second, StringComparison.Ordinal);
        Assert.Equal(1, _web.Server.Hits("long"));
    }

    [Fact]
    public async Task MaxLengthAboveTheLimit_IsAnError()
    {
        var message = await _web.FailureAsync("fetch", ("url", _web.Url("x")), ("max_length", 999_999));

        Assert.Contains("max_length: 999999 is outside 100-5000", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_IsReturnedAsText()
    {
        _web.Server.Bytes("api/tides.json", Encoding.UTF8.GetBytes("{\"station\": \"Brest\", \"high\": [6.8, 6.5]}"), "application/json");

        var result = await _web.FetchAsync(_web.Url("api/tides.json"));

        Assert.Equal($"Source: {_web.Url("api/tides.json")}\nContent-Type: application/json; charset=utf-8\n\n{{\"station\": \"Brest\", \"high\": [6.8, 6.5]}}", result);
    }

    [Fact]
    public async Task PlainText_IsReturnedAsIs_AndTextWithoutContentTypeIsRecognised()
    {
        _web.Server.Bytes("notes.txt", Encoding.UTF8.GetBytes("# not a heading\nline two\n"), "text/plain; charset=utf-8");
        _web.Server.Bytes("untyped", Encoding.UTF8.GetBytes("just some text\n"), null);

        var typed = await _web.FetchAsync(_web.Url("notes.txt"));
        var untyped = await _web.FetchAsync(_web.Url("untyped"));

        Assert.EndsWith("\n\n# not a heading\nline two", typed, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain", typed, StringComparison.Ordinal);
        Assert.EndsWith("\n\njust some text", untyped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_IsRefusedByFetch_WithAHintToDownload()
    {
        _web.Server.Bytes("logo.png", WebImage.Png, "image/png");

        var message = await _web.FailureAsync("fetch", ("url", _web.Url("logo.png")));

        Assert.Contains($"{_web.Url("logo.png")} is image/png (", message, StringComparison.Ordinal);
        Assert.Contains("Use download to save it", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BinaryWithoutContentType_IsRecognisedAndRefused()
    {
        _web.Server.Bytes("blob", WebImage.Png, null);

        var message = await _web.FailureAsync("fetch", ("url", _web.Url("blob")));

        Assert.Contains("binary data (no Content-Type)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpErrorStatus_IsAnErrorWithTheStatus()
    {
        var message = await _web.FailureAsync("fetch", ("url", _web.Url("missing")));

        Assert.Contains($"{_web.Url("missing")} answered HTTP 404 Not Found: the page does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latin1Page_DeclaredInTheHeader_IsDecoded()
    {
        _web.Server.Bytes("latin1-header", Encoding.Latin1.GetBytes("<html><body><article><p>Crème brûlée à la française, déjà vu, naïve façade.</p></article></body></html>"), "text/html; charset=ISO-8859-1");

        var markdown = await _web.FetchAsync(_web.Url("latin1-header"));

        Assert.Contains("Crème brûlée à la française, déjà vu, naïve façade.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latin1Page_DeclaredInAMetaTag_IsDecoded()
    {
        _web.Server.Bytes("latin1-meta", Encoding.Latin1.GetBytes("<html><head><meta charset=\"iso-8859-1\"><title>Café</title></head><body><article><p>Crème brûlée à la française, déjà vu, naïve façade.</p></article></body></html>"), "text/html");
        _web.Server.Bytes("latin1-http-equiv", Encoding.Latin1.GetBytes("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"></head><body><article><p>Smörgåsbord für Jürgen, s'il vous plaît.</p></article></body></html>"), "text/html");

        var meta = await _web.FetchAsync(_web.Url("latin1-meta"));
        var httpEquiv = await _web.FetchAsync(_web.Url("latin1-http-equiv"));

        Assert.Contains("# Café", meta, StringComparison.Ordinal);
        Assert.Contains("Crème brûlée à la française, déjà vu, naïve façade.", meta, StringComparison.Ordinal);
        Assert.Contains("Smörgåsbord für Jürgen, s'il vous plaît.", httpEquiv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Windows1252AndUtf16Pages_AreDecoded()
    {
        var cp1252 = System.Text.CodePagesEncodingProvider.Instance.GetEncoding(1252)!;
        _web.Server.Bytes("cp1252", cp1252.GetBytes("<html><head><meta charset=windows-1252></head><body><p>\u201CCurly quotes\u201D \u2013 and the euro sign \u20AC, in a paragraph long enough.</p></body></html>"), "text/html");
        _web.Server.Bytes("utf16", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("<html><body><p>Ünïcödé in UTF-16 with a byte order mark, long enough to count.</p></body></html>")], "text/html");

        var windows = await _web.FetchAsync(_web.Url("cp1252"));
        var utf16 = await _web.FetchAsync(_web.Url("utf16"));

        Assert.Contains("\u201CCurly quotes\u201D \u2013 and the euro sign \u20AC", windows, StringComparison.Ordinal);
        Assert.Contains("Ünïcödé in UTF-16 with a byte order mark", utf16, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompressedPage_IsDecompressed()
    {
        using var packed = new MemoryStream();
        await using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(WebPages.Article));
        }

        _web.Server.Bytes("gz", packed.ToArray(), "text/html; charset=utf-8", ("Content-Encoding", "gzip"));

        var markdown = await _web.FetchAsync(_web.Url("gz"));

        Assert.Contains("## The Moon's Pull", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_NameAgentHost_AndCarryNoCookies()
    {
        _web.Server.Route("cookie", r => PageServer.BytesAsync(r, 200, Encoding.UTF8.GetBytes("set"), "text/plain", [("Set-Cookie", "session=s3cr3t; Path=/")]));
        _web.Server.Bytes("echo", Encoding.UTF8.GetBytes("ok"), "text/plain");

        await _web.FetchAsync(_web.Url("cookie"));
        await _web.FetchAsync(_web.Url("echo"));

        var request = _web.Server.Requests.Last(r => r.Path == "/echo");
        Assert.StartsWith("AgentHost/", request.Header("User-Agent"), StringComparison.Ordinal);
        Assert.Null(request.Header("Cookie"));
    }
}

/// <summary>A small valid PNG (1×1, transparent).</summary>
internal static class WebImage
{
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
}
