using System.Globalization;

namespace AgentHost.Hosting.Configuration;

/// <summary>One configuration value and where it came from.</summary>
/// <remarks>
/// Immutable. <see cref="Value"/> holds secrets in clear text: print <see cref="DisplayValue"/>, never
/// <see cref="Value"/>. <see cref="ToString"/> and <see cref="Source"/> are redacted.
/// </remarks>
/// <param name="Key">The dotted key, e.g. <c>providers.openai.base_url</c>; list items use an index (<c>plugins.feeds.0.url</c>).</param>
/// <param name="Value">The value (after <c>$VAR</c> expansion for file values).</param>
/// <param name="Layer">The layer that set it.</param>
/// <param name="File">The file that set it (global and project layers).</param>
/// <param name="Line">The 1-based line in <paramref name="File"/>.</param>
/// <param name="Origin">The environment variable name (env layer) or the flag text, secrets redacted (flag layer).</param>
public sealed record ConfigEntry(
    string Key,
    string Value,
    ConfigLayer Layer,
    string? File = null,
    int? Line = null,
    string? Origin = null)
{
    /// <summary>The text shown for a redacted secret.</summary>
    public const string RedactedText = "***";

    /// <summary>Whether the key names a secret (see <see cref="SecretRedaction"/>).</summary>
    public bool IsSecret => SecretRedaction.IsSecret(Key);

    /// <summary>The value as it may be shown to people: <c>***</c> for a non-empty secret.</summary>
    public string DisplayValue => IsSecret && Value.Length > 0 ? RedactedText : Value;

    /// <summary>
    /// Where the value came from, as shown to people: <c>default</c>, <c>/path/config.yaml:12</c>,
    /// <c>env AGENT_LOG_LEVEL</c> or <c>flag -c log_level=debug</c>.
    /// </summary>
    public string Source => Layer switch
    {
        ConfigLayer.Default => "default",
        ConfigLayer.Environment => "env " + Origin,
        ConfigLayer.Flag => "flag " + Origin,
        _ when File is not null && Line is not null => string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}"),
        _ => File ?? Layer.ToDisplayName(),
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Key} = {DisplayValue} ({Source})";
}
