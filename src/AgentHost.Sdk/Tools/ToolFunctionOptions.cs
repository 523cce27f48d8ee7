using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>
/// The <see cref="AIFunctionFactoryOptions"/> of tools the SDK builds: the plugin's JSON options, <see cref="IProgress{T}"/>
/// of <see cref="ToolProgress"/> parameters bound to the call's progress sink (and left out of the schema), and
/// <see cref="ToolResult"/> return values passed to the host as they are.
/// </summary>
internal static class ToolFunctionOptions
{
    private static readonly Func<System.Reflection.ParameterInfo, AIFunctionFactoryOptions.ParameterBindingOptions> BindParameters = static parameter =>
        parameter.ParameterType == typeof(IProgress<ToolProgress>)
            ? new AIFunctionFactoryOptions.ParameterBindingOptions { ExcludeFromSchema = true, BindParameter = static (_, arguments) => arguments.GetProgress() }
            : default;

    public static AIFunctionFactoryOptions Create(string name, string description, JsonSerializerOptions serializerOptions) => new()
    {
        Name = name,
        Description = description,
        SerializerOptions = serializerOptions,
        ConfigureParameterBinding = BindParameters,
        MarshalResult = (result, type, cancellationToken) => MarshalAsync(result, type, serializerOptions, cancellationToken),
    };

    /// <summary>What the factory does by default (JSON for values, AI content as it is), except that a <see cref="ToolResult"/> stays as it is.</summary>
    private static async ValueTask<object?> MarshalAsync(object? result, Type? declaredType, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        if (declaredType is null)
        {
            return null; // void, Task, ValueTask
        }

        if (result is ToolResult or AIContent or IEnumerable<AIContent>
            || typeof(AIContent).IsAssignableFrom(declaredType) || typeof(IEnumerable<AIContent>).IsAssignableFrom(declaredType))
        {
            return result;
        }

        var typeInfo = options.GetTypeInfo(declaredType);
        if (typeInfo.Kind == JsonTypeInfoKind.None)
        {
            return JsonSerializer.SerializeToElement(result, typeInfo);
        }

        // Asynchronously, so that IAsyncEnumerable results are enumerated as the factory would.
        using var stream = new MemoryStream();
        await JsonSerializer.SerializeAsync(stream, result, typeInfo, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<JsonElement>(stream.GetBuffer().AsSpan(0, (int)stream.Length));
    }
}
