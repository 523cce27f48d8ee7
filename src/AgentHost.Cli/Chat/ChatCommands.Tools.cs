using AgentHost.Agent.Engine;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Cli.Chat;

/// <content>The commands about what is loaded: tools, plugins, the shell plugin's background jobs.</content>
internal sealed partial class ChatCommands
{
    /// <summary>The shell plugin's read-only tool that lists its background jobs.</summary>
    private const string JobListTool = "job_list";

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
            var state = _host.State;
            var shell = state.Runtime.Registry.OfPlugin("shell");
            if (shell.Count == 0)
            {
                console.WriteInfo("no shell plugin is loaded, so there are no shell jobs (start the chat with -p shell, or add shell to plugins.defaults).");
                return SlashOutcome.Done;
            }

            if (!shell.Any(c => c.Kind == CapabilityKind.Tool && c.Name == JobListTool))
            {
                console.WriteInfo($"the shell plugin loaded ({shell[0].PluginVersion}) has no {JobListTool} tool; update it ('agent plugin update shell').");
                return SlashOutcome.Done;
            }

            // The host's tool invocation path, as agent tool run takes it: the pipeline, its permission gate (job_list
            // reads only, so every mode allows it), the plugin's own services. Its events go to a bus of its own: the
            // call is the person's, not the model's, and the table below is what they asked for.
            await using var quiet = new EventBus(NullLogger<EventBus>.Instance);
            var gate = AgentRunner.CreatePermissionGate(state.Configuration, state.Options.WorkspaceRoot, _host.Context.Environment, state.Mode, interactive: true, quiet);
            using var pipeline = AgentRunner.CreatePipeline(state.Runtime, gate, new SecretScrubber(_host.Context.Environment, SecretRuleReader.ForConfiguration(state.Configuration)), TimeProvider.System, events: quiet);
            var outcome = await pipeline.InvokeAsync(
                "shell/" + JobListTool,
                "{}",
                new ToolCallContext(state.Session.Id ?? "chat", $"chat-jobs-{Interlocked.Increment(ref _calls)}") { WorkspaceRoot = state.Options.WorkspaceRoot, InSession = false },
                ct).ConfigureAwait(false);
            if (outcome.Status != ToolCallStatus.Succeeded)
            {
                console.WriteError($"{JobListTool}: {outcome.Status.ToString().ToLowerInvariant()}: {outcome.Error ?? outcome.Text}");
                return SlashOutcome.Done;
            }

            foreach (var line in outcome.Text.Split('\n'))
            {
                console.WriteInfo("  " + line);
            }

            return SlashOutcome.Done;
        }));
    }

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
