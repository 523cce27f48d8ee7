using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>
/// The object whose attributed methods are tools: given (<c>AddTools(instance)</c>) or resolved from the plugin's
/// services on the first call (<c>AddTools&lt;T&gt;()</c>) and then shared by all of that type's tools.
/// </summary>
/// <remarks>Thread-safe; the object is resolved at most once.</remarks>
internal sealed class ToolTarget
{
    private readonly Type _type;
    private readonly Lock _lock = new();
    private object? _instance;

    public ToolTarget(object instance)
    {
        _instance = instance;
        _type = instance.GetType();
    }

    public ToolTarget(Type type) => _type = type;

    /// <summary>Returns the object, resolving it from <paramref name="arguments"/>' services on the first call.</summary>
    /// <exception cref="InvalidOperationException">There are no services to resolve it from (the tool was called outside the host).</exception>
    public object Get(AIFunctionArguments arguments, string toolName)
    {
        if (Volatile.Read(ref _instance) is { } instance)
        {
            return instance;
        }

        var services = arguments.Services ?? throw new InvalidOperationException(
            $"Tool '{toolName}' needs the plugin's service provider to create {_type.FullName}; invoke it through the host, or set AIFunctionArguments.Services.");
        lock (_lock)
        {
            return _instance ??= services.GetService(_type) ?? throw new InvalidOperationException(
                $"Tool '{toolName}': the plugin's services cannot create {_type.FullName}; AddTools<{_type.Name}>() registers it as a singleton unless the plugin registered it otherwise.");
        }
    }
}
