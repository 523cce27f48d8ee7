using System.CommandLine;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands.Server;

/// <summary>
/// <c>agent server user remove NAME</c>: removes a user (their token stops working at once; their sessions stay) and
/// revokes what was issued to the name until now, an identity provider's tokens included (<see cref="ServerUserRevokeCommand"/>).
/// </summary>
internal sealed class ServerUserRemoveCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The user name." };

    public ServerUserRemoveCommand(CliContext context)
        : base("remove", "Remove a user: their token (and identity-provider tokens issued to the name so far) stops working at once; their sessions stay (admins see them).", context)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetRequiredValue(_name);
        var store = (await ServeStore.OpenAsync(Context, null, Context.Configuration(parseResult), cancellationToken).ConfigureAwait(false)).Store;
        if (!await store.Users.RemoveUserAsync(name, cancellationToken).ConfigureAwait(false))
        {
            throw new AgentHostException(
                ErrorKind.NotFound,
                $"no user '{name}'; 'agent server user list' shows the users (a user of the identity provider is not stored: 'agent server user revoke {name}' ends the tokens issued to them so far).");
        }

        // The same name's identity-provider tokens (server.jwt) issued until now stop working too.
        await store.Users.RevokeTokensAsync(name, cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"Removed user '{name}'.");
        return ExitCodes.Success;
    }
}
