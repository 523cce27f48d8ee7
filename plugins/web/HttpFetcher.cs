using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Web;

/// <summary>
/// GET requests under the plugin's rules: http and https only, the domain lists and the address rules checked on the
/// first URL and on every redirect (followed here, at most <see cref="WebSettings.MaxRedirects"/>), a total and a
/// per-wait time limit, no cookies, no proxy, and one <see cref="SocketsHttpHandler"/> whose connections only reach
/// vetted addresses (<see cref="SafeConnector"/>). Thread-safe; one instance per plugin.
/// </summary>
internal sealed class HttpFetcher : IDisposable
{
    private static readonly HashSet<HttpStatusCode> RedirectCodes =
        [HttpStatusCode.MovedPermanently, HttpStatusCode.Found, HttpStatusCode.SeeOther, HttpStatusCode.TemporaryRedirect, HttpStatusCode.PermanentRedirect];

    private readonly WebSettings _settings;
    private readonly Lock _gate = new();

    // The HttpClient, created at the first request and typed object here so that a run which never fetches does not
    // load System.Net.Http (HttpFetcher is built when the plugin registers; 33036a48:docs/benchmarks.md, "#25: peak memory,
    // third pass").
    private object? _client;
    private bool _disposed;

    public HttpFetcher(WebSettings settings) => _settings = settings;

    /// <summary>
    /// Parses and checks a URL given by the model: absolute, http or https, no user name or password, allowed by the
    /// domain lists, and — when the host is an address literal — allowed by the address rules (so a refused literal
    /// never reaches the network).
    /// </summary>
    /// <param name="text">The URL.</param>
    /// <returns>The URL.</returns>
    /// <exception cref="ToolException">The URL is invalid or refused.</exception>
    public Uri Check(string? text)
    {
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw new ToolException("url is empty; give an absolute http or https URL such as https://example.com/page.");
        }

        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var url) || url.Host.Length == 0 || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            if (url is not null && url.Scheme is not ("http" or "https") && url.Host.Length > 0)
            {
                throw new ToolException($"url: '{trimmed}' uses {url.Scheme}:, which is not fetched; only http and https URLs are.");
            }

            throw new ToolException($"url: '{trimmed}' is not an absolute http or https URL; write it in full, such as https://{trimmed.TrimStart('/')}.");
        }

        CheckHop(url, "url");
        return url;
    }

    /// <summary>Sends a GET, follows redirects and hands the final response (headers read, body not yet) to <paramref name="consume"/>.</summary>
    /// <typeparam name="T">What <paramref name="consume"/> returns.</typeparam>
    /// <param name="url">A URL that passed <see cref="Check"/>.</param>
    /// <param name="accept">The Accept header.</param>
    /// <param name="total">The total time limit.</param>
    /// <param name="consume">Reads the response; it must pass the timer's token and call Arm/Disarm around each read.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <param name="headers">The call's own headers (sent to <paramref name="url"/>'s origin only), if any.</param>
    /// <returns>What <paramref name="consume"/> returned.</returns>
    /// <exception cref="ToolException">Refused, failed, timed out, or too many redirects.</exception>
    public async Task<T> GetAsync<T>(Uri url, string accept, TimeSpan total, Func<WebResponse, StallTimer, Task<T>> consume, CancellationToken cancellationToken, RequestHeaders? headers = null)
    {
        using var timer = new StallTimer(total, _settings.ReadTimeout, cancellationToken);
        var current = url;
        var redirects = new List<Uri>();
        try
        {
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Headers.TryAddWithoutValidation("User-Agent", _settings.UserAgent);
                request.Headers.TryAddWithoutValidation("Accept", accept);
                request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("en"));
                request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("*", 0.5));
                headers?.Apply(request, url, current);
                timer.Arm();
                using var response = await Client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timer.Token).ConfigureAwait(false);
                timer.Disarm();
                if (RedirectCodes.Contains(response.StatusCode) && response.Headers.Location is { } location)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                    if (redirects.Count >= _settings.MaxRedirects)
                    {
                        throw new ToolException(
                            $"too many redirects: {url} redirected more than {_settings.MaxRedirects} times (max_redirects) — {string.Join(" → ", redirects.Append(current).Append(next))}");
                    }

                    redirects.Add(current);
                    current = next;
                    CheckHop(current, $"redirect from {redirects[^1]} to");
                    continue;
                }

                return await consume(new WebResponse(response, current, redirects), timer).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ToolException(timer.Stalled
                ? $"{current}: the server sent nothing for {Seconds(timer.WaitLimit)} (read_timeout_ms); it may be overloaded or the URL may stream forever."
                : timer.TotalExpired
                    ? $"{current}: timed out after {Seconds(timer.Total)} (the time limit for the whole request); try again later or a smaller resource."
                    : $"{current}: connecting took longer than {Seconds(timer.WaitLimit)} (read_timeout_ms).");
        }
        catch (HttpRequestException ex)
        {
            throw Describe(ex, current, redirects.Count == 0 ? "url" : $"redirect from {redirects[^1]} to");
        }
        catch (IOException ex) when (ex is not AddressRefusedException)
        {
            throw new ToolException($"{current}: the connection failed while reading ({ex.Message}).");
        }
    }

    public void Dispose()
    {
        object? client;
        lock (_gate)
        {
            _disposed = true;
            client = _client;
            _client = null;
        }

        (client as IDisposable)?.Dispose();
    }

    /// <summary>The client, created at the first call.</summary>
    /// <exception cref="ObjectDisposedException">The fetcher was disposed.</exception>
    private HttpClient Client()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return (HttpClient)(_client ??= CreateClient(_settings));
        }
    }

    private static HttpClient CreateClient(WebSettings settings)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            // Environment proxies (HTTP_PROXY…) would resolve and connect on our behalf, past the address check.
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectCallback = new SafeConnector(settings.Addresses).ConnectAsync,
            ConnectTimeout = settings.ReadTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxResponseHeadersLength = 64,
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Checks one hop: scheme, credentials, domain lists, and an address literal against the address rules.</summary>
    private void CheckHop(Uri url, string what)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ToolException($"refused {what} {url}: only http and https URLs are fetched.");
        }

        if (url.UserInfo.Length > 0)
        {
            throw new ToolException($"refused {what} {url}: URLs with a user name or password are not fetched; remove the part before '@'.");
        }

        if (_settings.Domains.Refusal(url) is { } domain)
        {
            throw new ToolException($"refused {what} {url}: {domain}.");
        }

        var host = DomainRules.HostOf(url);
        if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(host, out var address)
            && _settings.Addresses.Refusal(address, host) is { } refusal)
        {
            throw new ToolException($"refused {what} {url}: {refusal}.");
        }
    }

    private static ToolException Describe(HttpRequestException ex, Uri url, string what)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is AddressRefusedException refused)
            {
                return new ToolException($"refused {what} {url}: {refused.Message}.");
            }
        }

        var host = url.IdnHost;
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => new ToolException($"{url}: could not resolve the host name {host}; check the spelling."),
            HttpRequestError.ConnectionError => new ToolException($"{url}: could not connect to {host}:{url.Port} ({ex.InnerException?.Message ?? ex.Message})."),
            HttpRequestError.SecureConnectionError => new ToolException($"{url}: the TLS connection to {host} failed ({ex.InnerException?.Message ?? ex.Message})."),
            HttpRequestError.ResponseEnded => new ToolException($"{url}: the server closed the connection before the response was complete."),
            HttpRequestError.InvalidResponse => new ToolException($"{url}: the server sent an invalid HTTP response ({ex.Message})."),
            HttpRequestError.ConfigurationLimitExceeded => new ToolException($"{url}: the response headers are too large."),
            _ => new ToolException($"{url}: {ex.Message}"),
        };
    }

    private static string Seconds(TimeSpan time) =>
        time.TotalSeconds >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.#} s")
            : string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:0} ms");
}

/// <summary>The final response of a request (headers read), the URL it came from and the redirects that led there.</summary>
internal sealed record WebResponse(HttpResponseMessage Message, Uri Url, IReadOnlyList<Uri> Redirects);
