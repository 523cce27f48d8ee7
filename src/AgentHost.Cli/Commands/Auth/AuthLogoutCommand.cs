using System.CommandLine;
using AgentHost.Agent.Credentials;
using AgentHost.Agent.Runs;

namespace AgentHost.Cli.Commands.Auth;

/// <summary><c>agent auth logout &lt;provider&gt;</c>: deletes a stored key (from the keychain too).</summary>
internal sealed class AuthLogoutCommand : AgentCommand
{
    private readonly Argument<string> _provider = new("provider") { Description = "The provider whose stored key to delete." };

    public AuthLogoutCommand(CliContext context)
        : base("logout", "Delete a provider's stored API key.", context)
    {
        Arguments.Add(_provider);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var provider = ProviderKeyLogin.CheckedName(parseResult.GetValue(_provider)!);
        var removed = StoredKeys.Remove(provider, Context.Environment);
        Context.Console.WriteLine(removed is null
            ? $"No key is stored for {provider}; nothing to do."
            : $"Deleted the stored API key for {provider} from {removed.Location}.");
        return Task.FromResult(ExitCodes.Success);
    }
}
