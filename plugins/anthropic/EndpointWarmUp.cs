using AgentHost.Sdk.Providers;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// The host's warm-up (<see cref="IChatWarmUp"/>): a <c>HEAD</c> request to the base URL through the HTTP client and
/// connection pool the SDK client uses, so the connection (DNS, TCP, TLS) is open when the first request goes out. It
/// asks for no model, costs no tokens and carries no API key (only the configured headers); its answer (usually an
/// error status, which the handler turns into an exception the host ignores) does not matter. Off with
/// <c>warm_up: false</c>.
/// </summary>
/// <param name="http">The HTTP client under the SDK client.</param>
/// <param name="baseUrl">The API base URL.</param>
internal sealed class EndpointWarmUp(HttpClient http, Uri baseUrl) : IChatWarmUp
{
    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, baseUrl);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }
}
