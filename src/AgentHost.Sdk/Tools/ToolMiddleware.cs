using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>The next step of the tool pipeline: the next middleware, or the tool itself.</summary>
/// <param name="context">The invocation being processed.</param>
/// <param name="cancellationToken">Cancelled when the call is cancelled or times out.</param>
/// <returns>The tool result (any JSON-serialisable value).</returns>
public delegate ValueTask<object?> ToolInvocationHandler(ToolInvocationContext context, CancellationToken cancellationToken);

/// <summary>Code that runs around every tool invocation (after the permission gate), for example diagnostics after edits.</summary>
/// <remarks>
/// Instances are shared across sessions and calls and must be thread-safe. Middleware cannot skip the permission
/// gate: the kernel decides before the pipeline runs.
/// </remarks>
public abstract class ToolMiddleware
{
    /// <summary>Processes an invocation; call <paramref name="nextHandler"/> to continue the pipeline.</summary>
    /// <param name="context">The invocation.</param>
    /// <param name="nextHandler">The rest of the pipeline.</param>
    /// <param name="cancellationToken">Cancellation for the call.</param>
    /// <returns>The result to pass outward.</returns>
    public ValueTask<object?> InvokeAsync(ToolInvocationContext context, ToolInvocationHandler nextHandler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextHandler);
        return InvokeCoreAsync(context, nextHandler, cancellationToken);
    }

    /// <summary>When overridden, processes an invocation.</summary>
    /// <param name="context">The invocation.</param>
    /// <param name="nextHandler">The rest of the pipeline.</param>
    /// <param name="cancellationToken">Cancellation for the call.</param>
    /// <returns>The result to pass outward.</returns>
    protected abstract ValueTask<object?> InvokeCoreAsync(ToolInvocationContext context, ToolInvocationHandler nextHandler, CancellationToken cancellationToken);
}

/// <summary>One tool call on its way through the pipeline.</summary>
/// <param name="Tool">The function being called.</param>
/// <param name="Metadata">The tool's metadata.</param>
/// <param name="Arguments">The validated arguments.</param>
/// <param name="CallId">The model's call id.</param>
public sealed record ToolInvocationContext(AIFunction Tool, ToolMetadata Metadata, AIFunctionArguments Arguments, string CallId)
{
    /// <summary>The session the call belongs to, when any.</summary>
    public string? SessionId { get; init; }

    /// <summary>The project root the call is confined to.</summary>
    public string? WorkspaceRoot { get; init; }
}
