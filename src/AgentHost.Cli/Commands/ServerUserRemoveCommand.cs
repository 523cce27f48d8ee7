using System.CommandLine;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent server user remove NAME</c>: removes a user (their token stops working at once; their sessions stay).</summary>
internal sealed class ServerUserRemoveCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The user name." };

    public ServerUserRemoveCommand(CliContext context)
        : base("remove", "Remove a user: their token stops working at once; their sessions stay (admins see them).", context)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetRequiredValue(_name);
        var store = (await ServeStore.OpenAsync(Context, null, Context.Configuration(parseResult), cancellationToken).ConfigureAwait(false)).Store;
        if (!await store.Users.RemoveUserAsync(name, cancellationToken).ConfigureAwait(false))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"no user '{name}'; 'agent server user list' shows the users.");
        }

        Context.Console.WriteLine($"Removed user '{name}'.");
        return ExitCodes.Success;
    }
}
