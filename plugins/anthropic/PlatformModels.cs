using AgentHost.Sdk.Capabilities;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// The well-known Claude models as Amazon Bedrock and Vertex AI name them, with the limits and list prices of
/// <see cref="KnownModels"/>: Bedrock <c>anthropic.claude-sonnet-4-5-20250929-v1:0</c> (behind the region group's
/// cross-region inference profile, <c>us.</c>, <c>eu.</c> or <c>apac.</c>, which Claude 4 models need for on-demand
/// use), Vertex <c>claude-sonnet-4-5@20250929</c>.
/// </summary>
internal static class PlatformModels
{
    /// <summary>The family id of <see cref="KnownModels"/> and its dated version on both platforms.</summary>
    private static readonly (string Family, string Dated)[] Versions =
    [
        ("claude-opus-4-1", "claude-opus-4-1-20250805"),
        ("claude-opus-4-0", "claude-opus-4-20250514"),
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("claude-sonnet-4-0", "claude-sonnet-4-20250514"),
        ("claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219"),
        ("claude-haiku-4-5", "claude-haiku-4-5-20251001"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022"),
    ];

    private static readonly string[] RegionGroups = ["us", "eu", "apac", "global", "jp", "au", "ca"];

    /// <summary>The known models on <paramref name="cloud"/>'s platform (in its region, for Bedrock's inference profiles).</summary>
    public static IReadOnlyList<ModelDescriptor> For(PlatformSettings cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        var models = new List<ModelDescriptor>();
        foreach (var (family, dated) in Versions)
        {
            if (KnownModels.All.FirstOrDefault(m => m.Id == family) is not { } known)
            {
                continue;
            }

            var id = cloud.Platform switch
            {
                CloudPlatform.Bedrock => BedrockPrefix(cloud.Region) + "anthropic." + dated + "-v1:0",
                CloudPlatform.Vertex => dated[..dated.LastIndexOf('-')] + "@" + dated[(dated.LastIndexOf('-') + 1)..],
                _ => family,
            };
            models.Add(known with { Id = id });
        }

        return models;
    }

    /// <summary>
    /// The Anthropic API's spelling of a platform model id, for <see cref="KnownModels.Find"/>:
    /// <c>us.anthropic.claude-sonnet-4-5-20250929-v1:0</c> and <c>claude-sonnet-4-5@20250929</c> are <c>claude-sonnet-4-5-20250929</c>.
    /// </summary>
    public static string ToAnthropicId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var text = id;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && RegionGroups.Contains(text[..dot], StringComparer.Ordinal) && text[(dot + 1)..].StartsWith("anthropic.", StringComparison.Ordinal))
        {
            text = text[(dot + 1)..];
        }

        if (text.StartsWith("anthropic.", StringComparison.Ordinal))
        {
            text = text["anthropic.".Length..];
            var version = text.LastIndexOf("-v", StringComparison.Ordinal);
            if (version > 0 && text[(version + 2)..].All(c => char.IsAsciiDigit(c) || c == ':'))
            {
                text = text[..version];
            }
        }

        return text.Replace('@', '-');
    }

    private static string BedrockPrefix(string? region) => region switch
    {
        null => string.Empty,
        _ when region.StartsWith("us-", StringComparison.Ordinal) => "us.",
        _ when region.StartsWith("eu-", StringComparison.Ordinal) => "eu.",
        _ when region.StartsWith("ap-", StringComparison.Ordinal) => "apac.",
        _ => string.Empty,
    };
}
