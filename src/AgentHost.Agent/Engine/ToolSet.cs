using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>
/// A snapshot of the registered tools and tool middleware, computed once and reused until the registry changes:
/// the declarations given to the model (sorted by name, ordinal, for prompt-cache stability) and the middleware
/// chain (ordered by <see cref="ToolMiddlewareCapability.Order"/>, plugin id, then name; first is outermost).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ToolSet
{
    private static readonly ToolInvocationHandler InvokeTool = static (context, cancellationToken) =>
        context.Tool.InvokeAsync(context.Arguments, cancellationToken);

    private readonly List<DeferredMethodFunction> _deferred = [];

    private ToolSet(IReadOnlyList<AIFunctionDeclaration> declarations, IReadOnlyList<string> middleware, ToolInvocationHandler chain, long schemaCharacters)
    {
        Declarations = declarations;
        Middleware = middleware;
        Chain = chain;
        SchemaCharacters = schemaCharacters;
    }

    /// <summary>The tools as the model sees them: declaration-only functions, one per plain name, sorted by name.</summary>
    /// <remarks>When two plugins contribute one name, the model sees the plain name, which resolves to the plugin whose id sorts first.</remarks>
    public IReadOnlyList<AIFunctionDeclaration> Declarations { get; }

    /// <summary>The middleware in invocation order (outermost first), as qualified names.</summary>
    public IReadOnlyList<string> Middleware { get; }

    /// <summary>Characters of tool names, descriptions and schemas: what the declarations add to every prompt.</summary>
    public long SchemaCharacters { get; }

    internal ToolInvocationHandler Chain { get; }

    internal static ToolSet Create(
        CapabilityRegistry registry, Func<ToolMetadata, bool>? offer = null, ToolSchemaCache? schemas = null, IReadOnlyList<RegisteredCapability>? kernelTools = null, IReadOnlySet<string>? offeredNames = null)
    {
        var declarations = new List<AIFunctionDeclaration>();
        var deferredFunctions = new List<DeferredMethodFunction>();
        var schemaCharacters = 0L;
        string? previous = null;
        var kernelNames = (kernelTools ?? []).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var tools = registry.OfKind(CapabilityKind.Tool).Where(e => !kernelNames.Contains(e.Name)).Concat(kernelTools ?? []).OrderBy(e => e.Name, StringComparer.Ordinal);
        foreach (var entry in tools)
        {
            if (entry.Name == previous || entry.Capability is not ToolCapability tool)
            {
                continue;
            }

            previous = entry.Name;
            if ((offer is not null && !offer(tool.Metadata)) || (offeredNames is not null && !offeredNames.Contains(entry.Name) && !offeredNames.Contains(entry.QualifiedName)))
            {
                continue;
            }

            if (tool.Function is DeferredMethodFunction { IsMaterialized: false } deferred)
            {
                deferredFunctions.Add(deferred);
            }

            // A kernel tool's session view describes its process-wide function, which the cache describes in turn.
            var described = tool.Function is Service.SessionBoundFunction bound ? bound.Template : tool.Function;
            var uncached = schemas?.Apply(described);
            declarations.Add(tool.Function.AsDeclarationOnly());
            schemaCharacters += tool.Function.Name.Length + (tool.Function.Description?.Length ?? 0) + tool.Function.JsonSchema.GetRawText().Length;
            if (uncached is not null)
            {
                schemas!.Remember(uncached, described.JsonSchema);
            }
        }

        schemas?.SaveIfChanged();

        var middleware = registry.OfKind(CapabilityKind.ToolMiddleware)
            .Where(e => e.Capability is ToolMiddlewareCapability)
            .OrderBy(e => ((ToolMiddlewareCapability)e.Capability).Order)
            .ThenBy(e => e.PluginId, StringComparer.Ordinal)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        var chain = InvokeTool;
        for (var i = middleware.Count - 1; i >= 0; i--)
        {
            var layer = ((ToolMiddlewareCapability)middleware[i].Capability).Middleware;
            var next = chain;
            chain = (context, cancellationToken) => layer.InvokeAsync(context, next, cancellationToken);
        }

        var set = new ToolSet(declarations, middleware.Select(m => m.QualifiedName).ToList(), chain, schemaCharacters);
        set._deferred.AddRange(deferredFunctions);
        return set;
    }

    /// <summary>
    /// Gets the tools that were described from cached schemas ready for their first call, for example while the first
    /// model request is on its way: a tool whose calls bind directly only has its parameters read; another is built by
    /// reflection (<see cref="AIFunctionFactory"/>). A tool that cannot be built is left for its first call to report.
    /// </summary>
    internal void WarmUp()
    {
        foreach (var function in _deferred)
        {
            try
            {
                function.Prepare();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException)
            {
                // Reported by the tool's first call.
            }
        }
    }
}
