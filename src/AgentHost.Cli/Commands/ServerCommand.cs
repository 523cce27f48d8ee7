using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent server …</c>: manage a shared server's users (docs/server.md "Users and roles").</summary>
internal sealed class ServerCommand : Command
{
    public ServerCommand(CliContext context)
        : base("server", "Manage the users of a shared 'agent serve' (stored in the session store the server uses).")
    {
        var user = new Command("user", "Add, list and remove users, and issue new tokens; a token is shown once and stored hashed.");
        user.Subcommands.Add(new ServerUserAddCommand(context));
        user.Subcommands.Add(new ServerUserListCommand(context));
        user.Subcommands.Add(new ServerUserRemoveCommand(context));
        user.Subcommands.Add(new ServerUserTokenCommand(context));
        Subcommands.Add(user);
    }
}
