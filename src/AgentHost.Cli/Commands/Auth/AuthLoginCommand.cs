using System.CommandLine;
using AgentHost.Agent.Credentials;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Cli.Commands.Auth;

/// <summary>
/// <c>agent auth login &lt;provider&gt;</c>: reads a key from standard input (a pipe or file), or asks for it without
/// echo at a terminal, and stores it (<see cref="StoredKeys"/>). Headless, it never prompts.
/// </summary>
internal sealed class AuthLoginCommand : AgentCommand
{
    private readonly Argument<string> _provider = new("provider")
    {
        Description = "The provider name as in config.yaml's providers (or openai, anthropic, …).",
    };

    public AuthLoginCommand(CliContext context)
        : base("login", "Store a provider's API key (read from stdin, or asked for without echo at a terminal).", context)
    {
        Arguments.Add(_provider);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        ProviderKeyLogin.Login(ProviderKeyLogin.CheckedName(parseResult.GetValue(_provider)!), Context, Context.Configuration(parseResult));
        return Task.FromResult(ExitCodes.Success);
    }

}
