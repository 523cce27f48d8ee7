using System.CommandLine;
using System.Globalization;

namespace AgentHost.Cli.Commands.Server;

/// <summary>
/// <c>agent server user revoke NAME</c>: ends every credential issued to a name until now — an identity provider's
/// tokens (JWTs) for that name issued before now, and a stored user's token — on every server that shares the store,
/// open event streams included (docs/server.md "Users and roles").
/// </summary>
internal sealed class ServerUserRevokeCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The user name (a stored user's, or the name an identity provider's tokens carry)." };

    public ServerUserRevokeCommand(CliContext context)
        : base("revoke", "End every token issued to a user until now: identity-provider tokens (JWTs) issued before now, and a stored user's token; their open event streams end too.", context)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetRequiredValue(_name);
        var store = (await ServeStore.OpenAsync(Context, null, Context.Configuration(parseResult), cancellationToken).ConfigureAwait(false)).Store;
        var stored = await store.Users.FindUserAsync(name, cancellationToken).ConfigureAwait(false) is not null;
        var at = await store.Users.RevokeTokensAsync(name, cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Revoked the tokens issued to '{name}' until {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC: identity-provider tokens issued before then (and up to a minute after) are refused."));
        Context.Console.WriteInfo(stored
            ? $"The stored token of '{name}' no longer works either; 'agent server user token {name}' gives them a new one."
            : $"'{name}' is not a stored user; a token the identity provider issues them from now on works (remove them there, or from the role claims, to keep them out).");
        return ExitCodes.Success;
    }
}
