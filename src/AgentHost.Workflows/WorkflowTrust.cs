using AgentHost.Hosting.Trust;
using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Workflows;

/// <summary>
/// Whether a workflow may run (docs/workflows.md "Workflows in an untrusted project"): a workflow file inside a project
/// that has not been trusted may not run <c>shell</c> nodes, use a permission mode other than <c>ask</c>, <c>plan</c>
/// or <c>dont-ask</c>, or name plugins by path — in its own nodes, in inline sub-workflows, and in every workflow it
/// reaches through named sub-workflows, whatever their source (bundled, plugin, user or file): trust covers the whole
/// call graph (<see cref="CallGraphRefusal"/>), so an untrusted workflow cannot reach a shell node by handing its inputs
/// to a trusted one.
/// </summary>
public static class WorkflowTrust
{
    /// <summary>Whether the workflow's file is inside <paramref name="projectRoot"/> and that project is not trusted.</summary>
    /// <param name="definition">The workflow.</param>
    /// <param name="projectRoot">The project root.</param>
    /// <param name="projectTrusted">Whether the user trusts that project (<c>ConfigurationSnapshot.Trusts</c>: the one rule).</param>
    /// <returns>Whether the untrusted-project rules apply.</returns>
    public static bool IsInUntrustedProject(WorkflowDefinition definition, string projectRoot, bool projectTrusted)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrWhiteSpace(projectRoot);
        if (definition.Source.Kind is WorkflowSourceKind.Bundled or WorkflowSourceKind.Plugin && !Path.IsPathFullyQualified(definition.Source.Path))
        {
            return false;
        }

        var root = ProjectTrust.NormalizeRoot(projectRoot);
        var full = Path.GetFullPath(definition.Source.Path);
        var file = Path.Combine(ProjectTrust.NormalizeRoot(Path.GetDirectoryName(full)!), Path.GetFileName(full));
        var inside = file.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        return inside && !projectTrusted;
    }

    /// <summary>The refusal message for running <paramref name="definition"/>, or null when it may run.</summary>
    /// <param name="definition">The workflow.</param>
    /// <param name="projectRoot">The project root.</param>
    /// <param name="projectTrusted">Whether the user trusts that project.</param>
    /// <returns>The message naming every node that is not allowed, or null.</returns>
    public static string? Refusal(WorkflowDefinition definition, string projectRoot, bool projectTrusted) =>
        Refusal(definition, IsInUntrustedProject(definition, projectRoot, projectTrusted));

    /// <summary>The refusal message for running <paramref name="definition"/>, or null when it may run.</summary>
    /// <param name="definition">The workflow.</param>
    /// <param name="inUntrustedProject">Whether its file is inside a project that is not trusted.</param>
    /// <returns>The message naming every node that is not allowed, or null.</returns>
    public static string? Refusal(WorkflowDefinition definition, bool inUntrustedProject)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!inUntrustedProject)
        {
            return null;
        }

        var reasons = Violations(definition);
        return reasons.Count == 0
            ? null
            : $"workflow '{definition.Name}' ({definition.Source.Path}) is in a project that is not trusted, so it cannot run: {string.Join("; ", reasons)}. "
              + $"Review it with 'agent workflow show {definition.Name}', then run 'agent trust' in the project to allow it.";
    }

    /// <summary>What in <paramref name="definition"/> (its own nodes and inline sub-workflows) an untrusted project may not run.</summary>
    /// <param name="definition">The workflow.</param>
    /// <returns>One text a violation, naming the node and its line; empty when none.</returns>
    public static List<string> Violations(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var reasons = new List<string>();
        foreach (var plugin in definition.Plugins.Where(IsPluginPath))
        {
            reasons.Add($"'plugins' names '{plugin}' by path");
        }

        Collect(definition.Nodes, reasons);
        return reasons;
    }

    /// <summary>
    /// The refusal for running <paramref name="root"/>, or null: every workflow it reaches (its own nodes, inline
    /// sub-workflows, and named sub-workflows however deep) is held to the untrusted rules once it, or a workflow that
    /// calls it, is a file of a project that is not trusted.
    /// </summary>
    /// <param name="root">The workflow to run.</param>
    /// <param name="inUntrustedProject">Whether a workflow's file is inside a project that is not trusted.</param>
    /// <param name="find">Finds a named sub-workflow (its name or path, and the calling file); without it only the root's own file is checked.</param>
    /// <returns>The message naming every node that is not allowed and the calls that reach it, or null.</returns>
    public static string? CallGraphRefusal(WorkflowDefinition root, Func<WorkflowDefinition, bool> inUntrustedProject, Func<string, string?, WorkflowDefinition>? find)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(inUntrustedProject);
        var reasons = new List<string>();
        var visited = new HashSet<(string, bool)>();
        var untrustedRoot = inUntrustedProject(root);
        Walk(root, untrustedRoot, null, 0);
        if (reasons.Count == 0)
        {
            return null;
        }

        var why = untrustedRoot
            ? $"workflow '{root.Name}' ({root.Source.Path}) is in a project that is not trusted, so it cannot run"
            : $"workflow '{root.Name}' ({root.Source.Path}) calls a workflow of a project that is not trusted, so it cannot run";
        return $"{why}: {string.Join("; ", reasons)}. Review it with 'agent workflow show {root.Name}', then run 'agent trust' in the project to allow it.";

        void Walk(WorkflowDefinition definition, bool untrusted, string? via, int depth)
        {
            if (!visited.Add((definition.Source.Path + "|" + definition.Name, untrusted)) || depth > Engine.WorkflowExecution.MaxDepth)
            {
                return;
            }

            if (untrusted)
            {
                reasons.AddRange(Violations(definition).Select(r => via is null ? r : $"{via}, whose {r}"));
            }

            if (find is null)
            {
                return;
            }

            var from = definition.Source.Kind == WorkflowSourceKind.File || File.Exists(definition.Source.Path) ? definition.Source.Path : null;
            foreach (var call in Calls(definition.Nodes))
            {
                WorkflowDefinition called;
                try
                {
                    called = find(call.Workflow!, from);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    continue; // Not found or invalid: the run reports it when it gets there.
                }

                var where = $"node '{call.Id}' (line {call.Line}) calls workflow '{called.Name}' ({WorkflowEntry.DescribeSource(called.Source)}: {called.Source.Path})";
                Walk(called, untrusted || inUntrustedProject(called), via is null ? where : $"{via}, whose {where}", depth + 1);
            }
        }
    }

    /// <summary>Every node that calls a named sub-workflow, in loops, branches and inline sub-workflows too.</summary>
    private static IEnumerable<SubWorkflowNode> Calls(WorkflowGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            IEnumerable<SubWorkflowNode> inner = node switch
            {
                SubWorkflowNode { Workflow: not null } call => [call],
                SubWorkflowNode { Inline: { } inline } => Calls(inline),
                LoopNode loop => Calls(loop.Body),
                ParallelNode parallel => parallel.Branches.SelectMany(b => Calls(b.Value)),
                _ => [],
            };
            foreach (var call in inner)
            {
                yield return call;
            }
        }
    }

    private static bool IsPluginPath(string plugin) => Hosting.Plugins.Installed.PluginRuntime.IsWrittenAsPath(plugin);

    private static void Collect(WorkflowGraph graph, List<string> reasons)
    {
        foreach (var node in graph.Nodes)
        {
            switch (node)
            {
                case ShellNode:
                    reasons.Add($"node '{node.Id}' (line {node.Line}) is a shell node");
                    break;
                case AgentNode { PermissionMode: { } mode } when !WorkflowVocabulary.UntrustedPermissionModes.Contains(mode):
                    reasons.Add($"node '{node.Id}' (line {node.Line}) uses permission_mode '{mode}' (allowed: {string.Join(", ", WorkflowVocabulary.UntrustedPermissionModes)})");
                    break;
                case LoopNode loop:
                    Collect(loop.Body, reasons);
                    break;
                case ParallelNode parallel:
                    foreach (var branch in parallel.Branches)
                    {
                        Collect(branch.Value, reasons);
                    }

                    break;
                case SubWorkflowNode { Inline: { } inline }:
                    Collect(inline, reasons);
                    break;
            }
        }
    }
}
