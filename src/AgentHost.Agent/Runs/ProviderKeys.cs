using AgentHost.Agent.Credentials;
using AgentHost.Agent.Models;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
namespace AgentHost.Agent.Runs;

/// <summary>
/// Finds a provider's API key: <c>api_key</c>, <c>api_key_env</c>, <c>api_key_file</c>, <c>api_key_command</c>, else the
/// conventional variable of its type (<c>OPENAI_API_KEY</c>, <c>ANTHROPIC_API_KEY</c>) when no <c>base_url</c> points
/// elsewhere, else a key stored with <c>agent auth login</c> (<see cref="StoredKeys"/>). The key is returned to the provider plugin only; it is never logged, and a missing one gives one message
/// naming what to set.
/// </summary>
public static class ProviderKeys
{
    /// <summary>The conventional environment variable of a provider type, if it has one.</summary>
    /// <param name="providerType">The type.</param>
    /// <returns>The variable name.</returns>
    public static string? ConventionalVariable(string providerType) => providerType.ToLowerInvariant() switch
    {
        "openai" => "OPENAI_API_KEY",
        "anthropic" => "ANTHROPIC_API_KEY",
        _ => null,
    };

    /// <summary>
    /// The source that would supply the key ahead of one stored with <c>agent auth login</c>, in <see cref="Resolve"/>'s
    /// order, for people: <c>providers.x.api_key_env ($X) in FILE:LINE</c> or <c>the environment variable OPENAI_API_KEY</c>;
    /// <see langword="null"/> when a stored key would be used. Reads no secret and runs no command.
    /// </summary>
    /// <param name="providerName">The configured name.</param>
    /// <param name="configuration">The configuration.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The source, or <see langword="null"/>.</returns>
    public static string? SourceAheadOfStoredKey(string providerName, ConfigurationSnapshot configuration, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var settings = configuration.Providers.GetValueOrDefault(providerName);
        string? Configured(string suffix, string? detail)
        {
            var key = $"providers.{providerName}.{suffix}";
            var where = configuration.Explain(key) is { File: { } file } entry ? $" in {file}{(entry.Line is { } line ? ":" + line.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty)}" : string.Empty;
            return $"{key}{detail}{where}";
        }

        if (settings is not null)
        {
            if (settings.ApiKey is { Length: > 0 })
            {
                return Configured("api_key", null);
            }

            if (settings.ApiKeyEnv is { } variable)
            {
                return Configured("api_key_env", environment.Get(variable) is null ? $" (${variable}, not set: the provider fails until it is)" : $" (${variable})");
            }

            if (settings.ApiKeyFile is { } file)
            {
                return Configured("api_key_file", $" ({file})");
            }

            if (settings.ApiKeyCommand is not null)
            {
                return Configured("api_key_command", null);
            }
        }

        return ConventionalVariableOf(providerName, settings?.Type ?? providerName, settings) is { } conventional && environment.Get(conventional) is not null
            ? $"the environment variable {conventional}"
            : null;
    }

    /// <summary>Resolves the key.</summary>
    /// <param name="providerName">The configured name (for messages).</param>
    /// <param name="providerType">The type.</param>
    /// <param name="settings">The provider's configuration, when it has any.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The key, or <see langword="null"/> for a provider that needs none (a local endpoint).</returns>
    /// <exception cref="AgentHostException">A configured source is missing or fails, or a hosted provider has no key (<see cref="ErrorKind.Configuration"/>).</exception>
    public static string? Resolve(string providerName, string providerType, ProviderSettings? settings, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (settings is not null
            && new SecretSource(settings.ApiKey, settings.ApiKeyEnv, settings.ApiKeyFile, settings.ApiKeyCommand).Resolve($"provider '{providerName}'", "API key", "api_key", environment) is { } configured)
        {
            return configured;
        }

        var conventional = ConventionalVariableOf(providerName, providerType, settings);
        if (conventional is not null && environment.Get(conventional) is { } fromEnvironment)
        {
            return fromEnvironment;
        }

        // A key stored with 'agent auth login <provider>' (keychain or credentials file) comes after the variable.
        if (StoredKeys.Find(providerName, environment) is { } stored)
        {
            return stored;
        }

        if (conventional is not null)
        {
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"provider '{providerName}' needs an API key: export {conventional}=<your key>, store one with 'agent auth login {providerName}', or set providers.{providerName}.api_key_env, api_key_file or api_key_command in config.yaml.");
        }

        return null;
    }

    /// <summary>
    /// The conventional key variable that applies to this provider: for the service's own endpoint only (or where its
    /// base-URL variable, set by the user like the key, moves it), since a key for api.openai.com must not go to whatever
    /// base_url a configuration names. A cloud platform (Bedrock, Vertex AI) has its own credentials: no conventional key.
    /// </summary>
    private static string? ConventionalVariableOf(string providerName, string providerType, ProviderSettings? settings) =>
        settings?.Platform is not null ? null
            : KnownProvider.ServiceOf(providerName, providerType, settings?.BaseUrl) is { } service ? service.KeyVariable
            : settings?.BaseUrl is null ? ConventionalVariable(providerType) : null;
}
