using System.Security.Cryptography;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Server.Http;

/// <summary>The bearer token of a server (<c>agent serve</c>, <c>agent mcp serve --http</c>).</summary>
public static class BearerTokens
{
    /// <summary>
    /// From the variable <paramref name="optionVariable"/> names (<c>--token-env</c>), else the one the configuration key
    /// <paramref name="configKey"/> names, else a new random token (which the caller prints on standard error only).
    /// </summary>
    /// <param name="environment">The process environment.</param>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="optionVariable">The variable <c>--token-env</c> names, when given.</param>
    /// <param name="configKey">The configuration key naming the variable (<c>server.token_env</c>, <c>mcp.serve.token_env</c>).</param>
    /// <returns>The token, and whether it was generated now.</returns>
    /// <exception cref="AgentHostException">The named variable is not set (<see cref="ErrorKind.Usage"/>).</exception>
    public static (string Value, bool Generated) Resolve(HostEnvironment environment, ConfigurationSnapshot configuration, string? optionVariable, string configKey)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(configuration);
        var variable = optionVariable is { Length: > 0 } ? optionVariable : configuration.Get(configKey) is { Length: > 0 } fromConfig ? fromConfig : null;
        if (variable is not null)
        {
            return environment.Get(variable) is { Length: > 0 } value
                ? (value, false)
                : throw new AgentHostException(ErrorKind.Usage, $"the bearer token variable {variable} is not set (or empty); set it, or leave out --token-env and {configKey} to get a generated token.");
        }

        return (Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), true);
    }
}
