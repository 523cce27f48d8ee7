using System.CommandLine;

namespace AgentHost.Cli.Commands.Auth;

/// <summary><c>agent auth …</c>: store, remove and show provider API keys (kept in the OS keychain or a user-only file, never in config.yaml).</summary>
internal sealed class AuthCommand : Command
{
    public AuthCommand(CliContext context)
        : base("auth", "Store provider API keys in the OS keychain (or a user-only file), remove them, and show which providers have one.")
    {
        Subcommands.Add(new AuthLoginCommand(context));
        Subcommands.Add(new AuthLogoutCommand(context));
        Subcommands.Add(new AuthStatusCommand(context));
    }
}
