using AgentHost.Agent.Lsp;

namespace AgentHost.Cli.Chat;

/// <content>
/// <c>/lsp [status|start|stop|restart NAME]</c>: the language servers of the chat's own process (the ones its turns
/// use), through the LSP bridge's tools as <c>agent lsp</c> calls them.
/// </content>
internal sealed partial class ChatCommands
{
    private void AddLspCommand() =>
        Add(new SlashCommand("lsp", "/lsp [status|start|stop|restart NAME]", "The language servers of this chat: their state, or start, stop (until started again) or restart one.", async (args, ct) =>
        {
            var console = _host.Output;
            var state = _host.State;
            var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            LspServerAction? action = words.FirstOrDefault() switch
            {
                null or "status" => null,
                "start" => LspServerAction.Start,
                "stop" => LspServerAction.Stop,
                "restart" => LspServerAction.Restart,
                _ => throw new Hosting.AgentHostException(Hosting.ErrorKind.Usage, $"unknown /lsp action '{words[0]}'; usage: /lsp [status|start|stop|restart NAME]."),
            };
            if (action is null)
            {
                var rows = await LspBridge.StatusAsync(state.Runtime, state.Options.WorkspaceRoot, check: false, ct).ConfigureAwait(false);
                if (rows is null || rows.Count == 0)
                {
                    console.WriteInfo("no language servers in this chat (start it with -p typescript, yaml, bash or terraform-ls, or define lsp.servers; see docs/lsp.md).");
                    return SlashOutcome.Done;
                }

                foreach (var row in rows)
                {
                    var name = row.GetProperty("name").GetString();
                    var status = row.GetProperty("state").GetString();
                    var detail = row.TryGetProperty("detail", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.String ? " — " + d.GetString() : string.Empty;
                    console.WriteInfo($"  {name,-16} {status}{detail}");
                }

                return SlashOutcome.Done;
            }

            if (words.Length != 2)
            {
                console.WriteInfo($"usage: /lsp {words[0]} NAME (the names are in /lsp).");
                return SlashOutcome.Done;
            }

            var done = await LspBridge.ControlAsync(state.Runtime, state.Options.WorkspaceRoot, action.Value, words[1], ct).ConfigureAwait(false);
            console.WriteInfo(done.Message);
            return SlashOutcome.Done;
        }));
}
