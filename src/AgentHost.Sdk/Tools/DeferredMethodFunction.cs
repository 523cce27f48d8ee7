using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>
/// A tool function made from a delegate by <see cref="PluginBuilderExtensions.AddTool(IPluginBuilder, string, string, ToolMetadata, Delegate)"/>:
/// the reflection work of <see cref="AIFunctionFactory.Create(Delegate, AIFunctionFactoryOptions)"/> (parameter
/// binding and the JSON schema) waits until the function is invoked or its schema is first read, and the host may supply
/// the schema from its cache instead. Plugins register many tools and most runs call few of them, so start-up does not
/// pay for all of them.
/// </summary>
/// <remarks>Thread-safe: the inner function is created once.</remarks>
internal sealed class DeferredMethodFunction : AIFunction
{
    private static readonly string SchemaGeneratorVersion = typeof(AIFunctionFactory).Assembly.GetName().Version?.ToString() ?? "0";
    private static readonly IReadOnlyDictionary<string, object?> NoProperties = new Dictionary<string, object?>();

    private readonly Delegate _method;
    private readonly AIFunctionFactoryOptions _options;
    private readonly Lock _lock = new();
    private AIFunction? _inner;
    private JsonElement? _knownSchema;
    private string? _schemaKey;

    public DeferredMethodFunction(Delegate method, AIFunctionFactoryOptions options)
    {
        _method = method;
        _options = options;
        Name = options.Name ?? method.Method.Name;
        Description = options.Description ?? string.Empty;
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema => _knownSchema ?? Inner.JsonSchema;

    public override JsonElement? ReturnJsonSchema => Inner.ReturnJsonSchema;

    public override JsonSerializerOptions JsonSerializerOptions => _options.SerializerOptions ?? AIJsonUtilities.DefaultOptions;

    public override MethodInfo? UnderlyingMethod => _method.Method;

    public override IReadOnlyDictionary<string, object?> AdditionalProperties => _options.AdditionalProperties ?? NoProperties;

    /// <summary>
    /// Identifies the schema this function's method produces: the method's module version id and metadata token (the
    /// same build of the same code) and the schema generator's version.
    /// </summary>
    internal string SchemaKey => _schemaKey ??= string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{_method.Method.Module.ModuleVersionId:N}:{_method.Method.MetadataToken:x8}:{SchemaGeneratorVersion}");

    /// <summary>Whether the reflection-built function exists yet.</summary>
    internal bool IsMaterialized => Volatile.Read(ref _inner) is not null;

    /// <summary>Uses <paramref name="schema"/> (from the host's cache, for <see cref="SchemaKey"/>) instead of generating it.</summary>
    internal void UseKnownSchema(JsonElement schema)
    {
        lock (_lock)
        {
            if (_inner is null)
            {
                _knownSchema = schema;
            }
        }
    }

    /// <summary>Builds the function now (off the request path), so the first call does not pay for it.</summary>
    internal void Materialize() => _ = Inner;

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        Inner.InvokeAsync(arguments, cancellationToken);

    private AIFunction Inner
    {
        get
        {
            if (Volatile.Read(ref _inner) is { } inner)
            {
                return inner;
            }

            lock (_lock)
            {
                return _inner ??= AIFunctionFactory.Create(_method, _options);
            }
        }
    }
}
