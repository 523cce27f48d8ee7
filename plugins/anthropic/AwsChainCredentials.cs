using System.Globalization;
using AgentHost.Sdk.Providers;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Anthropic.Bedrock;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// Signs Bedrock requests (SigV4, with the package's <see cref="AWSSigner"/>) with the credentials of the AWS SDK's
/// standard chain — environment (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c>),
/// <c>AWS_PROFILE</c> or the named profile (<c>~/.aws/credentials</c>, <c>~/.aws/config</c>, SSO), web identity,
/// ECS and EC2 instance roles — or of the named profile only (<c>aws_profile</c>).
/// </summary>
/// <remarks>
/// Unlike the package's <c>AnthropicBedrockCredentialsHelper.FromEnv</c>, which reads temporary credentials once, the
/// chain's <see cref="AWSCredentials"/> are asked per request, so they refresh when they expire. The chain is resolved on
/// the first request, not when the client is made (it may ask the instance metadata service). When it finds nothing,
/// the request fails with an <see cref="ProviderErrorKind.Authentication"/> error naming the ways to give credentials;
/// no secret is ever put in a message. Thread-safe.
/// </remarks>
internal sealed class AwsChainCredentials(string provider, string region, string? profile) : IAnthropicBedrockCredentials
{
    private readonly Lazy<Task<AWSCredentials>> _credentials = new(() => ResolveAsync(provider, profile));

    public string Region => region;

    /// <summary>The region of a profile (<paramref name="profile"/>, else <c>AWS_PROFILE</c> or <c>default</c>), as the AWS SDK reads it without the instance metadata service.</summary>
    public static string? ProfileRegion(string? profile)
    {
        if (profile is null)
        {
            return FallbackRegionFactory.GetRegionEndpoint(false)?.SystemName;
        }

        return new CredentialProfileStoreChain().TryGetProfile(profile, out var found) ? found.Region?.SystemName : null;
    }

    public async Task Apply(HttpRequestMessage requestMessage)
    {
        ArgumentNullException.ThrowIfNull(requestMessage);
        var chain = await _credentials.Value.ConfigureAwait(false);
        ImmutableCredentials credentials;
        try
        {
            credentials = await chain.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (AmazonClientException ex)
        {
            throw Missing(provider, $"the AWS credentials could not be read ({ex.GetType().Name})", ex);
        }

        var now = DateTime.UtcNow;
        requestMessage.Headers.TryAddWithoutValidation("x-amz-date", AWSSigner.ToAmzDate(now));
        var body = requestMessage.Content is null ? string.Empty : await requestMessage.Content.ReadAsStringAsync().ConfigureAwait(false);
        var payloadHash = AWSSigner.CalculateHash(body);
        requestMessage.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
        var session = credentials.UseToken ? credentials.Token : null;
        if (session is not null)
        {
            requestMessage.Headers.TryAddWithoutValidation("x-amz-security-token", session);
        }

        // Signed: every header set so far but User-Agent and trace context (which proxies and tracing may change).
        var signed = requestMessage.Headers
            .Where(h => !Unsigned.Contains(h.Key))
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        var authorization = AWSSigner.GetAuthorizationHeader(
            "bedrock", region, requestMessage.Method.ToString(), requestMessage.RequestUri!, now, signed, payloadHash,
            credentials.AccessKey, credentials.SecretKey, session);
        requestMessage.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    private static readonly HashSet<string> Unsigned = new(StringComparer.OrdinalIgnoreCase) { "User-Agent", "traceparent", "tracestate", "baggage" };

    private static async Task<AWSCredentials> ResolveAsync(string provider, string? profile)
    {
        try
        {
            if (profile is not null)
            {
                return new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var named)
                    ? named
                    : throw Missing(provider, string.Create(CultureInfo.InvariantCulture, $"the AWS profile '{profile}' (aws_profile) is not in ~/.aws/credentials or ~/.aws/config"), null);
            }

            return await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (AmazonClientException ex)
        {
            throw Missing(provider, "no AWS credentials were found", ex);
        }
    }

    private static ProviderException Missing(string provider, string what, Exception? inner) =>
        new(ProviderErrorKind.Authentication,
            $"{what}. Amazon Bedrock needs AWS credentials: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), "
            + $"sign in with 'aws sso login' / 'aws configure' and set providers.{provider}.settings.aws_profile or AWS_PROFILE, "
            + $"or use a Bedrock API key (export AWS_BEARER_TOKEN_BEDROCK, or providers.{provider}.api_key_env)",
            inner)
        {
            Provider = provider,
        };
}
