using AgentHost.Agent.Tools;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>
/// A snapshot of the registered tools and tool middleware, computed once and reused until the registry changes:
/// the declarations given to the model with every request (sorted by name, ordinal, for prompt-cache stability), the
/// deferred tools (listed by name and summary, loaded on demand; see <see cref="ToolDeferral"/>) and the middleware
/// chain (ordered by <see cref="ToolMiddlewareCapability.Order"/>, plugin id, then name; first is outermost).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ToolSet
{
    private static readonly ToolInvocationHandler InvokeTool = static (context, cancellationToken) =>
        context.Tool.InvokeAsync(context.Arguments, cancellationToken);

    private readonly List<DeferredMethodFunction> _deferred = [];

    private readonly Dictionary<string, DeferredTool> _deferredByName;

    private ToolSet(IReadOnlyList<AIFunctionDeclaration> declarations, IReadOnlyList<DeferredTool> deferred, IReadOnlyList<string> middleware, ToolInvocationHandler chain, long schemaCharacters)
    {
        Declarations = declarations;
        Deferred = deferred;
        _deferredByName = deferred.ToDictionary(d => d.Name, StringComparer.Ordinal);
        Middleware = middleware;
        Chain = chain;
        SchemaCharacters = schemaCharacters;
    }

    /// <summary>
    /// The tools the model is given with every request: declaration-only functions, one per plain name, sorted by
    /// name, their schemas compacted (<see cref="ModelDeclaration"/>); <c>tool_search</c> among them when tools are deferred.
    /// </summary>
    /// <remarks>When two plugins contribute one name, the model sees the plain name, which resolves to the plugin whose id sorts first.</remarks>
    public IReadOnlyList<AIFunctionDeclaration> Declarations { get; }

    /// <summary>The deferred tools, sorted by name: listed in the system prompt, sent once loaded (<see cref="ToolPipeline.LoadTools"/>).</summary>
    public IReadOnlyList<DeferredTool> Deferred { get; }

    /// <summary>The middleware in invocation order (outermost first), as qualified names.</summary>
    public IReadOnlyList<string> Middleware { get; }

    /// <summary>Characters of tool names, descriptions and schemas: what the declarations add to every prompt.</summary>
    public long SchemaCharacters { get; }

    internal ToolInvocationHandler Chain { get; }

    /// <summary>The deferred tool of that plain name, or <see langword="null"/>.</summary>
    /// <param name="name">A tool's plain name.</param>
    /// <returns>The tool.</returns>
    public DeferredTool? FindDeferred(string name) => _deferredByName.GetValueOrDefault(name);

    /// <summary>
    /// Creates the snapshot. With <paramref name="deferral"/>, the tools it defers are listed in <see cref="Deferred"/>
    /// instead of <see cref="Declarations"/>, and <paramref name="toolSearch"/> is offered when any is; with
    /// <paramref name="offeredNames"/> (a workflow agent node's <c>tools</c>) every named tool is offered up front.
    /// </summary>
    internal static ToolSet Create(
        CapabilityRegistry registry,
        Func<ToolMetadata, bool>? offer = null,
        ToolSchemaCache? schemas = null,
        IReadOnlyList<RegisteredCapability>? kernelTools = null,
        IReadOnlySet<string>? offeredNames = null,
        ToolDeferral? deferral = null,
        RegisteredCapability? toolSearch = null,
        Func<string, string, bool>? hide = null)
    {
        var declarations = new List<AIFunctionDeclaration>();
        var deferredTools = new List<DeferredTool>();
        var deferredFunctions = new List<DeferredMethodFunction>();
        deferral = offeredNames is null ? deferral : null;
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
            if ((offer is not null && !offer(tool.Metadata)) || (hide is not null && hide(entry.Name, entry.PluginId)) || (offeredNames is not null && !offeredNames.Contains(entry.Name) && !offeredNames.Contains(entry.QualifiedName)))
            {
                continue;
            }

            if (tool.Function is DeferredMethodFunction { IsMaterialized: false } deferred)
            {
                deferredFunctions.Add(deferred);
            }

            // A kernel tool's session view describes its process-wide function, which the cache describes in turn.
            var described = tool.Function is SessionBoundFunction bound ? bound.Template : tool.Function;
            var uncached = schemas?.Apply(described);
            var declaration = ModelDeclaration.Of(tool.Function);
            if (deferral is not null && deferral.IsDeferred(entry, tool.Metadata))
            {
                deferredTools.Add(new DeferredTool(declaration.Name, ModelDeclaration.Summary(declaration.Description), declaration));
            }
            else
            {
                declarations.Add(declaration);
                schemaCharacters += declaration.Name.Length + declaration.Description.Length + declaration.JsonSchema.GetRawText().Length;
            }

            if (uncached is not null)
            {
                schemas!.Remember(uncached, described.JsonSchema);
            }
        }

        schemas?.SaveIfChanged();
        if (deferredTools.Count > 0 && toolSearch?.Capability is ToolCapability search)
        {
            var declaration = ModelDeclaration.Of(search.Function);
            var at = declarations.FindIndex(d => string.CompareOrdinal(d.Name, declaration.Name) > 0);
            declarations.Insert(at < 0 ? declarations.Count : at, declaration);
            schemaCharacters += declaration.Name.Length + declaration.Description.Length + declaration.JsonSchema.GetRawText().Length;
        }

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

        var set = new ToolSet(declarations, deferredTools, middleware.Select(m => m.QualifiedName).ToList(), chain, schemaCharacters);
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

/// <summary>A tool the model is offered on demand: listed by name and summary, its declaration sent once it is loaded.</summary>
/// <param name="Name">The tool's plain name.</param>
/// <param name="Summary">The first sentence of its description.</param>
/// <param name="Declaration">What the model is given once the tool is loaded.</param>
public sealed record DeferredTool(string Name, string Summary, AIFunctionDeclaration Declaration);
