using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tools;

/// <summary>
/// One session's view of a kernel tool built once per process (<c>ask_user</c>, <c>skill</c>): the template's name,
/// description and schema, its parameter binding, and the session's state handed to it through
/// <see cref="AIFunctionArguments.Context"/> under <see cref="StateKey"/>. Building the template (reflection over the
/// method and its JSON schema) is then paid once, not at every session's first turn.
/// </summary>
/// <param name="template">The process-wide function; its method reads the state with <see cref="StateOf{T}"/>.</param>
/// <param name="state">This session's state.</param>
internal sealed class SessionBoundFunction(AIFunction template, object state) : AIFunction
{
    /// <summary>The process-wide function this session's view binds (the schema cache describes it, see <c>ToolSet</c>).</summary>
    public AIFunction Template => template;

    /// <summary>This session's state.</summary>
    public object State => state;

    /// <summary>The context key the session's state is passed under.</summary>
    public static readonly object StateKey = new();

    public override string Name => template.Name;

    public override string Description => template.Description;

    public override JsonElement JsonSchema => template.JsonSchema;

    public override JsonElement? ReturnJsonSchema => template.ReturnJsonSchema;

    public override JsonSerializerOptions JsonSerializerOptions => template.JsonSerializerOptions;

    public override MethodInfo? UnderlyingMethod => template.UnderlyingMethod;

    public override IReadOnlyDictionary<string, object?> AdditionalProperties => template.AdditionalProperties;

    /// <summary>The session state a template's method was called with.</summary>
    /// <typeparam name="T">The state's type.</typeparam>
    /// <param name="arguments">The call's arguments.</param>
    /// <returns>The state.</returns>
    public static T StateOf<T>(AIFunctionArguments arguments)
        where T : class =>
        arguments.Context?.TryGetValue(StateKey, out var state) == true && state is T typed
            ? typed
            : throw new InvalidOperationException($"{typeof(T).Name} was not passed to the tool.");

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        // Each call has its own arguments (and context), so sessions never see each other's state.
        (arguments.Context ??= new Dictionary<object, object?>())[StateKey] = state;
        return template.InvokeAsync(arguments, cancellationToken);
    }
}
