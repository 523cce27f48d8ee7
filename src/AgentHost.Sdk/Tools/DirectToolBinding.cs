using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>
/// Calls a tool method with its arguments read straight from the call's <see cref="JsonElement"/>s, for methods whose
/// parameters and result are simple (strings, booleans, integers, string arrays, and the host's
/// <see cref="AIFunctionArguments"/>, <see cref="CancellationToken"/> and <see cref="IProgress{T}"/> of
/// <see cref="ToolProgress"/>; a string or <see cref="ToolResult"/>, possibly in a task). The reflection-built
/// <see cref="AIFunctionFactory"/> function (its parameter marshallers, the JSON type information of every parameter and
/// the schema it computes on creation) is then never needed for a call: that was most of a tool's first call.
/// </summary>
/// <remarks>
/// <para>
/// A call binds directly only when every argument is of the form the factory's marshaller would read the same way: a
/// JSON value of the parameter's kind (or JSON <c>null</c>), the parameter's own CLR type, or absent with a default.
/// Anything else (a missing required argument, a number where a string is expected, a fractional integer, a CLR value of
/// another type) returns <see langword="false"/> from <see cref="TryBind"/>, and the caller hands the call to the
/// factory's function, so the errors (and the conversions) are exactly the factory's.
/// </para>
/// <para>
/// The result differs in one way only: a string is returned as it is, where the factory returns it serialized as a JSON
/// string element; the host turns both into the same text. Thread-safe and immutable.
/// </para>
/// </remarks>
internal sealed class DirectToolBinding
{
    private readonly Parameter[] _parameters;
    private readonly MethodInfo _method;
    private readonly ResultKind _result;

    private DirectToolBinding(MethodInfo method, Parameter[] parameters, ResultKind result)
    {
        _method = method;
        _parameters = parameters;
        _result = result;
    }

    private enum Kind
    {
        String,
        Boolean,
        NullableBoolean,
        Int32,
        NullableInt32,
        Int64,
        NullableInt64,
        StringArray,
        Arguments,
        Cancellation,
        Progress,
    }

    private enum ResultKind
    {
        Plain,
        Task,
        ValueTaskOfString,
        ValueTaskOfToolResult,
    }

    /// <summary>A binding for <paramref name="method"/>, or <see langword="null"/> when a parameter or the result needs the factory.</summary>
    /// <param name="method">The tool's method.</param>
    /// <returns>The binding, or <see langword="null"/>.</returns>
    public static DirectToolBinding? TryCreate(MethodInfo method)
    {
        if (method.ContainsGenericParameters || ResultOf(method.ReturnType) is not { } result)
        {
            return null;
        }

        var infos = method.GetParameters();
        var parameters = new Parameter[infos.Length];
        for (var i = 0; i < infos.Length; i++)
        {
            var info = infos[i];
            if (info.ParameterType.IsByRef || KindOf(info.ParameterType) is not { } kind || info.Name is not { Length: > 0 } name)
            {
                return null;
            }

            object? defaultValue = null;
            var hasDefault = info.HasDefaultValue;
            if (hasDefault)
            {
                defaultValue = info.DefaultValue;
                if (defaultValue is DBNull or Missing)
                {
                    return null;
                }
            }

            parameters[i] = new Parameter(name, kind, hasDefault, defaultValue);
        }

        return new DirectToolBinding(method, parameters, result);
    }

    /// <summary>Reads the arguments for a call; <see langword="false"/> when one must go through the factory.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="cancellationToken">The call's token.</param>
    /// <param name="values">The method's arguments.</param>
    /// <returns>Whether every argument was read.</returns>
    public bool TryBind(AIFunctionArguments arguments, CancellationToken cancellationToken, out object?[] values)
    {
        values = _parameters.Length == 0 ? [] : new object?[_parameters.Length];
        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            switch (parameter.Kind)
            {
                case Kind.Arguments:
                    values[i] = arguments;
                    continue;
                case Kind.Cancellation:
                    values[i] = cancellationToken;
                    continue;
                case Kind.Progress:
                    values[i] = arguments.GetProgress();
                    continue;
            }

            if (!arguments.TryGetValue(parameter.Name, out var value))
            {
                if (!parameter.HasDefault)
                {
                    return false; // The factory's "missing a value for the required parameter" error.
                }

                values[i] = parameter.DefaultValue;
                continue;
            }

            if (!TryRead(parameter.Kind, value, out values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Calls the method on <paramref name="target"/> (<see langword="null"/> for a static method) and unwraps its result.</summary>
    /// <param name="target">The delegate's or the tool object's instance.</param>
    /// <param name="values">The arguments from <see cref="TryBind"/>.</param>
    /// <returns>The string or <see cref="ToolResult"/> the method produced.</returns>
    /// <exception cref="InvalidOperationException">An asynchronous method returned a <see langword="null"/> task.</exception>
    public ValueTask<object?> InvokeAsync(object? target, object?[] values)
    {
        var returned = _method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, values, culture: null);
        return _result switch
        {
            ResultKind.Plain => new ValueTask<object?>(returned),
            ResultKind.Task => AwaitTask(returned as Task ?? throw NullTask()),
            ResultKind.ValueTaskOfString => returned is ValueTask<string> text ? AwaitValueTask(text) : throw NullTask(),
            _ => returned is ValueTask<ToolResult> result ? AwaitValueTask(result) : throw NullTask(),
        };
    }

    private static async ValueTask<object?> AwaitTask(Task task)
    {
        switch (task)
        {
            case Task<string> text:
                return await text.ConfigureAwait(false);
            case Task<ToolResult> result:
                return await result.ConfigureAwait(false);
            default:
                await task.ConfigureAwait(false);
                return null;
        }
    }

    private static async ValueTask<object?> AwaitValueTask<T>(ValueTask<T> task)
        where T : class => await task.ConfigureAwait(false);

    private static InvalidOperationException NullTask() => new("Function returned null unexpectedly.");

    private static bool TryRead(Kind kind, object? value, out object? read)
    {
        read = null;
        if (value is null)
        {
            return true; // Passed as null, as the factory does (a value type then gets its default).
        }

        if (value is not JsonElement element)
        {
            read = value;
            return kind switch
            {
                Kind.String => value is string,
                Kind.Boolean or Kind.NullableBoolean => value is bool,
                Kind.Int32 or Kind.NullableInt32 => value is int,
                Kind.Int64 or Kind.NullableInt64 => value is long,
                Kind.StringArray => value is string[],
                _ => false,
            };
        }

        if (element.ValueKind == JsonValueKind.Null)
        {
            // JSON null binds to a reference or nullable type; for a bool, int or long the factory's deserializer refuses it.
            return kind is Kind.String or Kind.NullableBoolean or Kind.NullableInt32 or Kind.NullableInt64 or Kind.StringArray;
        }

        switch (kind)
        {
            case Kind.String when element.ValueKind == JsonValueKind.String:
                read = element.GetString();
                return true;
            case Kind.Boolean or Kind.NullableBoolean when element.ValueKind is JsonValueKind.True or JsonValueKind.False:
                read = element.GetBoolean();
                return true;
            case Kind.Int32 or Kind.NullableInt32 when element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var number):
                read = number;
                return true;
            case Kind.Int64 or Kind.NullableInt64 when element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var wide):
                read = wide;
                return true;
            case Kind.StringArray when element.ValueKind == JsonValueKind.Array:
                return TryReadStrings(element, out read);
            default:
                return false;
        }
    }

    private static bool TryReadStrings(JsonElement array, out object? read)
    {
        var items = new string?[array.GetArrayLength()];
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    items[index++] = item.GetString();
                    break;
                case JsonValueKind.Null:
                    index++;
                    break;
                default:
                    read = null;
                    return false;
            }
        }

        read = items;
        return true;
    }

    private static Kind? KindOf(Type type) =>
        type == typeof(string) ? Kind.String
        : type == typeof(bool) ? Kind.Boolean
        : type == typeof(bool?) ? Kind.NullableBoolean
        : type == typeof(int) ? Kind.Int32
        : type == typeof(int?) ? Kind.NullableInt32
        : type == typeof(long) ? Kind.Int64
        : type == typeof(long?) ? Kind.NullableInt64
        : type == typeof(string[]) ? Kind.StringArray
        : type == typeof(AIFunctionArguments) ? Kind.Arguments
        : type == typeof(CancellationToken) ? Kind.Cancellation
        : type == typeof(IProgress<ToolProgress>) ? Kind.Progress
        : null;

    private static ResultKind? ResultOf(Type type) =>
        type == typeof(string) || type == typeof(ToolResult) ? ResultKind.Plain
        : type == typeof(Task<string>) || type == typeof(Task<ToolResult>) ? ResultKind.Task
        : type == typeof(ValueTask<string>) ? ResultKind.ValueTaskOfString
        : type == typeof(ValueTask<ToolResult>) ? ResultKind.ValueTaskOfToolResult
        : null;

    private sealed record Parameter(string Name, Kind Kind, bool HasDefault, object? DefaultValue);
}
