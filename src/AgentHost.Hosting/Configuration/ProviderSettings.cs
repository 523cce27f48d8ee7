namespace AgentHost.Hosting.Configuration;

/// <summary>One model provider, from <c>providers.&lt;name&gt;</c>.</summary>
/// <remarks><see cref="ToString"/> redacts <see cref="ApiKey"/>; never log the record's members one by one.</remarks>
/// <param name="Name">The provider's name (the key under <c>providers</c>).</param>
/// <param name="Type">The implementation, e.g. <c>openai</c>; defaults to <paramref name="Name"/>.</param>
/// <param name="BaseUrl">The API endpoint, if set.</param>
/// <param name="ApiKey">The API key itself (a secret), if set.</param>
/// <param name="ApiKeyEnv">The environment variable holding the API key, if set.</param>
/// <param name="ApiKeyFile">The file holding the API key (absolute; relative paths resolve like plugin feed folders), if set.</param>
/// <param name="ApiKeyCommand">A command that prints the API key, if set.</param>
/// <param name="Headers">Extra HTTP headers.</param>
/// <param name="Models">The model ids listed under <c>models</c> (list items, or the keys of a map).</param>
public sealed record ProviderSettings(
    string Name,
    string Type,
    string? BaseUrl,
    string? ApiKey,
    string? ApiKeyEnv,
    string? ApiKeyFile,
    string? ApiKeyCommand,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyList<string> Models)
{
    /// <summary>
    /// The cloud platform the provider's type is served through (<c>settings.platform</c>, e.g. <c>bedrock</c> or
    /// <c>vertex</c> for the anthropic type), or <see langword="null"/> for the type's own API (also for
    /// <c>platform: anthropic</c>, which names it). Such a provider signs in with the platform's credentials: it never
    /// gets its type's conventional key variable (<c>ANTHROPIC_API_KEY</c>), and it talks to no known service.
    /// </summary>
    public string? Platform { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"ProviderSettings {{ Name = {Name}, Type = {Type}, BaseUrl = {BaseUrl}, ApiKey = {(ApiKey is null ? "(none)" : ConfigEntry.RedactedText)}, ApiKeyEnv = {ApiKeyEnv}, ApiKeyFile = {ApiKeyFile}, ApiKeyCommand = {ApiKeyCommand}, Headers = {Headers.Count}, Models = {Models.Count}, Platform = {Platform} }}";
}
