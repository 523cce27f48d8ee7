using AgentHost.Agent.Engine;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Cli.Chat;

/// <content>The commands about what is loaded: tools, plugins, the shell plugin's background jobs.</content>
internal sealed partial class ChatCommands
{
    /// <summary>The shell plugin's read-only tool that lists its background jobs.</summary>
    private const string JobListTool = "job_list";

    /// <summary>The shell plugin's tool that stops a background job.</summary>
    private const string JobKillTool = "job_kill";

    private int _calls;

    private void AddToolCommands()
    {
        var console = _host.Output;
        Add(new SlashCommand("tools", "/tools", "The tools the model can call.", (_, _) =>
        {
            foreach (var tool in _host.State.Runtime.Registry.OfKind(CapabilityKind.Tool))
            {
                var description = ((ToolCapability)tool.Capability).Function.Description.ReplaceLineEndings(" ");
                console.WriteInfo($"  {tool.Name,-16} {tool.PluginId,-10} {(description.Length > 80 ? description[..80] + "…" : description)}");
            }

            return Task.FromResult(SlashOutcome.Done);
        }));
        Add(new SlashCommand("plugins", "/plugins", "The plugins loaded, with version and what they contribute; those that failed, with the error.", (_, _) =>
        {
            var runtime = _host.State.Runtime;
            var loaded = runtime.Host.Loaded.Values.OrderBy(p => p.Manifest.Id, StringComparer.Ordinal).ToList();
            if (loaded.Count == 0)
            {
                console.WriteInfo("no plugins loaded (add some with -p ID, or plugins.defaults in config.yaml; 'agent plugin list' shows what is installed).");
            }

            var failures = _host.State.PluginLoads.Where(r => r.Status is PluginLoadStatus.Failed or PluginLoadStatus.Refused).ToList();
            var width = loaded.Select(p => p.Manifest.Id).Concat(failures.Select(f => f.PluginId)).Select(id => id.Length).DefaultIfEmpty(0).Max();
            foreach (var plugin in loaded)
            {
                var counts = runtime.Registry.OfPlugin(plugin.Manifest.Id)
                    .GroupBy(c => c.Kind)
                    .OrderBy(g => g.Key)
                    .Select(g => Count(g.Count(), KindName(g.Key)));
                var contributes = string.Join(", ", counts);
                console.WriteInfo($"  {plugin.Manifest.Id.PadRight(width)}  {plugin.Manifest.Version,-8}  {(contributes.Length > 0 ? contributes : "nothing registered")}");
            }

            foreach (var failed in failures)
            {
                console.WriteInfo($"  {failed.PluginId.PadRight(width)}  {failed.Version ?? "?",-8}  {failed.Status.ToString().ToLowerInvariant()}: {failed.Error}");
            }

            return Task.FromResult(SlashOutcome.Done);
        }));
        Add(new SlashCommand("jobs", "/jobs", "The shell plugin's background jobs (running and recently finished).", async (_, ct) =>
        {
            if (await InvokeShellToolAsync(JobListTool, "{}", ct).ConfigureAwait(false) is { } listed)
            {
                foreach (var line in listed.Split('\n'))
                {
                    console.WriteInfo("  " + line);
                }
            }

            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("ps", "/ps", "What runs: the turn (its step, time, limits and tool calls in flight) and the shell's background jobs; also while a turn runs.", async (_, ct) =>
        {
            var state = _host.State;
            if (state.Activity.Turn() is { } turn)
            {
                var limits = string.Join(string.Empty, state.LimitParts().Select(p => " · " + p));
                console.WriteInfo($"  turn      running {Seconds(turn.Elapsed)} · step {turn.Step}{limits}   (/kill turn stops it)");
                foreach (var (callId, call) in turn.Calls)
                {
                    var arguments = call.Arguments.ReplaceLineEndings(" "); // the model's: neutralised as every WriteInfo text is
                    console.WriteInfo($"    {call.Tool,-14} {Seconds(state.Activity.Elapsed(call)),6}  {(arguments.Length > 80 ? arguments[..80] + "…" : arguments)}  [{callId}]");
                }
            }
            else
            {
                console.WriteInfo("  no turn is running.");
            }

            if (state.Runtime.Registry.OfPlugin("shell").Any(c => c.Kind == CapabilityKind.Tool && c.Name == JobListTool)
                && await InvokeShellToolAsync(JobListTool, "{}", ct).ConfigureAwait(false) is { } jobs)
            {
                foreach (var line in jobs.Split('\n'))
                {
                    console.WriteInfo("  " + line);
                }
            }

            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("kill", "/kill turn|JOB-ID", "Stop the running turn (as Ctrl+C does), or one of the shell's background jobs (its id from /ps or /jobs).", async (args, ct) =>
        {
            if (args.Length == 0)
            {
                console.WriteInfo("usage: /kill turn, or /kill JOB-ID (the ids are in /ps).");
            }
            else if (args is "turn")
            {
                if (!_host.CancelWork())
                {
                    console.WriteInfo("no turn is running.");
                }
            }
            else if (await InvokeShellToolAsync(JobKillTool, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["job_id"] = args }), ct).ConfigureAwait(false) is { } killed)
            {
                console.WriteInfo("  " + killed.ReplaceLineEndings("\n  "));
            }

            return SlashOutcome.Done;
        }));
    }

    /// <summary>
    /// Calls one of the shell plugin's job tools for the person (not the model), through the host's tool invocation path
    /// as <c>agent tool run</c> takes it — the pipeline and the plugin's own services — and returns its text, or
    /// <see langword="null"/> after saying why it could not. The person's own command: its events go to a bus of its
    /// own, and it runs under <c>yolo</c> (deny rules still apply), since what the person typed needs no one's approval.
    /// </summary>
    private async Task<string?> InvokeShellToolAsync(string tool, string arguments, CancellationToken cancellationToken)
    {
        var console = _host.Output;
        var state = _host.State;
        var shell = state.Runtime.Registry.OfPlugin("shell");
        if (shell.Count == 0)
        {
            console.WriteInfo("no shell plugin is loaded, so there are no shell jobs (start the chat with -p shell, or add shell to plugins.defaults).");
            return null;
        }

        if (!shell.Any(c => c.Kind == CapabilityKind.Tool && c.Name == tool))
        {
            console.WriteInfo($"the shell plugin loaded ({shell[0].PluginVersion}) has no {tool} tool; update it ('agent plugin update shell').");
            return null;
        }

        await using var quiet = new EventBus(NullLogger<EventBus>.Instance);
        var mode = tool == JobListTool ? state.Mode : PermissionMode.Yolo;
        var gate = AgentRunner.CreatePermissionGate(state.Configuration, state.Options.WorkspaceRoot, _host.Context.Environment, mode, interactive: true, quiet);
        using var pipeline = AgentRunner.CreatePipeline(state.Runtime, gate, new SecretScrubber(_host.Context.Environment, SecretRuleReader.ForConfiguration(state.Configuration)), TimeProvider.System, events: quiet);
        var outcome = await pipeline.InvokeAsync(
            "shell/" + tool,
            arguments,
            new ToolCallContext(state.Session.Id ?? "chat", $"chat-jobs-{Interlocked.Increment(ref _calls)}") { WorkspaceRoot = state.Options.WorkspaceRoot, InSession = false },
            cancellationToken).ConfigureAwait(false);
        if (outcome.Status != ToolCallStatus.Succeeded)
        {
            console.WriteError($"{tool}: {outcome.Status.ToString().ToLowerInvariant()}: {outcome.Error ?? outcome.Text}");
            return null;
        }

        return outcome.Text;
    }

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "s";

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";

    private static string KindName(CapabilityKind kind) => kind switch
    {
        CapabilityKind.ChatProvider => "provider",
        CapabilityKind.Tool => "tool",
        CapabilityKind.ToolMiddleware => "tool middleware",
        CapabilityKind.LspServer => "language server",
        CapabilityKind.McpServer => "MCP server",
        CapabilityKind.SkillDirectory => "skill folder",
        CapabilityKind.ContextResolver => "context resolver",
        CapabilityKind.EventSubscriber => "event subscriber",
        CapabilityKind.Workflow => "workflow",
        _ => kind.ToString(),
    };
}
