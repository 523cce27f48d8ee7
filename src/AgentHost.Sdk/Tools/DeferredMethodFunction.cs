using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>
/// A tool function made from a delegate (<see cref="PluginBuilderExtensions.AddTool(IPluginBuilder, string, string, ToolMetadata, Delegate)"/>)
/// or an attributed method (<see cref="PluginBuilderExtensions.AddTools{T}(IPluginBuilder)"/>): the reflection work of
/// <see cref="AIFunctionFactory"/> (parameter binding and the JSON schema) waits until the function is invoked or its
/// schema is first read, and the host may supply the schema from its cache instead. Plugins register many tools and
/// most runs call few of them, so start-up does not pay for all of them.
/// </summary>
/// <remarks>
/// A call whose method has simple parameters binds them directly (<see cref="DirectToolBinding"/>) and never builds the
/// inner function; other calls, and the schema when the host has none cached, use it.
/// Thread-safe: the inner function is created once. For an instance method whose object comes from the plugin's
/// services, the object is resolved on the first call (from <see cref="AIFunctionArguments.Services"/>) and kept.
/// </remarks>
internal sealed class DeferredMethodFunction : AIFunction
{
    private static readonly string SchemaGeneratorVersion = typeof(AIFunctionFactory).Assembly.GetName().Version?.ToString() ?? "0";
    private static readonly string SdkBuild = typeof(DeferredMethodFunction).Module.ModuleVersionId.ToString("N");
    private static readonly IReadOnlyDictionary<string, object?> NoProperties = new Dictionary<string, object?>();
    private static readonly Func<AIFunctionArguments, object> Unbound =
        static _ => throw new InvalidOperationException("The tool's object was not resolved.");

    private readonly Delegate? _delegate;
    private readonly MethodInfo _method;
    private readonly ToolTarget? _target;
    private readonly AIFunctionFactoryOptions _options;
    private readonly Lock _lock = new();
    private AIFunction? _inner;
    private AIFunction? _bound;
    private DirectToolBinding? _direct;
    private bool _directChecked;
    private JsonElement? _knownSchema;
    private string? _schemaKey;

    /// <summary>A function over a delegate (a lambda, a static or a bound instance method).</summary>
    public DeferredMethodFunction(Delegate method, AIFunctionFactoryOptions options)
        : this(method.Method, null, options) => _delegate = method;

    /// <summary>A function over a static method (<paramref name="target"/> <see langword="null"/>) or an instance method of <paramref name="target"/>'s object.</summary>
    internal DeferredMethodFunction(MethodInfo method, ToolTarget? target, AIFunctionFactoryOptions options)
    {
        _method = method;
        _target = method.IsStatic ? null : target;
        _options = options;
        Name = options.Name ?? method.Name;
        Description = options.Description ?? string.Empty;
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema => _knownSchema ?? Inner.JsonSchema;

    public override JsonElement? ReturnJsonSchema => Inner.ReturnJsonSchema;

    public override JsonSerializerOptions JsonSerializerOptions => _options.SerializerOptions ?? AIJsonUtilities.DefaultOptions;

    public override MethodInfo? UnderlyingMethod => _method;

    public override IReadOnlyDictionary<string, object?> AdditionalProperties => _options.AdditionalProperties ?? NoProperties;

    /// <summary>
    /// Identifies the schema this function's method produces: the method's module version id and metadata token (the
    /// same build of the same code), the schema generator's version and the SDK build (which decides parameter binding).
    /// </summary>
    internal string SchemaKey => _schemaKey ??= string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{_method.Module.ModuleVersionId:N}:{_method.MetadataToken:x8}:{SchemaGeneratorVersion}:{SdkBuild}");

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

    /// <summary>
    /// Whether calls bind their arguments directly (<see cref="DirectToolBinding"/>) instead of through the factory's
    /// reflection-built function; reads the method's parameters the first time.
    /// </summary>
    internal bool BindsDirectly => Direct is not null;

    /// <summary>
    /// Gets the function ready for its first call off the request path: reads the method's parameters when calls bind
    /// directly, otherwise builds the factory's function (<see cref="Materialize"/>).
    /// </summary>
    internal void Prepare()
    {
        if (!BindsDirectly)
        {
            Materialize();
        }
    }

    /// <summary>
    /// Calls the tool through the factory's reflection-built function: every call that does not bind directly, and tests
    /// that compare the two ways.
    /// </summary>
    internal ValueTask<object?> InvokeThroughFactoryAsync(AIFunctionArguments arguments, CancellationToken cancellationToken = default) =>
        _target is null
            ? Inner.InvokeAsync(arguments, cancellationToken)
            : (Volatile.Read(ref _bound) ?? Bind(_target.Get(arguments, Name))).InvokeAsync(arguments, cancellationToken);

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        if (Direct is { } direct && direct.TryBind(arguments, cancellationToken, out var values))
        {
            try
            {
                var target = _delegate is not null ? _delegate.Target : _target?.Get(arguments, Name);
                return direct.InvokeAsync(target, values);
            }
            catch (Exception ex)
            {
                return ValueTask.FromException<object?>(ex); // As the factory's function reports it: a faulted call.
            }
        }

        return InvokeThroughFactoryAsync(arguments, cancellationToken);
    }

    private AIFunction Bind(object instance)
    {
        lock (_lock)
        {
            // The factory caches its reflection per method and options, so this reuses the work of Inner.
            return _bound ??= AIFunctionFactory.Create(_method, instance, _options);
        }
    }

    private DirectToolBinding? Direct
    {
        get
        {
            if (Volatile.Read(ref _directChecked))
            {
                return _direct;
            }

            lock (_lock)
            {
                if (!_directChecked)
                {
                    // A delegate closed over a static method's first argument, or with several targets, is left to the factory.
                    var plain = _delegate is null || (_delegate.HasSingleTarget && (_delegate.Target is null || !_method.IsStatic));
                    _direct = plain ? DirectToolBinding.TryCreate(_method) : null;
                    Volatile.Write(ref _directChecked, true);
                }

                return _direct;
            }
        }
    }

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
                return _inner ??= _delegate is not null ? AIFunctionFactory.Create(_delegate, _options)
                    : _target is null ? AIFunctionFactory.Create(_method, (object?)null, _options)
                    : AIFunctionFactory.Create(_method, Unbound, _options); // Describes the method; calls go through Bind.
            }
        }
    }
}
