using AgentHost.Agent.Credentials;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Cli.Commands;

/// <summary>
/// Storing a provider's API key, shared by <c>agent auth login</c>, the chat's <c>/login</c> and <c>agent acp --login</c>
/// (the editor's terminal authentication): the name's check, reading the key (piped, or asked for without echo), storing
/// it and saying where, with a note when another source takes precedence.
/// </summary>
internal static class ProviderKeyLogin
{
    /// <summary>The provider name, trimmed, as the stored keys take it.</summary>
    /// <exception cref="AgentHostException">Not a provider name (the message says what one is).</exception>
    internal static string CheckedName(string provider)
    {
        var name = provider.Trim();
        return StoredKeys.IsValidName(name)
            ? name
            : throw new AgentHostException(ErrorKind.Usage, $"'{provider}' is not a provider name: use the name from config.yaml's providers (lowercase letters, digits, '.', '-', '_'), e.g. openai.");
    }

    /// <summary>
    /// Stores <paramref name="key"/> for <paramref name="provider"/> (<see cref="StoredKeys.Store"/>) and says where, with
    /// a note when the keychain did not take it or a configured source or the provider's environment variable takes
    /// precedence (<see cref="ProviderKeys.SourceAheadOfStoredKey"/>). Shared by <c>agent auth login</c> and the chat's <c>/login</c>.
    /// </summary>
    /// <param name="provider">The checked provider name (<see cref="CheckedName"/>).</param>
    /// <param name="key">The key, trimmed and not empty.</param>
    /// <param name="configuration">The configuration, whose provider settings may name a source ahead of the stored key.</param>
    /// <param name="environment">The environment.</param>
    /// <param name="console">Where to say it.</param>
    internal static void Save(string provider, string key, ConfigurationSnapshot configuration, HostEnvironment environment, Interaction.IConsoleInteraction console)
    {
        if (key.Contains('\n', StringComparison.Ordinal))
        {
            throw new AgentHostException(ErrorKind.Usage, "the key has more than one line; give only the key. Nothing was stored.");
        }

        var (where, note) = StoredKeys.Store(provider, key, environment);
        if (note is not null)
        {
            console.WriteInfo("note: " + note + ".");
        }

        console.WriteLine($"Stored the API key for {provider} in {where.Location}.");
        if (ProviderKeys.SourceAheadOfStoredKey(provider, configuration, environment) is { } source)
        {
            console.WriteInfo($"note: {source} takes precedence over the stored key, so the stored key is not used while it is set. Remove it (or unset the variable) to use the stored key; 'agent auth status' shows which source is used.");
        }
    }

    /// <summary>
    /// Reads <paramref name="provider"/>'s key (piped, or asked for without echo) and stores it; shared by
    /// <c>agent auth login</c> and <c>agent acp --login</c> (the editor's terminal authentication).
    /// </summary>
    /// <param name="provider">The checked provider name (<see cref="CheckedName"/>).</param>
    /// <param name="context">The command's context (console, environment).</param>
    /// <param name="configuration">The configuration (a source it names ahead of the stored key is noted).</param>
    /// <exception cref="AgentHostException">No key was given; nothing was stored.</exception>
    internal static void Login(string provider, CliContext context, ConfigurationSnapshot configuration)
    {
        var console = context.Console;
        var key = console.ReadRedirectedInput() is { } piped
            ? piped.Trim()
            : console.ReadSecret($"API key for {provider} (input hidden): ")?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            throw new AgentHostException(
                ErrorKind.Usage,
                console.IsInteractive
                    ? "no key entered; nothing was stored."
                    : $"no key on standard input, and no terminal to ask at. Pipe it in: 'agent auth login {provider} < key.txt' (or 'printenv MY_KEY | agent auth login {provider}'). Nothing was stored.");
        }

        Save(provider, key, configuration, context.Environment, console);
    }
}
