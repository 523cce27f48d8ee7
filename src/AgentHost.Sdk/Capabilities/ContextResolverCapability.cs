namespace AgentHost.Sdk.Capabilities;

/// <summary>Resolves a context reference in a prompt (for example <c>@jira:ABC-1</c>) to text for the model.</summary>
/// <remarks>Instances are shared and must be thread-safe.</remarks>
public abstract class ContextReferenceResolver
{
    /// <summary>Resolves <paramref name="reference"/> or returns <see langword="null"/> when it is not this resolver's.</summary>
    /// <param name="reference">The reference without the leading <c>@</c>.</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The resolved content, or <see langword="null"/>.</returns>
    public ValueTask<ResolvedContext?> ResolveAsync(string reference, string workspaceRoot, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        ArgumentException.ThrowIfNullOrWhiteSpace(workspaceRoot);
        return ResolveCoreAsync(reference, workspaceRoot, cancellationToken);
    }

    /// <summary>When overridden, resolves a reference.</summary>
    /// <param name="reference">The reference without the leading <c>@</c>.</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The resolved content, or <see langword="null"/>.</returns>
    protected abstract ValueTask<ResolvedContext?> ResolveCoreAsync(string reference, string workspaceRoot, CancellationToken cancellationToken);
}

/// <summary>The content a reference resolved to.</summary>
/// <param name="Title">A short label, for example the file path or issue key.</param>
/// <param name="Content">The text given to the model.</param>
public sealed record ResolvedContext(string Title, string Content);

/// <summary>A context reference resolver contributed by a plugin.</summary>
public sealed class ContextResolverCapability : Capability
{
    /// <summary>Creates a resolver capability.</summary>
    /// <param name="name">The reference prefix it handles, for example <c>jira</c> for <c>@jira:KEY</c>.</param>
    /// <param name="resolver">The resolver.</param>
    public ContextResolverCapability(string name, ContextReferenceResolver resolver)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        Resolver = resolver;
    }

    /// <inheritdoc />
    public override CapabilityKind Kind => CapabilityKind.ContextResolver;

    /// <summary>The resolver.</summary>
    public ContextReferenceResolver Resolver { get; }
}
