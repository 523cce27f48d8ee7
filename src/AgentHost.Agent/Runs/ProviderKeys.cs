using AgentHost.Agent.Models;
using AgentHost.Common.Processes;
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
    /// <summary>The most time an <c>api_key_command</c> may take.</summary>
    public static TimeSpan CommandTimeout { get; } = TimeSpan.FromSeconds(15);

    /// <summary>The conventional environment variable of a provider type, if it has one.</summary>
    /// <param name="providerType">The type.</param>
    /// <returns>The variable name.</returns>
    public static string? ConventionalVariable(string providerType) => providerType.ToLowerInvariant() switch
    {
        "openai" => "OPENAI_API_KEY",
        "anthropic" => "ANTHROPIC_API_KEY",
        _ => null,
    };

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
        if (settings?.ApiKey is { Length: > 0 } key)
        {
            return key;
        }

        if (settings?.ApiKeyEnv is { } variable)
        {
            return environment.Get(variable)
                ?? throw new AgentHostException(ErrorKind.Configuration, $"provider '{providerName}' reads its API key from ${variable}, which is not set. Export {variable}=<your key>.");
        }

        if (settings?.ApiKeyFile is { } file)
        {
            return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } text
                ? text
                : throw new AgentHostException(ErrorKind.Configuration, $"provider '{providerName}' reads its API key from {file}, which is missing or empty. Write the key into that file.");
        }

        if (settings?.ApiKeyCommand is { } command)
        {
            return RunCommand(providerName, command, environment);
        }

        // The conventional variable is for the service's own endpoint only (or where its base-URL variable, set by the
        // user like the key, moves it): a key for api.openai.com must not go to whatever base_url a configuration names.
        var conventional = KnownProvider.ServiceOf(providerName, providerType, settings?.BaseUrl) is { } service
            ? service.KeyVariable
            : settings?.BaseUrl is null ? ConventionalVariable(providerType) : null;
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

    private static string RunCommand(string providerName, string command, HostEnvironment environment)
    {
        // The shell is found like every program the host starts (absolute PATH entries only, never the project).
        var (shell, flags) = OperatingSystem.IsWindows() ? ("cmd.exe", new[] { "/d", "/c" }) : ("/bin/sh", new[] { "-c" });
        var spec = new ProcessSpec(shell, [.. flags, command])
        {
            WorkingDirectory = environment.CurrentDirectory,
            Purpose = $"provider '{providerName}': api_key_command's shell",
        };
        ProcessOutput result;
        try
        {
            // Resolve is synchronous for its callers (model selection); the command runs on the thread pool with a time limit.
            result = Task.Run(() => ProcessLauncher.RunAsync(spec, CommandTimeout, maxOutputCharacters: 64_000)).GetAwaiter().GetResult();
        }
        catch (ProgramStartException ex)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"provider '{providerName}': api_key_command could not run ({ex.Message}).", ex);
        }

        if (result.TimedOut)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"provider '{providerName}': api_key_command did not finish within {CommandTimeout.TotalSeconds:0} s. Make it print the key without waiting for input.");
        }

        var key = result.Output.Trim();
        if (result.ExitCode != 0 || key.Length == 0)
        {
            // The command's error text may quote the key or a token; show only its first line, cut short.
            var firstLine = result.Error.Split('\n', 2)[0].Trim().TrimEnd('.'); // the message adds its own period
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"provider '{providerName}': api_key_command exited with {result.ExitCode}{(key.Length == 0 ? " and printed no key" : string.Empty)}{(firstLine.Length > 0 ? ": " + (firstLine.Length > 200 ? firstLine[..200] + "…" : firstLine) : string.Empty)}. Fix the command in config.yaml.");
        }

        return key;
    }
}
