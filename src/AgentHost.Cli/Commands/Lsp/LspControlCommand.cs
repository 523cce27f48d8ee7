using System.CommandLine;
using System.Text.Json;
using AgentHost.Agent.Lsp;
using AgentHost.Cli.Remote;
using AgentHost.Server;

namespace AgentHost.Cli.Commands.Lsp;

/// <summary>
/// <c>agent lsp start|stop|restart NAME</c>. Language servers live in the process that runs the agent: with
/// <c>--server URL</c> the command acts on a running <c>agent serve</c>'s servers (<c>POST /v1/lsp/{name}/{action}</c>,
/// an admin's token); without it, in this process, which runs no agent — a start (or restart) runs the
/// <c>initialize</c> handshake to confirm the server works and stops it when the command ends, and a stop has nothing
/// to stop. The chat's <c>/lsp</c> acts on the chat's own servers.
/// </summary>
internal sealed class LspControlCommand : AgentCommand
{
    private const string WhereServersLive =
        "Language servers live in the process that runs the agent: use /lsp in the chat, or --server URL for a running 'agent serve'.";

    private readonly LspServerAction _action;
    private readonly Argument<string> _name = new("NAME") { Description = "The server's name, as 'agent lsp status' lists it." };
    private readonly PluginOptions _plugins = new();
    private readonly RemoteRunOptions _remote = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };

    public LspControlCommand(CliContext context, LspServerAction action)
        : base(Verb(action), Help(action), context)
    {
        _action = action;
        Arguments.Add(_name);
        _plugins.AddTo(this);
        _remote.Server.Description = "Act on the language servers of this running 'agent serve' (e.g. http://127.0.0.1:4141; needs an admin's token, from $" + RemoteRunOptions.DefaultTokenVariable + " or --server-token-env).";
        _remote.AddTo(this);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetRequiredValue(_name);
        if (parseResult.GetValue(_remote.Server) is { } text)
        {
            var server = RemoteRunOptions.ParseServer(text);
            using var client = new ServerClient(server, RemoteRunOptions.Token(Context.Environment, parseResult.GetValue(_remote.TokenVariable), server));
            var answer = await client.ControlLanguageServerAsync(name, Verb(_action), cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(_json))
            {
                Context.Console.WriteDataLine(JsonSerializer.Serialize(answer, ServerClient.Json));
            }
            else
            {
                foreach (var engine in answer.Engines)
                {
                    var where = answer.Engines.Count > 1 ? engine.Root + ": " : string.Empty;
                    if (engine.Kind is null)
                    {
                        Context.Console.WriteLine(where + engine.Message);
                    }
                    else
                    {
                        Context.Console.WriteError(where + engine.Message);
                    }
                }
            }

            return answer.Engines.FirstOrDefault(e => e.Kind is not null) is { } failed ? ExitCodes.For(ApiErrorKinds.KindOf(failed.Kind)) : ExitCodes.Success;
        }

        var configuration = Context.Configuration(parseResult);
        await using var project = await _plugins.OpenAsync(Context, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        var runtime = project.Runtime;
        var results = project.Loads;
        foreach (var failure in results.Where(r => r.Error is not null))
        {
            Context.Console.WriteInfo($"warning: plugin {failure.PluginId} not loaded: {failure.Error}");
        }

        var done = await LspBridge.ControlAsync(runtime, Context.Environment.CurrentDirectory, _action, name, cancellationToken).ConfigureAwait(false);
        var note = done.Outcome is "stopped" or "not running"
            ? "Nothing runs in this process. " + WhereServersLive
            : "It stops when this command ends (the check is done). " + WhereServersLive;
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(new { name, action = Verb(_action), outcome = done.Outcome, message = done.Message, pids = done.Pids, note }, ServerClient.Json));
        }
        else
        {
            Context.Console.WriteLine(done.Message);
            Context.Console.WriteInfo(note);
        }

        return ExitCodes.Success;
    }

    private static string Verb(LspServerAction action) => action.ToString().ToLowerInvariant();

    private static string Help(LspServerAction action) => action switch
    {
        LspServerAction.Start => "Start a language server (the initialize handshake). With --server, in that running 'agent serve'; here, to confirm it works (it stops when the command ends).",
        LspServerAction.Stop => "Stop a language server of a running 'agent serve' (--server); it stays stopped until started. Servers of this process: use /lsp in the chat.",
        _ => "Restart a language server (stop, then a new process; the old one's diagnostics are dropped). With --server, in that running 'agent serve'; here, a start to confirm it works.",
    };
}
