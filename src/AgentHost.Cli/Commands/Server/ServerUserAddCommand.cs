using System.CommandLine;
using AgentHost.Sessions;

namespace AgentHost.Cli.Commands.Server;

/// <summary><c>agent server user add NAME [--role admin|member|viewer]</c>: adds a user and prints their token once.</summary>
internal sealed class ServerUserAddCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The user name (letters, digits, . _ - @; e.g. alice or alice@example.com)." };
    private readonly Option<string> _role = new("--role")
    {
        Description = "admin (sees and steers every session), member (only their own sessions) or viewer (reads, changes nothing).",
        DefaultValueFactory = _ => "member",
    };

    public ServerUserAddCommand(CliContext context)
        : base("add", "Add a user and print their bearer token (shown once; only its hash is stored).", context)
    {
        Arguments.Add(_name);
        Options.Add(_role);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = UserNames.Check(parseResult.GetRequiredValue(_name));
        var role = UserNames.ParseRole(parseResult.GetRequiredValue(_role), "--role");
        var opened = await ServeStore.OpenAsync(Context, null, Context.Configuration(parseResult), cancellationToken).ConfigureAwait(false);
        var (token, hash) = UserTokens.New();
        await opened.Store.Users.AddUserAsync(name, role, hash, cancellationToken).ConfigureAwait(false);
        // Which store: without server.store it is the local SQLite file, which a server given another store never reads.
        ServerUserTokenCommand.Show(Context, $"Added {UserNames.RoleName(role)} '{name}' to {opened.Describe}.", token);
        return ExitCodes.Success;
    }
}
