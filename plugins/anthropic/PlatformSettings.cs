namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// The cloud platform of a provider (<c>settings.platform</c>) and where on it: the AWS region and profile for Amazon
/// Bedrock, the Google Cloud project and region for Vertex AI. Missing values are taken from the variables the
/// official packages read (<c>AWS_REGION</c>, <c>ANTHROPIC_VERTEX_PROJECT_ID</c>, <c>CLOUD_ML_REGION</c>); a value that
/// is still missing throws <see cref="ArgumentException"/> naming the setting, the variable and an example.
/// </summary>
/// <remarks>Immutable. Holds no secret: credentials are resolved per request by <see cref="PlatformCredentials"/>.</remarks>
internal sealed record PlatformSettings
{
    /// <summary>Anthropic's own API: no platform.</summary>
    public static readonly PlatformSettings None = new() { Platform = CloudPlatform.Anthropic };

    public required CloudPlatform Platform { get; init; }

    /// <summary>The AWS region (Bedrock) or the Google Cloud location (Vertex: a region, <c>global</c>, <c>us</c> or <c>eu</c>).</summary>
    public string? Region { get; init; }

    /// <summary>The Google Cloud project id (Vertex).</summary>
    public string? Project { get; init; }

    /// <summary>The named AWS profile whose credentials sign requests (Bedrock), when not the default chain's.</summary>
    public string? Profile { get; init; }

    /// <summary>The configured <c>base_url</c> (a VPC or Private Service Connect endpoint, a proxy), else <see langword="null"/>.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The <c>anthropic_version</c> the platform requires in the request body.</summary>
    public string? RequiredVersion => Platform switch
    {
        CloudPlatform.Bedrock => "bedrock-2023-05-31",
        CloudPlatform.Vertex => "vertex-2023-10-16",
        _ => null,
    };

    /// <summary>The platform's own endpoint for <see cref="Region"/>, as the official packages compute it.</summary>
    public string DefaultBaseUrl => Platform switch
    {
        CloudPlatform.Bedrock => $"https://bedrock-runtime.{Region}.amazonaws.com",
        CloudPlatform.Vertex => Region switch
        {
            "global" => "https://aiplatform.googleapis.com",
            "us" => "https://aiplatform.us.rep.googleapis.com",
            "eu" => "https://aiplatform.eu.rep.googleapis.com",
            _ => $"https://{Region}-aiplatform.googleapis.com",
        },
        _ => AnthropicSettings.DefaultBaseUrl,
    };

    /// <summary>Reads <c>platform</c> and its settings.</summary>
    /// <param name="provider">The provider name (for messages).</param>
    /// <param name="settings">The provider's settings.</param>
    /// <param name="baseUrl">The configured <c>base_url</c>, if any.</param>
    /// <param name="environment">Reads an environment variable (the process's by default).</param>
    public static PlatformSettings From(string provider, IReadOnlyDictionary<string, string> settings, Uri? baseUrl, Func<string, string?> environment)
    {
        var platform = Text(settings, "platform")?.ToLowerInvariant() switch
        {
            null or "anthropic" => CloudPlatform.Anthropic,
            "bedrock" => CloudPlatform.Bedrock,
            "vertex" => CloudPlatform.Vertex,
            var other => throw new ArgumentException($"providers.{provider}.settings.platform: '{other}' is not allowed. Use one of: anthropic, bedrock, vertex."),
        };
        return platform switch
        {
            CloudPlatform.Bedrock => new PlatformSettings
            {
                Platform = platform,
                Region = Text(settings, "aws_region") ?? Env(environment, "AWS_REGION") ?? Env(environment, "AWS_DEFAULT_REGION") ?? AwsChainCredentials.ProfileRegion(Text(settings, "aws_profile"))
                    ?? throw new ArgumentException($"providers.{provider}.settings.aws_region: no AWS region for Amazon Bedrock. Set aws_region (e.g. us-east-1) in the provider's settings, export AWS_REGION, or give your AWS profile a region."),
                Profile = Text(settings, "aws_profile"),
                Endpoint = baseUrl,
            },
            CloudPlatform.Vertex => new PlatformSettings
            {
                Platform = platform,
                Project = Text(settings, "vertex_project_id") ?? Env(environment, "ANTHROPIC_VERTEX_PROJECT_ID")
                    ?? throw new ArgumentException($"providers.{provider}.settings.vertex_project_id: no Google Cloud project for Vertex AI. Set vertex_project_id (e.g. my-project-123456) in the provider's settings, or export ANTHROPIC_VERTEX_PROJECT_ID."),
                Region = Text(settings, "vertex_region") ?? Env(environment, "CLOUD_ML_REGION") ?? "global",
                Endpoint = baseUrl,
            },
            _ => None,
        };
    }

    private static string? Text(IReadOnlyDictionary<string, string> settings, string key) =>
        settings.TryGetValue(key, out var value) && value.Trim().Length > 0 ? value.Trim() : null;

    private static string? Env(Func<string, string?> environment, string name) =>
        environment(name) is { } value && value.Trim().Length > 0 ? value.Trim() : null;
}
