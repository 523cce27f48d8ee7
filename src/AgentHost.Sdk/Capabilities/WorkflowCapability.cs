using AgentHost.Sdk.Workflows;

namespace AgentHost.Sdk.Capabilities;

/// <summary>
/// A workflow a plugin ships in code (see docs/workflows.md); the host validates it by the same rules as a workflow
/// file when it is listed or run, and names the plugin in any problem.
/// </summary>
public sealed class WorkflowCapability : Capability
{
    /// <summary>Creates the capability.</summary>
    /// <param name="definition">The workflow, usually from <see cref="WorkflowBuilder.Build"/>.</param>
    public WorkflowCapability(WorkflowDefinition definition)
        : base(definition?.Name ?? throw new ArgumentNullException(nameof(definition)))
    {
        Definition = definition;
        Description = definition.Description;
    }

    /// <inheritdoc />
    public override CapabilityKind Kind => CapabilityKind.Workflow;

    /// <summary>The workflow.</summary>
    public WorkflowDefinition Definition { get; }
}
