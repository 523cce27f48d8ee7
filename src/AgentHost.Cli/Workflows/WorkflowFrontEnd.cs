using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;
using AgentHost.Workflows.Engine;
using AgentHost.Workflows.Model;

namespace AgentHost.Cli.Workflows;

/// <summary>
/// Composes a workflow run like <c>agent run</c> does (<see cref="SessionFrontEnd"/>): the configuration, the store, the
/// plugins (<c>--plugin</c>, the workflow's <c>plugins</c>, the providers of its models), the permission broker and the
/// session service; then runs or resumes through the <see cref="WorkflowRunner"/>.
/// </summary>
internal static class WorkflowFrontEnd
{
    /// <summary>Opens the front end, runs <paramref name="run"/>, drains the events and reports (the exit code).</summary>
    public static async Task<int> ExecuteAsync(
        CliContext context,
        SessionChoiceOptions choice,
        WorkflowRunOptionsCli budget,
        ParseResult parseResult,
        WorkflowDefinition? definition,
        string? root,
        Func<WorkflowRunner, WorkflowDefinition, WorkflowRunOptions, Task<WorkflowRunResult>> run,
        CancellationToken cancellationToken,
        Func<SessionFrontEnd, WorkflowDefinition>? findAfterLoad = null)
    {
        if (parseResult.GetValue(choice.Session) is not null || parseResult.GetValue(choice.Continue))
        {
            throw new AgentHostException(ErrorKind.Usage, "--session and --continue do not apply to workflows: each agent node has its own session (continue one with 'continue:' in the workflow).");
        }

        var json = parseResult.GetValue(budget.Output) == "json";
        var maxTime = budget.Time(parseResult);
        var maxCost = budget.Cost(parseResult);
        var progress = new WorkflowProgress(context.Console, json);
        await using var frontEnd = await SessionFrontEnd.OpenAsync(
            context,
            choice,
            parseResult,
            runtime => runtime.Events.Subscribe(typeof(AgentEvent), (e, _) => progress.OnEventAsync(e), EventDelivery.Lossless, "agent workflow"),
            cancellationToken,
            extras: definition is null ? new FrontEndExtras(root, [], []) : new FrontEndExtras(root, definition.PluginReferences, [.. ModelsOf(definition)])).ConfigureAwait(false);
        if (definition is null)
        {
            // A workflow a loaded plugin ships: found once the plugins are loaded; its models' providers load now.
            definition = findAfterLoad?.Invoke(frontEnd) ?? throw new AgentHostException(ErrorKind.NotFound, "no workflow to run.");
            foreach (var model in ModelsOf(definition))
            {
                if (Agent.Runs.ModelSelection.ProviderTypeOf(model, frontEnd.Configuration) is { } type)
                {
                    await frontEnd.Runtime.EnsureChatProviderAsync(type, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var session = frontEnd.SessionOptions(interactive: context.Console.IsInteractive);
        var options = new WorkflowRunOptions(frontEnd.WorkspaceRoot)
        {
            Model = session.Model,
            PermissionMode = session.PermissionMode,
            Sandbox = session.Sandbox,
            Interactive = session.Interactive,
            Plugins = session.Plugins,
            MaxSteps = parseResult.GetValue(budget.MaxSteps),
            MaxTime = maxTime,
            MaxCost = maxCost,
            // At a terminal a wait node asks on the console (the prompter the front end composed); headless, it pauses the run.
            Questions = frontEnd.QuestionPrompter is not null ? frontEnd.Service.Questions : null,
            FindWorkflow = (name, from) => WorkflowLookup.FindSubWorkflow(context, frontEnd.WorkspaceRoot, name, from, frontEnd.Runtime),
            InUntrustedProject = WorkflowLookup.InUntrustedProject(context, frontEnd.WorkspaceRoot),
        };
        WorkflowRunResult result;
        try
        {
            result = await run(new WorkflowRunner(frontEnd.Service, WorkflowLookup.FromDocument), definition, options).ConfigureAwait(false);
        }
        finally
        {
            await frontEnd.Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return WorkflowRunReport.Report(context.Console, result, json, progress, parseResult.GetValue(budget.IgnoreDenials));
    }

    /// <summary>Inputs from <c>--input-file</c> (a JSON object) and <c>--input name=value</c> (which win).</summary>
    /// <exception cref="AgentHostException">A malformed <c>--input</c> or an unreadable file (<see cref="ErrorKind.Usage"/>).</exception>
    public static Dictionary<string, JsonNode?> Inputs(string[] pairs, string? file, string cwd)
    {
        var inputs = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (file is not null)
        {
            var path = Path.GetFullPath(file, cwd);
            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(File.ReadAllText(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                throw new AgentHostException(ErrorKind.Usage, $"--input-file {path}: {ex.Message}", ex);
            }

            if (parsed is not JsonObject values)
            {
                throw new AgentHostException(ErrorKind.Usage, $"--input-file {path}: must hold a JSON object of input name → value.");
            }

            foreach (var (name, value) in values)
            {
                inputs[name] = value?.DeepClone();
            }
        }

        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new AgentHostException(ErrorKind.Usage, $"--input {pair}: write NAME=VALUE (e.g. --input task=\"add a flag\").");
            }

            inputs[pair[..equals].Trim()] = JsonValue.Create(pair[(equals + 1)..]);
        }

        return inputs;
    }

    /// <summary>Every model a workflow's nodes name (their providers load with the run).</summary>
    public static IEnumerable<string> ModelsOf(WorkflowDefinition definition)
    {
        var models = new List<string>();
        if (definition.Model is { } model)
        {
            models.Add(model);
        }

        void Walk(WorkflowGraph graph)
        {
            foreach (var node in graph.Nodes)
            {
                switch (node)
                {
                    case AgentNode { Model: { } m }:
                        models.Add(m);
                        break;
                    case DecisionNode { Model: { } m }:
                        models.Add(m);
                        break;
                    case LoopNode loop:
                        Walk(loop.Body);
                        break;
                    case ParallelNode parallel:
                        foreach (var branch in parallel.Branches)
                        {
                            Walk(branch.Value);
                        }

                        break;
                    case SubWorkflowNode { Inline: { } inline }:
                        Walk(inline);
                        break;
                }
            }
        }

        Walk(definition.Nodes);
        return models.Distinct(StringComparer.Ordinal);
    }
}
