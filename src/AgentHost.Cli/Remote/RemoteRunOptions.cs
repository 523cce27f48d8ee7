using System.CommandLine;
using AgentHost.Hosting;

namespace AgentHost.Cli.Remote;

/// <summary><c>--server URL</c> and <c>--server-token-env VAR</c>: run on a running <c>agent serve</c> instead of in this process.</summary>
internal sealed class RemoteRunOptions
{
    /// <summary>The variable the token is read from when <c>--server-token-env</c> names none.</summary>
    public const string DefaultTokenVariable = "AGENT_SERVER_TOKEN";

    public Option<string?> Server { get; } = new("--server")
    {
        Description = "Run on this running 'agent serve' (e.g. http://127.0.0.1:4141), in its warm plugins, instead of in this process. The token comes from $" + DefaultTokenVariable + " or --server-token-env.",
        HelpName = "URL",
    };

    public Option<string?> TokenVariable { get; } = new("--server-token-env")
    {
        Description = "The environment variable holding the --server's bearer token (default: " + DefaultTokenVariable + ").",
        HelpName = "VAR",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(TokenVariable);
    }

    /// <summary>The server's address: an absolute http(s) URL.</summary>
    public static Uri ParseServer(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new AgentHostException(ErrorKind.Usage, $"--server {text}: not an http(s) address; give the address 'agent serve' printed, e.g. --server http://127.0.0.1:4141.");

    /// <summary>The bearer token: from the variable <c>--server-token-env</c> names, else <c>AGENT_SERVER_TOKEN</c>.</summary>
    public static string Token(HostEnvironment environment, string? variable, Uri server)
    {
        var name = variable is { Length: > 0 } ? variable : DefaultTokenVariable;
        return environment.Get(name) is { Length: > 0 } token
            ? token
            : throw new AgentHostException(
                ErrorKind.Usage,
                variable is { Length: > 0 }
                    ? $"--server {server}: the token variable {name} (--server-token-env) is not set (or empty); set it to the token of that 'agent serve'."
                    : $"--server {server}: no token; set {DefaultTokenVariable} to the token 'agent serve' printed (or the value of its --token-env variable), or name another variable with --server-token-env VAR.");
    }
}
