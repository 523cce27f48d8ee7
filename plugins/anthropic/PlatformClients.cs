using Anthropic;
using Anthropic.Bedrock;
using Anthropic.Vertex;
using Google.Apis.Auth.OAuth2;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// Makes the official platform clients (<see cref="AnthropicBedrockClient"/>, <see cref="AnthropicVertexClient"/>)
/// for a provider with <c>platform: bedrock</c> or <c>platform: vertex</c>. The packages rewrite each Messages request
/// into the platform's call (URL, body, <c>anthropic_version</c>), sign or authenticate it, and turn Bedrock's binary
/// event stream back into server-sent events; everything above them — the chat client, streaming, tool use, prompt
/// caching, errors — is the same as with Anthropic's API.
/// </summary>
internal static class PlatformClients
{
    /// <summary>The variable the Bedrock package reads a Bedrock API key from.</summary>
    public const string BedrockTokenVariable = "AWS_BEARER_TOKEN_BEDROCK";

    /// <summary>The variable the Vertex package reads an access token from.</summary>
    public const string VertexTokenVariable = "VERTEX_ACCESS_TOKEN";

    /// <summary>
    /// The platform client: the host retries (so the SDK does not); the configured headers and <c>anthropic-version</c>
    /// go in before the package adapts the request, so Bedrock's signature covers them and they reach the body as
    /// <c>anthropic_beta</c> / <c>anthropic_version</c>. Errors are handled below it by <see cref="AnthropicHttpHandler"/>.
    /// </summary>
    public static IAnthropicClient Create(AnthropicSettings settings, HttpClient http, Func<string, string?> environment)
    {
        var platform = settings.Cloud;
        using AnthropicClient bare = platform.Platform switch
        {
            CloudPlatform.Bedrock => new AnthropicBedrockClient(BedrockCredentials(settings, environment)),
            CloudPlatform.Vertex => new AnthropicVertexClient(VertexCredentials(settings, environment)),
            _ => throw new InvalidOperationException("not a cloud platform"),
        };
        var headers = new Dictionary<string, string>(settings.Headers, StringComparer.OrdinalIgnoreCase)
        {
            // The SDK's own anthropic-version header comes first; the package puts the last value in the body.
            ["anthropic-version"] = settings.ApiVersion ?? platform.RequiredVersion!,
        };
        return bare.WithOptions(options =>
        {
            options.HttpClient = http;
            options.MaxRetries = 0;
            options.Timeout = settings.Timeout;
            options.ExtraHeaders = headers;
            if (platform.Platform == CloudPlatform.Bedrock && platform.Endpoint is { } endpoint)
            {
                // Bedrock's client keeps a configured base URL (and signs for its host). Vertex's client always uses
                // the region's endpoint; AnthropicHttpHandler moves its requests to base_url instead.
                options.BaseUrl = endpoint.ToString().TrimEnd('/');
            }

            return options;
        });
    }

    private static IAnthropicBedrockCredentials BedrockCredentials(AnthropicSettings settings, Func<string, string?> environment)
    {
        var region = settings.Cloud.Region!;
        var token = settings.ApiKey ?? (environment(BedrockTokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null);
        return token is not null
            ? new AnthropicBedrockApiTokenCredentials { BearerToken = token, Region = region }
            : new AwsChainCredentials(settings.ProviderName, region, settings.Cloud.Profile);
    }

    private static IAnthropicVertexCredentials VertexCredentials(AnthropicSettings settings, Func<string, string?> environment)
    {
        var cloud = settings.Cloud;
        var token = settings.ApiKey ?? (environment(VertexTokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null);
        return token is not null
            ? new AnthropicVertexCredentials(cloud.Region, cloud.Project!, GoogleCredential.FromAccessToken(token))
            : new GoogleDefaultCredentials(settings.ProviderName, cloud.Region!, cloud.Project!);
    }
}
