using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>
/// The <see cref="AIFunctionFactoryOptions"/> of tools the SDK builds: the plugin's JSON options, and <see cref="IProgress{T}"/>
/// of <see cref="ToolProgress"/> parameters bound to the call's progress sink (and left out of the schema).
/// </summary>
/// <remarks>
/// Return values keep the factory's default marshalling: values become JSON, and <see cref="AIContent"/> such as
/// <see cref="ToolResult"/> passes through unchanged when it is the declared return type.
/// </remarks>
internal static class ToolFunctionOptions
{
    private static readonly Func<System.Reflection.ParameterInfo, AIFunctionFactoryOptions.ParameterBindingOptions> BindParameters = static parameter =>
        parameter.ParameterType == typeof(IProgress<ToolProgress>)
            ? new AIFunctionFactoryOptions.ParameterBindingOptions { ExcludeFromSchema = true, BindParameter = static (_, arguments) => arguments.GetProgress() }
            : default;

    public static AIFunctionFactoryOptions Create(string name, string description, System.Text.Json.JsonSerializerOptions serializerOptions) => new()
    {
        Name = name,
        Description = description,
        SerializerOptions = serializerOptions,
        ConfigureParameterBinding = BindParameters,
    };
}
