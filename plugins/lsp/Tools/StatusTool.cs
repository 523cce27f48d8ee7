using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Plugins.Lsp.Servers;
using AgentHost.Sdk;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Lsp.Tools;

/// <summary>
/// <c>lsp_status</c>: every server the bridge would run (plugin ones with configuration applied, configuration ones),
/// whether its binary is found, its state (with why it failed and the fix), and the configuration's problems.
/// <c>agent lsp status</c> shows the same report (asking for JSON).
/// </summary>
internal static class StatusTool
{
    public static void AddStatusTool(this IPluginBuilder builder, LspService lsp) =>
        builder.AddTool(
            "lsp_status",
            "Lists the language servers: where each is defined, its command, whether its binary is found, its state (running, stopped, failed and why, with the fix) and configuration problems. With check true, starts the servers that are not running to confirm they answer.",
            ToolEffect.Read,
            ([Description("Start each server that is not running yet (initialize handshake) to confirm it works.")] bool check = false,
             [Description("Answer in JSON.")] bool json = false,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) => ReportAsync(lsp, arguments.GetWorkspacePaths().Root, check, json, cancellationToken),
            _ => new ToolCallDescription("read", "language servers"));

    private static async Task<string> ReportAsync(LspService lsp, string root, bool check, bool json, CancellationToken cancellationToken)
    {
        var problems = new List<ServerProblem>();
        var definitions = lsp.DefinitionsWithProblems(problems);
        if (check)
        {
            foreach (var definition in definitions)
            {
                await lsp.Manager.CheckAsync(definition, root, cancellationToken).ConfigureAwait(false);
            }
        }

        var rows = new JsonArray();
        foreach (var definition in definitions)
        {
            var found = lsp.Manager.FindExecutable(definition, root);
            var known = lsp.Manager.Known.Where(k => k.Definition.Name == definition.Name).ToList();
            var failed = known.FirstOrDefault(k => k.State == LspServerState.Failed);
            var current = failed ?? known.FirstOrDefault();
            var stopped = lsp.Manager.IsStopped(definition.Name);
            var state = found is null ? "missing"
                : stopped ? "stopped"
                : current is null ? "not started"
                : current.State switch
                {
                    LspServerState.Running => "running",
                    LspServerState.Starting => "starting",
                    LspServerState.Restarting => "restarting",
                    LspServerState.Failed => "failed",
                    LspServerState.Stopped => "stopped",
                    _ => "not started",
                };
            rows.Add(new JsonObject
            {
                ["name"] = definition.Name,
                ["source"] = definition.Source,
                ["command"] = definition.Command,
                ["args"] = new JsonArray([.. definition.Args.Select(a => (JsonNode)a)]),
                ["extensions"] = new JsonArray([.. definition.Extensions.Select(e => (JsonNode)e)]),
                ["found"] = found is not null,
                ["path"] = found,
                ["install"] = found is null ? definition.InstallHint ?? $"Install {definition.Command} and put it on PATH." : null,
                ["state"] = state,
                ["detail"] = stopped ? ServerManager.StoppedMessage(definition.Name) : state is "failed" or "restarting" or "running" ? current?.Detail : null,
                ["fix"] = state == "failed" ? FailureFix(definition) : null,
                ["problems"] = new JsonArray([.. problems.Where(p => p.Server == definition.Name).Select(p => (JsonNode)p.Message)]),
            });
        }

        // Entries that define nothing (no command, bad extensions, invalid name) are rows of their own.
        foreach (var group in problems.Where(p => definitions.All(d => d.Name != p.Server)).GroupBy(p => p.Server, StringComparer.Ordinal))
        {
            rows.Add(new JsonObject
            {
                ["name"] = group.Key,
                ["source"] = "config",
                ["command"] = null,
                ["args"] = new JsonArray(),
                ["extensions"] = new JsonArray(),
                ["found"] = false,
                ["path"] = null,
                ["install"] = null,
                ["state"] = "invalid",
                ["detail"] = null,
                ["fix"] = null,
                ["problems"] = new JsonArray([.. group.Select(p => (JsonNode)p.Message)]),
            });
        }

        return json ? rows.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) : Text(rows);
    }

    internal static string FailureFix(ServerDefinition definition) =>
        $"Run '{string.Join(' ', definition.Args.Prepend(definition.Command))}' in a terminal to see its error. It must speak LSP on stdin/stdout: "
        + $"correct lsp.servers.{definition.Name}.command or .args, or raise lsp.servers.{definition.Name}.start_timeout (now {definition.StartTimeout.TotalSeconds:0.#} s) if it is slow to start.";

    private static string Text(JsonArray rows)
    {
        if (rows.Count == 0)
        {
            return "No language servers are defined. Load a language plugin (typescript, yaml, bash, terraform-ls) or define lsp.servers in the configuration.";
        }

        var text = new StringBuilder();
        foreach (var row in rows.OfType<JsonObject>())
        {
            var state = (string)row["state"]!;
            text.Append(row["name"]).Append(" (").Append(row["source"]).Append("): ").Append(state);
            if (row["command"] is { } command)
            {
                text.Append(", ").Append(command).Append(' ').Append(string.Join(' ', row["args"]!.AsArray().Select(a => (string?)a)))
                    .Append(" for ").Append(string.Join(' ', row["extensions"]!.AsArray().Select(e => (string?)e)));
            }

            text.Append('\n');
            foreach (var key in new[] { "detail", "install", "fix" })
            {
                if (row[key] is { } value && (state != "running" || key == "detail"))
                {
                    text.Append("  ").Append(key).Append(": ").Append(value).Append('\n');
                }
            }

            foreach (var problem in row["problems"]!.AsArray())
            {
                text.Append("  problem: ").Append(problem).Append('\n');
            }
        }

        return text.ToString().TrimEnd();
    }
}
