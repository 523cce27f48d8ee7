using AgentHost.Agent.Workflows.Model;
using AgentHost.Agent.Workflows.Parsing;
using AgentHost.Hosting.Trust;

namespace AgentHost.Agent.Workflows;

/// <summary>
/// Whether a workflow may run (docs/workflows.md "Workflows in an untrusted project"): a workflow file inside a project
/// that has not been trusted may not run <c>shell</c> nodes, use a permission mode other than <c>ask</c>, <c>plan</c>
/// or <c>dont-ask</c>, or name plugins by path — in its own nodes or in inline sub-workflows. Named sub-workflows are
/// checked when they are loaded, by their own file's place.
/// </summary>
internal static class WorkflowTrust
{
    /// <summary>Whether the workflow's file is inside <paramref name="projectRoot"/> and that project is not trusted.</summary>
    /// <param name="definition">The workflow.</param>
    /// <param name="projectRoot">The project root.</param>
    /// <param name="trust">The trust store.</param>
    /// <returns>Whether the untrusted-project rules apply.</returns>
    public static bool IsInUntrustedProject(WorkflowDefinition definition, string projectRoot, ProjectTrust trust)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrWhiteSpace(projectRoot);
        ArgumentNullException.ThrowIfNull(trust);
        if (definition.Source.Kind is WorkflowSourceKind.Bundled or WorkflowSourceKind.Plugin && !Path.IsPathFullyQualified(definition.Source.Path))
        {
            return false;
        }

        var root = ProjectTrust.NormalizeRoot(projectRoot);
        var full = Path.GetFullPath(definition.Source.Path);
        var file = Path.Combine(ProjectTrust.NormalizeRoot(Path.GetDirectoryName(full)!), Path.GetFileName(full));
        var inside = file.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        return inside && !trust.IsTrusted(root);
    }

    /// <summary>The refusal message for running <paramref name="definition"/>, or null when it may run.</summary>
    /// <param name="definition">The workflow.</param>
    /// <param name="projectRoot">The project root.</param>
    /// <param name="trust">The trust store.</param>
    /// <returns>The message naming every node that is not allowed, or null.</returns>
    public static string? Refusal(WorkflowDefinition definition, string projectRoot, ProjectTrust trust) =>
        Refusal(definition, IsInUntrustedProject(definition, projectRoot, trust));

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

        var reasons = new List<string>();
        foreach (var plugin in definition.Plugins.Where(IsPluginPath))
        {
            reasons.Add($"'plugins' names '{plugin}' by path");
        }

        Collect(definition.Nodes, reasons);
        return reasons.Count == 0
            ? null
            : $"workflow '{definition.Name}' ({definition.Source.Path}) is in a project that is not trusted, so it cannot run: {string.Join("; ", reasons)}. "
              + $"Review it with 'agent workflow show {definition.Name}', then run 'agent trust' in the project to allow it.";
    }

    private static bool IsPluginPath(string plugin) => Hosting.Plugins.PluginRuntime.IsWrittenAsPath(plugin);

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
