using System.ComponentModel;
using System.Text.Json.Nodes;
using AgentHost.Plugins.Lsp.Servers;
using AgentHost.Sdk;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Lsp.Tools;

/// <summary>
/// <c>lsp_control</c>: starts, stops or restarts a named language server of this process. A stop holds until a start
/// or restart; a restart drops the old process's diagnostics. <c>agent lsp start|stop|restart</c>, the API's
/// <c>/v1/lsp/{name}/…</c> and the chat's <c>/lsp</c> call it with <c>json</c> true and read <c>outcome</c> or
/// <c>error</c> (<c>unknown</c>, <c>missing</c>, <c>failed</c>, <c>usage</c>).
/// </summary>
internal static class ControlTool
{
    public static void AddControlTool(this IPluginBuilder builder, LspService lsp) =>
        builder.AddTool(
            "lsp_control",
            "Starts, stops or restarts a language server by name (lsp_status lists them). Restart a server that answers wrongly or has stale diagnostics; a stopped server is not started again for files until started.",
            ToolEffect.Execute,
            ([Description("start, stop or restart.")] string action,
             [Description("The server's name, as lsp_status lists it.")] string name,
             [Description("Answer in JSON.")] bool json = false,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) => RunAsync(lsp, arguments.GetWorkspacePaths().Root, action, name, json, cancellationToken),
            args => new ToolCallDescription(LspTools.Arg(args, "action") ?? "control", "language server " + (LspTools.Arg(args, "name") ?? "?")));

    private static async Task<string> RunAsync(LspService lsp, string root, string action, string name, bool json, CancellationToken cancellationToken)
    {
        var (outcome, message, pids) = await ActAsync(lsp, root, action?.Trim().ToLowerInvariant() ?? string.Empty, name?.Trim() ?? string.Empty, cancellationToken).ConfigureAwait(false);
        if (!json)
        {
            return outcome is "unknown" or "missing" or "failed" or "usage" ? throw new ToolException(message) : message;
        }

        var answer = new JsonObject { ["name"] = name, ["action"] = action, ["message"] = message, ["pids"] = new JsonArray([.. pids.Select(p => (JsonNode)p)]) };
        answer[outcome is "unknown" or "missing" or "failed" or "usage" ? "error" : "outcome"] = outcome;
        return answer.ToJsonString();
    }

    private static async Task<(string Outcome, string Message, IReadOnlyList<int> Pids)> ActAsync(LspService lsp, string root, string action, string name, CancellationToken cancellationToken)
    {
        if (action is not ("start" or "stop" or "restart"))
        {
            return ("usage", $"action must be start, stop or restart, not '{action}'.", []);
        }

        var definitions = lsp.DefinitionsWithProblems([]);
        if (definitions.FirstOrDefault(d => d.Name == name) is not { } definition)
        {
            return ("unknown", definitions.Count == 0
                ? $"no language server named '{name}': none is defined. Load a language plugin (typescript, yaml, bash, terraform-ls) or define lsp.servers (see docs/lsp.md)."
                : $"no language server named '{name}'; the servers are: {string.Join(", ", definitions.Select(d => d.Name).Order(StringComparer.Ordinal))}.", []);
        }

        var manager = lsp.Manager;
        if (action == "stop")
        {
            var stopped = await manager.StopByNameAsync(name).ConfigureAwait(false);
            return stopped.Count == 0
                ? ("not running", $"language server '{name}' is not running in this process; nothing was stopped.", [])
                : ("stopped", $"stopped language server '{name}' (pid {string.Join(", ", stopped)}); its diagnostics are dropped, and it is not started again for files until it is started (start or restart).", stopped);
        }

        if (manager.FindExecutable(definition, root) is null)
        {
            return ("missing", definition.MissingMessage, []);
        }

        try
        {
            if (action == "start")
            {
                var (server, wasRunning) = await manager.StartByNameAsync(definition, root, cancellationToken).ConfigureAwait(false);
                return wasRunning
                    ? ("running", $"language server '{name}' is already running (pid {server.ProcessId}); restart starts a new process.", [server.ProcessId])
                    : ("started", $"started language server '{name}' (pid {server.ProcessId}, root {server.Root}): it answered initialize.", [server.ProcessId]);
            }

            var (old, started) = await manager.RestartByNameAsync(definition, root, cancellationToken).ConfigureAwait(false);
            var pids = started.Select(s => s.ProcessId).ToList();
            return old.Count == 0
                ? ("started", $"language server '{name}' was not running; started it (pid {string.Join(", ", pids)}): it answered initialize.", pids)
                : ("restarted", $"restarted language server '{name}' (pid {string.Join(", ", old)} → {string.Join(", ", pids)}); the old process's diagnostics are dropped, and files are opened again when a tool next uses them.", pids);
        }
        catch (LspUnavailableException ex)
        {
            return ("failed", $"{ex.Message.TrimEnd('.')}. Fix: {StatusTool.FailureFix(definition)}", []);
        }
    }
}
