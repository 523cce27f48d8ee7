using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Lsp;

/// <summary>What to do with a language server.</summary>
public enum LspServerAction
{
    /// <summary>Start it (the <c>initialize</c> handshake), unless it runs.</summary>
    Start,

    /// <summary>Stop it; it stays stopped until started again.</summary>
    Stop,

    /// <summary>Stop it and start a new process; the old one's diagnostics are dropped.</summary>
    Restart,
}

/// <summary>What a start, stop or restart did.</summary>
/// <param name="Name">The server.</param>
/// <param name="Action">What was asked.</param>
/// <param name="Outcome"><c>started</c>, <c>running</c> (a start of a running server), <c>stopped</c>, <c>not running</c> (a stop that did nothing) or <c>restarted</c>.</param>
/// <param name="Message">What happened, for a person.</param>
/// <param name="Pids">The process ids started or stopped.</param>
public sealed record LspActionResult(string Name, LspServerAction Action, string Outcome, string Message, IReadOnlyList<int> Pids);

/// <summary>
/// The host's way to the LSP bridge plugin of a plugin runtime, for people's commands (<c>agent lsp</c>, the API's
/// <c>/v1/lsp</c>, the chat's <c>/lsp</c>): it calls the bridge's own tools (<c>lsp_status</c>, <c>lsp_control</c>)
/// with <c>json</c> true, so the kernel knows no type of the plugin. Language servers live in the plugin runtime's
/// process: the one that runs the agent.
/// </summary>
public static class LspBridge
{
    /// <summary>The bridge's status tool.</summary>
    public const string StatusTool = "lsp_status";

    /// <summary>The bridge's start/stop/restart tool.</summary>
    public const string ControlTool = "lsp_control";

    /// <summary>The bridge's rows (name, source, command, args, extensions, found, path, install, state, detail, fix, problems), or <see langword="null"/> when no bridge is loaded.</summary>
    /// <param name="runtime">The plugin runtime whose servers to list.</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="check">Start each server that is not running (handshake) to confirm it works.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The rows.</returns>
    public static async Task<IReadOnlyList<JsonElement>?> StatusAsync(PluginRuntime runtime, string workspaceRoot, bool check, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if (Tool(runtime, StatusTool) is not { } status)
        {
            return null;
        }

        var text = await InvokeAsync(status, workspaceRoot, new() { ["check"] = check, ["json"] = true }, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(text);
        return [.. document.RootElement.EnumerateArray().Select(r => r.Clone())];
    }

    /// <summary>Starts, stops or restarts the named server of <paramref name="runtime"/>.</summary>
    /// <param name="runtime">The plugin runtime whose server it is.</param>
    /// <param name="workspaceRoot">The project root (where a server that is not running is started).</param>
    /// <param name="action">What to do.</param>
    /// <param name="name">The server's name.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="AgentHostException">
    /// <see cref="ErrorKind.NotFound"/>: no bridge, or no server of that name (the message lists the names);
    /// <see cref="ErrorKind.Configuration"/>: its binary is missing (the install hint); <see cref="ErrorKind.Plugin"/>:
    /// it failed to start (why, and the fix).
    /// </exception>
    public static async Task<LspActionResult> ControlAsync(PluginRuntime runtime, string workspaceRoot, LspServerAction action, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var verb = action.ToString().ToLowerInvariant();
        if (Tool(runtime, ControlTool) is not { } control)
        {
            throw new AgentHostException(ErrorKind.NotFound, Tool(runtime, StatusTool) is null
                ? $"cannot {verb} '{name}': no language servers are loaded here. Load a language plugin (--plugin typescript, yaml, bash or terraform-ls) or define lsp.servers (see docs/lsp.md)."
                : $"cannot {verb} '{name}': the LSP bridge loaded is too old for start, stop and restart; update it ('agent plugin update lsp').");
        }

        var text = await InvokeAsync(control, workspaceRoot, new() { ["action"] = verb, ["name"] = name, ["json"] = true }, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(text);
        var answer = document.RootElement;
        var message = answer.GetProperty("message").GetString() ?? string.Empty;
        if (answer.TryGetProperty("error", out var error))
        {
            throw new AgentHostException(
                error.GetString() switch
                {
                    "unknown" => ErrorKind.NotFound,
                    "missing" => ErrorKind.Configuration,
                    "usage" => ErrorKind.Usage,
                    _ => ErrorKind.Plugin,
                },
                message);
        }

        var pids = answer.TryGetProperty("pids", out var list) ? list.EnumerateArray().Select(p => p.GetInt32()).ToList() : [];
        return new LspActionResult(name, action, answer.GetProperty("outcome").GetString() ?? string.Empty, message, pids);
    }

    private static ToolCapability? Tool(PluginRuntime runtime, string name) =>
        runtime.Registry.Find(CapabilityKind.Tool, name)?.Capability as ToolCapability;

    private static async Task<string> InvokeAsync(ToolCapability tool, string workspaceRoot, Dictionary<string, object?> values, CancellationToken cancellationToken)
    {
        var arguments = new AIFunctionArguments(values) { Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = workspaceRoot } };
        var answer = await tool.Function.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
        return answer is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString() ?? "null" : answer?.ToString() ?? "null";
    }
}
