using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Capabilities;

/// <summary>A tool: an <see cref="AIFunction"/> (name, description, JSON schema, invocation) plus <see cref="ToolMetadata"/>.</summary>
/// <remarks>Anything that is an <see cref="AIFunction"/> plugs in, including MCP client tools.</remarks>
public sealed class ToolCapability : Capability
{
    /// <summary>Creates a tool capability named after <paramref name="function"/>.</summary>
    /// <param name="function">The function the model calls.</param>
    /// <param name="metadata">Effect and prompt description.</param>
    public ToolCapability(AIFunction function, ToolMetadata metadata)
        : base(function?.Name ?? throw new ArgumentNullException(nameof(function)))
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Function = function;
        Metadata = metadata;
        Description = function.Description;
    }

    /// <inheritdoc />
    public override CapabilityKind Kind => CapabilityKind.Tool;

    /// <summary>The function.</summary>
    public AIFunction Function { get; }

    /// <summary>The metadata.</summary>
    public ToolMetadata Metadata { get; }
}

/// <summary>Middleware that wraps every tool invocation.</summary>
public sealed class ToolMiddlewareCapability : Capability
{
    /// <summary>Creates a middleware capability.</summary>
    /// <param name="name">The middleware name.</param>
    /// <param name="middleware">The middleware instance (thread-safe).</param>
    public ToolMiddlewareCapability(string name, ToolMiddleware middleware)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        Middleware = middleware;
    }

    /// <inheritdoc />
    public override CapabilityKind Kind => CapabilityKind.ToolMiddleware;

    /// <summary>The middleware.</summary>
    public ToolMiddleware Middleware { get; }

    /// <summary>Ordering among middleware: lower runs outermost. Ties break by plugin id, then name.</summary>
    public int Order { get; init; }
}
