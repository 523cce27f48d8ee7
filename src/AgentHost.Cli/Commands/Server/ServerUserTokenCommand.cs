using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Sessions;

namespace AgentHost.Cli.Commands.Server;

/// <summary><c>agent server user token NAME</c>: issues a new token for a user (the old one stops working at once).</summary>
internal sealed class ServerUserTokenCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The user name." };

    public ServerUserTokenCommand(CliContext context)
        : base("token", "Issue a new token for a user and print it once; their old token stops working at once.", context)
    {
        Arguments.Add(_name);
    }

    /// <summary>Prints a new token on standard output (alone on its line, for scripts) and how to keep it on standard error.</summary>
    public static void Show(CliContext context, string what, string token)
    {
        context.Console.WriteInfo($"{what} Their token follows; it is shown only this once (the server stores its hash), so hand it over now:");
        context.Console.WriteLine(token);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetRequiredValue(_name);
        var store = (await ServeStore.OpenAsync(Context, null, Context.Configuration(parseResult), cancellationToken).ConfigureAwait(false)).Store;
        var (token, hash) = UserTokens.New();
        if (!await store.Users.SetUserTokenAsync(name, hash, cancellationToken).ConfigureAwait(false))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"no user '{name}'; 'agent server user list' shows the users, 'agent server user add {name}' adds one.");
        }

        Show(Context, $"New token for '{name}' (the old one no longer works).", token);
        return ExitCodes.Success;
    }
}
