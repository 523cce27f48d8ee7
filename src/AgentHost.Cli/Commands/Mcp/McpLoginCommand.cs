using System.CommandLine;
using System.Runtime.InteropServices;
using AgentHost.Agent.Mcp;
using AgentHost.Common.Processes;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands.Mcp;

/// <summary>
/// <c>agent mcp login NAME</c>: the OAuth login of an HTTP MCP server of your configuration (<see cref="McpOAuthLogin"/>).
/// It prints the authorization URL (and opens it in the browser on a desktop), waits for the browser to come back to
/// 127.0.0.1, stores the tokens where <c>agent auth login</c> stores keys, and lists the server's tools with them.
/// </summary>
internal sealed class McpLoginCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The server's name (as 'agent mcp list' shows it)." };
    private readonly PluginOptions _plugins = new();
    private readonly Option<double> _timeout = new("--timeout") { Description = "Seconds to wait for the login in the browser (default 300).", DefaultValueFactory = _ => 300 };
    private readonly Option<bool> _noBrowser = new("--no-browser") { Description = "Only print the URL; do not open a browser." };

    public McpLoginCommand(CliContext context)
        : base("login", "Log in to an HTTP MCP server that requires OAuth (opens the browser; the tokens are stored and refreshed).", context)
    {
        Arguments.Add(_name);
        _plugins.AddTo(this);
        Options.Add(_timeout);
        Options.Add(_noBrowser);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!.Trim();
        var seconds = parseResult.GetValue(_timeout);
        if (seconds is <= 0 or > 3600)
        {
            throw new AgentHostException(ErrorKind.Usage, $"--timeout {seconds}: give the seconds to wait, from 1 to 3600.");
        }

        var configuration = Context.Configuration(parseResult);
        var definitions = await McpDefinitions.CollectAsync(Context, _plugins, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        var definition = definitions.FirstOrDefault(d => d.Name == name)
            ?? throw new AgentHostException(ErrorKind.NotFound, $"there is no MCP server '{name}'{(definitions.Count > 0 ? $" (there are: {string.Join(", ", definitions.Select(d => d.Name))})" : string.Empty)}; 'agent mcp add NAME URL' adds one.");
        var open = !parseResult.GetValue(_noBrowser);
        var result = await McpOAuthLogin.LoginAsync(definition, Context.Environment, url =>
        {
            Context.Console.WriteInfo($"To log in to the MCP server '{name}', open this URL in a browser (waiting up to {seconds:0} s):");
            Context.Console.WriteInfo(url.AbsoluteUri);
            if (open)
            {
                OpenBrowser(url);
            }
        }, TimeSpan.FromSeconds(seconds), cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"Logged in to {name}: {result.ToolCount} tools. The tokens are stored in {result.StoredIn} as {result.StoredName}; sessions use and refresh them ('agent auth logout {result.StoredName}' removes them).");
        return ExitCodes.Success;
    }

    /// <summary>Opens the URL in the desktop's browser (xdg-open, open); nothing without a desktop or under CI.</summary>
    private void OpenBrowser(Uri url)
    {
        var environment = Context.Environment;
        var desktop = environment.Platform == OSPlatform.OSX
            || (environment.Platform == OSPlatform.Linux && (environment.Get("DISPLAY") is not null || environment.Get("WAYLAND_DISPLAY") is not null));
        var opener = environment.Platform == OSPlatform.OSX ? "open" : "xdg-open";
        if (!desktop || environment.Get("CI") is not null || ExecutableLocator.Find(opener, environment) is not { } path)
        {
            return;
        }

        // The URL is one argument, never shell source; the opener returns at once, so it is not waited for.
        var spec = new ProcessSpec(path, [url.AbsoluteUri]) { WorkingDirectory = environment.CurrentDirectory, Purpose = "the browser for an MCP server's login" };
        _ = RunOpenerAsync(spec);
    }

    private static async Task RunOpenerAsync(ProcessSpec spec)
    {
        try
        {
            await ProcessLauncher.RunAsync(spec, TimeSpan.FromSeconds(30), input: null, maxOutputCharacters: 4_000, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ProgramStartException)
        {
            // The URL is printed; opening it is a convenience.
        }
    }
}
