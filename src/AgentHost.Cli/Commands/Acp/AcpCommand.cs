using System.CommandLine;
using AgentHost.Cli.Acp;
using AgentHost.Cli.Remote;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands.Acp;

/// <summary>
/// <c>agent acp</c>: speaks the Agent Client Protocol (JSON-RPC 2.0, one message per line) on standard input and output,
/// so an editor (Zed, JetBrains IDEs, Neovim, VS Code clients) hosts the agent as it hosts Gemini CLI or OpenCode.
/// Standard output carries protocol messages only; everything else goes to standard error or the log. Ends when
/// standard input ends. docs/acp.md.
/// </summary>
internal sealed class AcpCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Option<string?> _model = new("--model", "-m") { Description = "The model of new sessions (default: the configured or automatic choice)." };
    private readonly RemoteRunOptions _remote = new();
    private readonly Option<string?> _login = new("--login")
    {
        Description = "Instead of speaking the protocol: log in to a model provider (asks for the provider unless given, then its API key, as 'agent auth login'); the editor's terminal authentication runs this.",
        HelpName = "PROVIDER",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public AcpCommand(CliContext context)
        : base("acp", "Speak the Agent Client Protocol on stdin/stdout, for editors that host agents (Zed, JetBrains IDEs, Neovim); see docs/acp.md.", context)
    {
        _plugins.AddTo(this);
        Options.Add(_model);
        _remote.AddTo(this);
        Options.Add(_login);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (parseResult.GetResult(_login) is not null)
        {
            return Login(parseResult.GetValue(_login), parseResult);
        }

        // Only protocol messages on standard output: whatever else would write there (a warning, a library's message)
        // goes to standard error instead; the protocol reads and writes the raw streams.
        var (protocolInput, protocolOutput) = Context.Console.TakeProtocolStreams();
        var options = new AcpOptions(_plugins.Requested(parseResult), parseResult.GetValue(_plugins.NoDefaults), parseResult.GetValue(_model)) { Server = ServerOf(parseResult) };
        await using var agent = new AcpAgent(Context, parseResult, options, protocolInput, protocolOutput);
        await agent.RunAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary><c>--server URL</c> and its token, checked before the protocol starts; null without <c>--server</c>.</summary>
    private AcpServerTarget? ServerOf(ParseResult parseResult)
    {
        if (parseResult.GetValue(_remote.Server) is not { } text)
        {
            return null;
        }

        if (_plugins.Requested(parseResult).Count > 0 || parseResult.GetValue(_plugins.NoDefaults))
        {
            throw new AgentHostException(ErrorKind.Usage, "--plugin and --no-default-plugins cannot be used with agent acp --server: the sessions get the server's plugins (server.plugins); leave them out.");
        }

        var server = RemoteRunOptions.ParseServer(text);
        return new AcpServerTarget(server, RemoteRunOptions.Token(Context.Environment, parseResult.GetValue(_remote.TokenVariable), server));
    }

    /// <summary>
    /// <c>agent acp --login</c>: the terminal authentication method an editor runs (its configured command plus
    /// <c>--login</c>) in a terminal: asks which provider, then stores its key as <c>agent auth login</c> does.
    /// </summary>
    private int Login(string? provider, ParseResult parseResult)
    {
        var console = Context.Console;
        if (string.IsNullOrWhiteSpace(provider))
        {
            console.WriteInfo("Log in to a model provider: its API key is stored for AgentHost (as 'agent auth login PROVIDER').");
            console.WriteInfo("Provider (as in config.yaml's providers, e.g. openai, anthropic):");
            provider = console.ReadLine()?.Trim();
        }

        if (string.IsNullOrEmpty(provider))
        {
            throw new AgentHostException(ErrorKind.Usage, "no provider given; nothing was stored. Run 'agent auth login PROVIDER' to store a key.");
        }

        ProviderKeyLogin.Login(ProviderKeyLogin.CheckedName(provider), Context, Context.Configuration(parseResult));
        return ExitCodes.Success;
    }
}
