using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Web.Tests;

/// <summary>
/// SSRF protection: with default settings no private, loopback or link-local address is contacted, whatever form the
/// URL gives it. Every refused URL points at the test's own server on 127.0.0.1 (or at an address that is refused
/// before any connection), and the server proves nothing reached it.
/// </summary>
public sealed class WebAddressTests
{
    [Theory]
    [InlineData("http://127.0.0.1:{port}/page", "127.0.0.1 is a loopback address (127.0.0.0/8)")]
    [InlineData("http://localhost:{port}/page", "(localhost resolves to it)")]
    [InlineData("http://LOCALHOST.:{port}/page", "(localhost resolves to it)")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/page", "127.0.0.1 is a loopback address (127.0.0.0/8)")]
    [InlineData("http://[::ffff:7f00:1]:{port}/page", "127.0.0.1 is a loopback address (127.0.0.0/8)")]
    [InlineData("http://2130706433:{port}/page", "127.0.0.1 is a loopback address (127.0.0.0/8)")]
    [InlineData("http://0177.0.0.1:{port}/page", "127.0.0.1 is a loopback address (127.0.0.0/8)")]
    [InlineData("http://0x7f.1:{port}/page", "127.0.0.1 is a loopback address (127.0.0.0/8)")]
    [InlineData("http://127.1:{port}/page", "127.0.0.1 is a loopback address (127.0.0.0/8)")]
    [InlineData("http://0.0.0.0:{port}/page", "0.0.0.0 is an unspecified address")]
    [InlineData("http://0:{port}/page", "0.0.0.0 is an unspecified address")]
    [InlineData("http://[::]:{port}/page", ":: is the unspecified address (::)")]
    [InlineData("http://[::1]:{port}/page", "::1 is the loopback address (::1)")]
    [InlineData("http://[::127.0.0.1]:{port}/page", "a loopback address (127.0.0.0/8) in IPv4-compatible form (127.0.0.1)")]
    [InlineData("http://[64:ff9b::7f00:1]:{port}/page", "a loopback address (127.0.0.0/8) in NAT64 form (127.0.0.1)")]
    [InlineData("http://[2002:7f00:1::]:{port}/page", "a loopback address (127.0.0.0/8) in 6to4 form (127.0.0.1)")]
    public async Task LoopbackInAnyForm_IsRefusedByDefault_AndNothingReachesTheServer(string template, string reason)
    {
        await using var web = await WebPluginFixture.LoadAsync();
        web.Server.Page("page", "<p>secret admin page</p>");
        var url = template.Replace("{port}", new Uri(web.Server.Root).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var message = await web.FailureAsync("fetch", ("url", url));

        Assert.StartsWith("refused url ", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Contains("unless plugins.settings.web.allow_private_addresses lists them", message, StringComparison.Ordinal);
        Assert.Empty(web.Server.Requests);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "a link-local address (169.254.0.0/16, the cloud metadata service)")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/", "a unique-local address (fc00::/7)")]
    [InlineData("http://[fe80::1]/", "a link-local address (fe80::/10)")]
    [InlineData("http://[::ffff:169.254.169.254]/", "a link-local address (169.254.0.0/16, the cloud metadata service)")]
    [InlineData("http://10.1.2.3/", "a private address (10.0.0.0/8)")]
    [InlineData("http://172.16.0.1/", "a private address (172.16.0.0/12)")]
    [InlineData("http://172.31.255.255/", "a private address (172.16.0.0/12)")]
    [InlineData("http://192.168.1.1/", "a private address (192.168.0.0/16)")]
    [InlineData("http://100.64.0.1/", "a shared carrier-grade NAT address (100.64.0.0/10)")]
    [InlineData("http://224.0.0.1/", "a multicast address (224.0.0.0/4)")]
    [InlineData("http://255.255.255.255/", "the broadcast address")]
    [InlineData("http://user:pass@127.0.0.1/", "URLs with a user name or password are not fetched")]
    public async Task PrivateAndMetadataAddresses_AreRefused_BeforeAnyConnection(string url, string reason)
    {
        await using var web = await WebPluginFixture.LoadAsync();

        var message = await web.FailureAsync("fetch", ("url", url));

        Assert.StartsWith("refused url ", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowingOneAddress_DoesNotAllowItsNeighbours()
    {
        await using var web = await WebPluginFixture.LoadAsync(WebPluginFixture.AllowLoopbackServer);
        web.Server.Page("page", "<article><p>The page that the allowed address serves to the test.</p></article>");
        var port = new Uri(web.Server.Root).Port;

        var allowed = await web.FetchAsync(web.Url("page"));
        var neighbour = await web.FailureAsync("fetch", ("url", $"http://127.0.0.2:{port}/page"));
        var ipv6 = await web.FailureAsync("fetch", ("url", $"http://[::1]:{port}/page"));

        Assert.Contains("The page that the allowed address serves", allowed, StringComparison.Ordinal);
        Assert.Contains("127.0.0.2 is a loopback address", neighbour, StringComparison.Ordinal);
        Assert.Contains("::1 is the loopback address", ipv6, StringComparison.Ordinal);
        Assert.Single(web.Server.Requests);
    }

    [Fact]
    public async Task AllowingARange_AllowsTheServer()
    {
        await using var web = await WebPluginFixture.LoadAsync(("allow_private_addresses", "127.0.0.0/8"));
        web.Server.Page("page", "<article><p>Served to a client that allows the whole loopback range.</p></article>");

        var markdown = await web.FetchAsync(web.Url("page"));

        Assert.Contains("Served to a client that allows the whole loopback range.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowPrivateAddressesTrue_AllowsTheServer_ButNeverMulticast()
    {
        await using var web = await WebPluginFixture.LoadAsync(("allow_private_addresses", "true"));
        web.Server.Page("page", "<article><p>Served to a client that allows every private address.</p></article>");

        var markdown = await web.FetchAsync(web.Url("page"));
        var multicast = await web.FailureAsync("fetch", ("url", "http://239.1.1.1/"));

        Assert.Contains("Served to a client that allows every private address.", markdown, StringComparison.Ordinal);
        Assert.Contains("239.1.1.1 is a multicast address (224.0.0.0/4), which is never contacted", multicast, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeniedDomain_WinsOverAllowed_AndIsRefusedBeforeResolving()
    {
        await using var web = await WebPluginFixture.LoadAsync(
            [.. WebPluginFixture.AllowLoopbackServer, ("allowed_domains.0", "*"), ("denied_domains.0", "*.example.com"), ("denied_domains.1", "127.0.0.1")]);

        var sub = await web.FailureAsync("fetch", ("url", "https://api.example.com/v1"));
        var server = await web.FailureAsync("fetch", ("url", web.Url("page")));

        Assert.Equal("refused url https://api.example.com/v1: api.example.com is denied by the denied_domains entry '*.example.com'.", sub);
        Assert.Contains("127.0.0.1 is denied by the denied_domains entry '127.0.0.1'", server, StringComparison.Ordinal);
        Assert.Empty(web.Server.Requests);
    }

    [Fact]
    public async Task InternationalDomainNames_AreMatchedInTheirAsciiForm()
    {
        await using var web = await WebPluginFixture.LoadAsync(("denied_domains", "*.bücher.example"));

        var message = await web.FailureAsync("fetch", ("url", "https://shop.BÜCHER.example/"));

        Assert.Contains("shop.xn--bcher-kva.example is denied by the denied_domains entry '*.xn--bcher-kva.example'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowList_RefusesOtherDomains_AndRedirectsToThem()
    {
        await using var web = await WebPluginFixture.LoadAsync([.. WebPluginFixture.AllowLoopbackServer, ("allowed_domains", "127.0.0.1, docs.example.org")]);
        web.Server.Redirect("away", "https://elsewhere.example.net/page");

        var direct = await web.FailureAsync("fetch", ("url", "https://elsewhere.example.net/page"));
        var redirected = await web.FailureAsync("fetch", ("url", web.Url("away")));

        Assert.Contains("elsewhere.example.net is not in allowed_domains (127.0.0.1, docs.example.org)", direct, StringComparison.Ordinal);
        Assert.StartsWith($"refused redirect from {web.Url("away")} to https://elsewhere.example.net/page: elsewhere.example.net is not in allowed_domains", redirected, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allow_private_addresses.0", "not an address!", "plugins.settings.web.allow_private_addresses: 'not an address!' is not an address, a CIDR range or a host name")]
    [InlineData("allow_private_addresses.0", "10.0.0.1/33", "plugins.settings.web.allow_private_addresses: '10.0.0.1/33' is not a CIDR range")]
    [InlineData("denied_domains.0", "https://example.com/", "plugins.settings.web.denied_domains: 'https://example.com/' is not a domain pattern")]
    [InlineData("allowed_domains.0", "ex*mple.com", "plugins.settings.web.allowed_domains: 'ex*mple.com' is not a domain pattern")]
    [InlineData("timeout_ms", "soon", "plugins.settings.web.timeout_ms: 'soon' is not a whole number")]
    [InlineData("max_redirect", "3", "plugins.settings.web.max_redirect: unknown setting")]
    public async Task InvalidSettings_FailTheLoad_NamingTheSettingAndTheFix(string key, string value, string expected)
    {
        await using var harness = new PluginHarness();

        var result = await harness.LoadAsync(Catalog.PathOf("web"), new Dictionary<string, string> { [key] = value });

        Assert.Equal(AgentHost.Hosting.Plugins.PluginLoadStatus.Failed, result.Status);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com/page", "url: 'example.com/page' is not an absolute http or https URL; write it in full, such as https://example.com/page.")]
    [InlineData("", "url is empty")]
    [InlineData("gopher://example.com/", "url: 'gopher://example.com/' uses gopher:, which is not fetched; only http and https URLs are.")]
    public async Task BadUrls_AreClearErrors(string url, string expected)
    {
        await using var web = await WebPluginFixture.LoadAsync();

        var message = await web.FailureAsync("fetch", ("url", url));

        Assert.StartsWith(expected, message, StringComparison.Ordinal);
    }
}
