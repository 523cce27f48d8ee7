using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Cli.Rendering;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session list [--all] [--json]</c>: sessions of this workspace (or all), newest first.</summary>
internal sealed class SessionListCommand : AgentCommand
{
    private readonly Option<bool> _all = new("--all") { Description = "Include sessions of every workspace." };
    private readonly Option<bool> _json = SessionFormatting.JsonOption();

    public SessionListCommand(CliContext context)
        : base("list", "List sessions of the current workspace (or every workspace with --all), most recent first.", context)
    {
        Options.Add(_all);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var workspace = SessionFormatting.WorkspaceFilter(Context, parseResult, _all);
        var all = workspace is null;
        var store = await Context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);
        var sessions = await store.ListSessionsAsync(workspace, cancellationToken: cancellationToken).ConfigureAwait(false);
        var console = Context.Console;
        if (parseResult.GetValue(_json))
        {
            console.WriteDataLine(JsonSerializer.Serialize(sessions.Select(SessionFormatting.ToJson), SessionFormatting.Json));
            return ExitCodes.Success;
        }

        if (sessions.Count == 0)
        {
            console.WriteLine(all
                ? "No sessions yet. Start one with 'agent run \"<prompt>\"'."
                : $"No sessions in {workspace}. Use 'agent session list --all' for every workspace.");
            return ExitCodes.Success;
        }

        // The NAME column only when a listed session has a name (most have none).
        var named = sessions.Any(s => s.Name is not null);
        var rows = sessions.Select(s =>
        {
            string[] row = [s.Id, SessionFormatting.Stamp(s.UpdatedAt), SessionFormatting.Status(s), s.MessageCount.ToString(CultureInfo.InvariantCulture), SessionFormatting.Title(s)];
            row = all ? [.. row[..4], s.Workspace, row[4]] : row;
            return named ? [row[0], s.Name ?? "-", .. row[1..]] : row;
        }).ToList();
        string[] headers = all ? ["ID", "UPDATED", "STATUS", "MESSAGES", "WORKSPACE", "TITLE"] : ["ID", "UPDATED", "STATUS", "MESSAGES", "TITLE"];
        headers = named ? [headers[0], "NAME", .. headers[1..]] : headers;
        TextTable.Write(console, headers, rows);
        return ExitCodes.Success;
    }
}
