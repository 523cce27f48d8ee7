using AgentHost.Sdk.Providers;
using Anthropic.Vertex;
using Google.Apis.Auth.OAuth2;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// Vertex AI credentials from Google's Application Default Credentials (<c>GOOGLE_APPLICATION_CREDENTIALS</c>, the
/// file <c>gcloud auth application-default login</c> writes, or the metadata server on Google Cloud), scoped to
/// <c>cloud-platform</c> as the package's <see cref="AnthropicVertexCredentials"/> does. Resolved on the first request,
/// not when the client is made; the access token is asked for per request, so it refreshes when it expires.
/// </summary>
/// <remarks>When nothing is found, the request fails with an <see cref="ProviderErrorKind.Authentication"/> error naming the ways to sign in. Thread-safe.</remarks>
internal sealed class GoogleDefaultCredentials(string provider, string region, string project) : IAnthropicVertexCredentials
{
    private const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    private readonly Lazy<Task<GoogleCredential>> _credential = new(() => ResolveAsync(provider));

    public string Region => region;

    public string Project => project;

    public async ValueTask ApplyAsync(HttpRequestMessage requestMessage)
    {
        ArgumentNullException.ThrowIfNull(requestMessage);
        var credential = await _credential.Value.ConfigureAwait(false);
        string token;
        try
        {
            token = await ((ITokenAccess)credential.UnderlyingCredential).GetAccessTokenForRequestAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or Google.GoogleApiException or Google.Apis.Auth.OAuth2.Responses.TokenResponseException)
        {
            throw Missing(provider, $"no Google access token could be had for Vertex AI ({ex.GetType().Name})", ex);
        }

        requestMessage.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The error for missing or unusable Google credentials, with the ways to give them.</summary>
    public static ProviderException Missing(string provider, string what, Exception? inner) =>
        new(ProviderErrorKind.Authentication,
            $"{what}. Vertex AI needs Google credentials: run 'gcloud auth application-default login', export GOOGLE_APPLICATION_CREDENTIALS=<service account key file>, "
            + $"or give an access token (export VERTEX_ACCESS_TOKEN, or providers.{provider}.api_key_command: gcloud auth print-access-token)",
            inner)
        {
            Provider = provider,
        };

    private static async Task<GoogleCredential> ResolveAsync(string provider)
    {
        try
        {
            var credential = await GoogleCredential.GetApplicationDefaultAsync().ConfigureAwait(false);
            return credential.CreateScoped(CloudPlatformScope);
        }
        catch (InvalidOperationException ex)
        {
            throw Missing(provider, "no Google Application Default Credentials were found", ex);
        }
    }
}
