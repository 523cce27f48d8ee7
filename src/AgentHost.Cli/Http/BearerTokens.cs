using System.Security.Cryptography;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Cli.Http;

/// <summary>The bearer token of a server the CLI runs (<c>agent serve</c>, <c>agent mcp serve --http</c>).</summary>
internal static class BearerTokens
{
    /// <summary>
    /// From the variable <paramref name="optionVariable"/> names (<c>--token-env</c>), else the one the configuration key
    /// <paramref name="configKey"/> names, else a new random token (which the caller prints on standard error only).
    /// </summary>
    /// <exception cref="AgentHostException">The named variable is not set (<see cref="ErrorKind.Usage"/>).</exception>
    public static (string Value, bool Generated) Resolve(HostEnvironment environment, ConfigurationSnapshot configuration, string? optionVariable, string configKey)
    {
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
