using System.CommandLine;

namespace AgentHost.Cli.Commands.Server;

/// <summary><c>agent server …</c>: a running server's status, and a shared server's users (docs/server.md).</summary>
internal sealed class ServerCommand : Command
{
    public ServerCommand(CliContext context)
        : base("server", "Show a running 'agent serve' (and its cluster), and manage the users of a shared one (stored in the session store the server uses).")
    {
        Subcommands.Add(new ServerStatusCommand(context));
        var user = new Command("user", "Add, list and remove users, issue new tokens and revoke old ones; a token is shown once and stored hashed.");
        user.Subcommands.Add(new ServerUserAddCommand(context));
        user.Subcommands.Add(new ServerUserListCommand(context));
        user.Subcommands.Add(new ServerUserRemoveCommand(context));
        user.Subcommands.Add(new ServerUserRevokeCommand(context));
        user.Subcommands.Add(new ServerUserTokenCommand(context));
        Subcommands.Add(user);
    }
}
