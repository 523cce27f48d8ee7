using System.CommandLine;
using System.Globalization;
using AgentHost.Sessions;

namespace AgentHost.Cli.Commands.Server;

/// <summary><c>agent server user list</c>: the users, their roles and when their tokens were issued (never the tokens).</summary>
internal sealed class ServerUserListCommand : AgentCommand
{
    public ServerUserListCommand(CliContext context)
        : base("list", "List the users with their roles and when their tokens were issued.", context)
    {
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var store = (await ServeStore.OpenAsync(Context, null, Context.Configuration(parseResult), cancellationToken).ConfigureAwait(false)).Store;
        var users = await store.Users.ListUsersAsync(cancellationToken).ConfigureAwait(false);
        if (users.Count == 0)
        {
            Context.Console.WriteInfo("No users; 'agent server user add NAME --role member' adds one (the server's own token still works as an admin).");
            return ExitCodes.Success;
        }

        var width = Math.Max(4, users.Max(u => u.Name.Length));
        Context.Console.WriteLine($"{"NAME".PadRight(width)}  {"ROLE",-6}  TOKEN ISSUED");
        foreach (var user in users)
        {
            Context.Console.WriteLine($"{user.Name.PadRight(width)}  {UserNames.RoleName(user.Role),-6}  {user.TokenIssuedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z");
        }

        return ExitCodes.Success;
    }
}
