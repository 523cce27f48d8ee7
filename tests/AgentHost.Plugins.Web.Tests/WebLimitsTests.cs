using System.IO.Compression;

namespace AgentHost.Plugins.Web.Tests;

/// <summary>Redirects, size caps and time limits of <c>fetch</c>, against a server on 127.0.0.1.</summary>
public sealed class WebLimitsTests : IAsyncLifetime
{
    private WebPluginFixture _web = null!;

    public async Task InitializeAsync() => _web = await WebPluginFixture.LoadAsync(
        [.. WebPluginFixture.AllowLoopbackServer, ("max_redirects", "3"), ("max_response_bytes", "100000")]);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Redirects_AreFollowed_AndTheResultNamesBothUrls()
    {
        _web.Server.Redirect("old", "/middle", 301);
        _web.Server.Redirect("middle", _web.Url("news/tides"), 308);
        _web.Server.Page("news/tides", WebPages.Article);

        var markdown = await _web.FetchAsync(_web.Url("old"));

        Assert.StartsWith($"Source: {_web.Url("news/tides")}\nRedirected from: {_web.Url("old")}\n\n# How Tides Work", markdown, StringComparison.Ordinal);
        Assert.Equal(1, _web.Server.Hits("middle"));
    }

    [Fact]
    public async Task TooManyRedirects_IsAnError_ListingTheChain()
    {
        for (var i = 0; i < 10; i++)
        {
            _web.Server.Redirect($"hop{i}", $"/hop{i + 1}");
        }

        var message = await _web.FailureAsync("fetch", ("url", _web.Url("hop0")));

        Assert.Contains($"too many redirects: {_web.Url("hop0")} redirected more than 3 times (max_redirects)", message, StringComparison.Ordinal);
        Assert.Contains($"{_web.Url("hop3")} → {_web.Url("hop4")}", message, StringComparison.Ordinal);
        Assert.Equal(0, _web.Server.Hits("hop4"));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address (169.254.0.0/16, the cloud metadata service)")]
    [InlineData("http://[::1]/admin", "::1 is the loopback address (::1)")]
    [InlineData("http://10.0.0.1/", "10.0.0.1 is a private address (10.0.0.0/8)")]
    [InlineData("http://127.0.0.2/", "127.0.0.2 is a loopback address (127.0.0.0/8)")]
    [InlineData("ftp://127.0.0.1/file", "only http and https URLs are fetched")]
    [InlineData("file:///etc/passwd", "only http and https URLs are fetched")]
    public async Task RedirectToARefusedTarget_IsRefused_BeforeConnecting(string location, string reason)
    {
        _web.Server.Redirect("jump", location);

        var message = await _web.FailureAsync("fetch", ("url", _web.Url("jump")));

        Assert.Contains($"refused redirect from {_web.Url("jump")} to", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Single(_web.Server.Requests);
    }

    [Fact]
    public async Task DeclaredLengthOverTheCap_IsRefused_WithoutReadingTheBody()
    {
        _web.Server.DeclaredLength("huge", 50_000_000);

        var message = await _web.FailureAsync("fetch", ("url", _web.Url("huge")));

        Assert.Contains("the response is larger than 97.7 KiB (max_response_bytes; it declares 47.7 MiB)", message, StringComparison.Ordinal);
        Assert.Contains("Use download to save it to a file, or raise plugins.settings.web.max_response_bytes.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UndeclaredBodyOverTheCap_IsCutWhileStreaming()
    {
        _web.Server.Chunked("stream", 5_000_000);

        var message = await _web.FailureAsync("fetch", ("url", _web.Url("stream")));

        Assert.Contains("the response is larger than 97.7 KiB (max_response_bytes; more than that arrived)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmallCompressedBodyThatInflatesOverTheCap_IsCut()
    {
        // The Content-Length is the compressed size (a few KB): the cap counts what decompression produces.
        using var packed = new MemoryStream();
        await using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 20; i++)
            {
                await gzip.WriteAsync(zeros);
            }
        }

        Assert.True(packed.Length < 100_000);
        _web.Server.Bytes("bomb", packed.ToArray(), "text/plain", ("Content-Encoding", "gzip"));

        var message = await _web.FailureAsync("fetch", ("url", _web.Url("bomb")));

        Assert.Contains("larger than 97.7 KiB (max_response_bytes; more than that arrived)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerThatNeverAnswers_TimesOut_WithTheReadTimeout()
    {
        await using var web = await WebPluginFixture.LoadAsync([.. WebPluginFixture.AllowLoopbackServer, ("read_timeout_ms", "500")]);
        web.Server.Silent("silent");

        var message = await web.FailureAsync("fetch", ("url", web.Url("silent")));

        Assert.Equal($"{web.Url("silent")}: the server sent nothing for 500 ms (read_timeout_ms); it may be overloaded or the URL may stream forever.", message);
    }

    [Fact]
    public async Task BodyThatStalls_TimesOut_WithTheReadTimeout()
    {
        await using var web = await WebPluginFixture.LoadAsync([.. WebPluginFixture.AllowLoopbackServer, ("read_timeout_ms", "500")]);
        web.Server.StallAfterHeaders("stall");

        var message = await web.FailureAsync("fetch", ("url", web.Url("stall")));

        Assert.Contains("the server sent nothing for 500 ms (read_timeout_ms)", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task BodyThatTricklesForever_StopsAtTheTotalTimeLimit()
    {
        await using var web = await WebPluginFixture.LoadAsync([.. WebPluginFixture.AllowLoopbackServer, ("timeout_ms", "1500"), ("read_timeout_ms", "10000")]);
        web.Server.Drip("drip");

        var message = await web.FailureAsync("fetch", ("url", web.Url("drip")));

        Assert.Equal($"{web.Url("drip")}: timed out after 1.5 s (the time limit for the whole request); try again later or a smaller resource.", message);
    }

    [Fact]
    public async Task PageTooComplexToConvertInTime_IsAnError_NotAHang()
    {
        // Tree builders slow down with nesting depth; 60,000 levels cannot be parsed within one second.
        await using var web = await WebPluginFixture.LoadAsync([.. WebPluginFixture.AllowLoopbackServer, ("timeout_ms", "1000")]);
        web.Server.Page("nested", string.Concat(Enumerable.Repeat("<div>", 60_000)) + "<p>bottom</p>");

        var message = await web.FailureAsync("fetch", ("url", web.Url("nested")));

        Assert.Equal($"{web.Url("nested")}: the page could not be converted within the time limit (timeout_ms); it is too large or too deeply nested. format: html returns it unconverted.", message);
    }
}
