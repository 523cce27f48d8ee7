using System.Net.Http;
using AgentHost.Sdk.Providers;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// The HTTP pipeline below the SDK. It sends the configured API key as <c>x-api-key</c> (the SDK would send it as a
/// bearer token; <c>x-api-key</c> is what the Anthropic API and Anthropic-compatible gateways all accept), puts the
/// configured headers and <c>anthropic-version</c> on every request (replacing the SDK's values), and turns
/// every error response into a classified <see cref="ProviderException"/> — only here are the response headers
/// (<c>retry-after</c>) still available, as the SDK's exceptions keep the status and body but drop the headers.
/// </summary>
/// <remarks>Thread-safe; one per SDK client.</remarks>
internal sealed class AnthropicHttpHandler(AnthropicSettings settings, TimeProvider time) : DelegatingHandler(new SocketsHttpHandler())
{
    private const string ApiKeyHeader = "x-api-key";
    private const string VersionHeader = "anthropic-version";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (settings.Cloud.Platform == CloudPlatform.Anthropic)
        {
            ApplyAnthropicHeaders(request);
        }
        else if (settings.Cloud is { Platform: CloudPlatform.Vertex, Endpoint: { } endpoint } && request.RequestUri is { } uri)
        {
            // The Vertex package always calls the region's endpoint; a configured base_url (Private Service Connect, a
            // proxy) takes its place here, below the package, with the path the package made.
            request.RequestUri = Rebase(uri, endpoint);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var retryAfter = ProviderException.ParseRetryAfter(name => Header(response, name), time.GetUtcNow());
            var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            throw AnthropicErrors.FromResponse(settings, (int)response.StatusCode, body, retryAfter, Header(response, AnthropicErrors.BedrockErrorTypeHeader));
        }
    }

    /// <summary>The key as <c>x-api-key</c>, the configured headers and <c>anthropic-version</c> (Anthropic's API only; the platform clients take them before signing).</summary>
    private void ApplyAnthropicHeaders(HttpRequestMessage request)
    {
        if (settings.ApiKey is { } key && request.Headers.Authorization is { Scheme: "Bearer" } bearer && bearer.Parameter == key)
        {
            request.Headers.Authorization = null;
            Set(request, ApiKeyHeader, key);
        }

        foreach (var (name, value) in settings.Headers)
        {
            Set(request, name, value);
        }

        if (settings.ApiVersion is { } version)
        {
            Set(request, VersionHeader, version);
        }
    }

    /// <summary><paramref name="uri"/> at <paramref name="endpoint"/>: its scheme, host and port, and its path before the request's.</summary>
    private static Uri Rebase(Uri uri, Uri endpoint)
    {
        if (string.Equals(uri.GetLeftPart(UriPartial.Authority), endpoint.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
        {
            return uri; // already there (the warm-up's HEAD to base_url)
        }

        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + endpoint.AbsolutePath.TrimEnd('/') + uri.PathAndQuery);
    }

    /// <summary>Sets a header, replacing the SDK's value rather than adding a second one.</summary>
    private static void Set(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is { } content)
        {
            content.Headers.Remove(name);
            content.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            var buffer = new char[AnthropicErrors.MaxBodyChars];
            var read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
            return new string(buffer, 0, read);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return string.Empty; // the status alone still classifies the failure
        }
    }
}
