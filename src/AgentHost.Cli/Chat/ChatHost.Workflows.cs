using AgentHost.Cli.Workflows;
using AgentHost.Hosting;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;
using AgentHost.Workflows.Engine;
using AgentHost.Workflows.Model;

namespace AgentHost.Cli.Chat;

/// <content>
/// <c>/workflow</c>: runs a workflow inside the chat with the chat's model, mode and plugins. Each node's progress is a
/// line above the prompt, agent nodes stream as turns do, and <c>wait</c> nodes (and <c>ask_user</c>) ask at the
/// prompt through the chat's question prompter. Ctrl+C cancels the run (resume it with <c>agent workflow resume</c>).
/// </content>
internal sealed partial class ChatHost
{
    private async Task<int?> WorkflowAsync(ChatState state, ChatEditor editor, ChatWorkflow request, CancellationToken cancellationToken)
    {
        var root = state.Options.WorkspaceRoot;
        WorkflowDefinition definition;
        Dictionary<string, System.Text.Json.Nodes.JsonNode?> inputs;
        try
        {
            definition = WorkflowLookup.Find(context, root, request.Name);
            WorkflowLookup.CheckTrusted(context, root, definition);
            inputs = WorkflowFrontEnd.Inputs([.. request.Inputs], null, context.Environment.CurrentDirectory);
        }
        catch (AgentHostException ex)
        {
            Console.WriteError(ex.Message);
            return null;
        }

        var loaded = state.Runtime.Host.Loaded.Keys.ToHashSet(StringComparer.Ordinal);
        if (definition.Plugins.Where(p => !loaded.Contains(p)).ToList() is { Count: > 0 } missing)
        {
            Console.WriteInfo($"warning: workflow '{definition.Name}' names plugins this chat has not loaded ({string.Join(", ", missing)}); start the chat with --plugin for them, or run it with 'agent workflow run'.");
        }

        var options = new WorkflowRunOptions(root)
        {
            Model = state.Options.Model,
            PermissionMode = state.ModeOverride ?? state.Options.PermissionMode,
            Interactive = true,
            Plugins = state.Options.Plugins,
            Questions = state.Service.Questions,
            FindWorkflow = (name, from) => WorkflowLookup.FindSubWorkflow(context, root, name, from),
            InUntrustedProject = WorkflowLookup.InUntrustedProject(context, root),
        };
        var progress = new WorkflowProgress(Console, json: false);
        using var shown = state.Runtime.Events.Subscribe(
            typeof(WorkflowEvent), (e, _) => progress.OnEventAsync(e), EventDelivery.Lossless, "chat workflow progress");
        // The nodes' tool calls and permission decisions, so a node whose calls were denied is marked ⚠, not ✓.
        using var tallied = state.Runtime.Events.Subscribe(
            typeof(SessionEvent), (e, _) => e is ToolCallCompletedEvent or PermissionDecidedEvent ? progress.OnEventAsync(e) : ValueTask.CompletedTask, EventDelivery.Lossless, "chat workflow denials");
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var busy = new BusyWork(
            "workflow",
            running.Cancel,
            _ => Console.WriteInfo("  (a workflow is running: type your prompt again when it ends, or Ctrl+C to cancel it)"),
            CycleMode: false);
        return await WhileBusyAsync(state, editor, busy, async () =>
        {
            try
            {
                var result = await new WorkflowRunner(state.Service, WorkflowLookup.FromDocument).RunAsync(definition, inputs, options, running.Token).ConfigureAwait(false);
                await state.Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
                state.Text.EndLine();
                WorkflowRunReport.Report(Console, result, json: false, progress);
            }
            catch (AgentHostException ex)
            {
                Console.WriteError(ex.Message);
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}
