using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Agent.Composition;

/// <summary>What every front end checks before it composes with a configuration.</summary>
public static class ConfigurationChecks
{
    /// <summary>The configuration, when none of its problems is an error.</summary>
    /// <param name="configuration">The resolved configuration.</param>
    /// <returns>The same configuration.</returns>
    /// <exception cref="AgentHostException">It has errors (<see cref="ErrorKind.Configuration"/>, each named, with the command that explains them).</exception>
    public static ConfigurationSnapshot ThrowIfInvalid(this ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.HasErrors
            ? throw new AgentHostException(ErrorKind.Configuration, $"configuration errors:\n  {string.Join("\n  ", configuration.Problems.Where(p => p.IsError))}\nRun 'agent config validate' for details.")
            : configuration;
    }
}
