using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>
/// Finds the <see cref="AgentToolAttribute"/> methods of a type and makes one tool capability per method, with errors
/// that name the type, the method and the fix. Reads attributes only: schemas are built when first needed.
/// </summary>
internal static class AttributedTools
{
    private const BindingFlags AllMethods = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    /// <summary>Returns the tools of <paramref name="type"/>; <paramref name="target"/> supplies the object for instance methods.</summary>
    /// <exception cref="ArgumentException">The type has no tools, or a tool is declared wrongly.</exception>
    public static List<ToolCapability> Create(Type type, ToolTarget target, JsonSerializerOptions serializerOptions, out bool hasInstanceMethods)
    {
        var tools = new List<ToolCapability>();
        var names = new Dictionary<string, MethodInfo>(StringComparer.Ordinal);
        hasInstanceMethods = false;
        foreach (var method in type.GetMethods(AllMethods).OrderBy(m => m.MetadataToken))
        {
            if (method.GetCustomAttribute<AgentToolAttribute>() is not { } attribute)
            {
                continue;
            }

            var where = $"{type.FullName}.{method.Name}";
            Check(method.IsPublic, where, $"[AgentTool(\"{attribute.Name}\")] methods must be public; make it public or remove the attribute.");
            Check(!method.ContainsGenericParameters, where, "a tool method cannot be generic; give it concrete parameter types.");
            Check(Capability.IsValidName(attribute.Name), where, $"tool name '{attribute.Name}' is invalid: use letters, digits, '_', '-' or '.', at most 128 characters.");
            if (names.TryGetValue(attribute.Name, out var first))
            {
                Check(false, where, $"tool name '{attribute.Name}' is already used by {type.FullName}.{first.Name}; give each [AgentTool] its own name.");
            }

            var description = method.GetCustomAttribute<DescriptionAttribute>()?.Description;
            Check(!string.IsNullOrWhiteSpace(description), where, $"tool '{attribute.Name}' has no description; add [Description(\"What the tool does, for the model.\")] to the method.");
            Check(attribute.TimeoutSeconds >= 0 && double.IsFinite(attribute.TimeoutSeconds), where, $"TimeoutSeconds = {attribute.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} is invalid; use a positive number of seconds, or 0 for the host's limit.");
            if (attribute.Subject is { } subject)
            {
                var parameters = method.GetParameters().Select(SchemaName).ToList();
                Check(parameters.Contains(subject, StringComparer.Ordinal), where, $"Subject = \"{subject}\" names no parameter; use one of: {(parameters.Count == 0 ? "(none)" : string.Join(", ", parameters))}.");
            }

            names[attribute.Name] = method;
            hasInstanceMethods |= !method.IsStatic;
            var function = new DeferredMethodFunction(method, target, ToolFunctionOptions.Create(attribute.Name, description!, serializerOptions));
            tools.Add(new ToolCapability(function, Metadata(attribute)));
        }

        if (tools.Count == 0)
        {
            throw new ArgumentException(
                $"{type.FullName} has no methods marked [AgentTool(\"name\")]; mark the public methods to expose as tools, or use AddTool for a delegate.",
                nameof(type));
        }

        return tools;
    }

    private static ToolMetadata Metadata(AgentToolAttribute attribute) => new(attribute.Effect)
    {
        DescribeCall = DescribeCall(attribute),
        Timeout = attribute.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(attribute.TimeoutSeconds) : null,
        Parallelizable = attribute.ParallelizableOrDefault,
        Deferred = attribute.DeferredOrDefault,
    };

    private static Func<AIFunctionArguments, ToolCallDescription>? DescribeCall(AgentToolAttribute attribute)
    {
        if (attribute.Subject is null && attribute.Action is null)
        {
            return null;
        }

        var action = attribute.Action ?? DefaultAction(attribute.Effect, attribute.Name);
        var subject = attribute.Subject;
        return arguments => new ToolCallDescription(action, subject is null ? null : ArgumentText(arguments, subject));
    }

    private static string DefaultAction(ToolEffect effect, string name) =>
        effect.HasFlag(ToolEffect.Execute) ? "run"
        : effect.HasFlag(ToolEffect.Write) ? "write"
        : effect.HasFlag(ToolEffect.Network) ? "fetch"
        : effect.HasFlag(ToolEffect.Read) ? "read"
        : name;

    private static string? ArgumentText(AIFunctionArguments arguments, string name) =>
        !arguments.TryGetValue(name, out var value) ? null : value switch
        {
            null => null,
            string text => text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
            JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
            JsonElement element => element.GetRawText(),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };

    private static string SchemaName(ParameterInfo parameter) => parameter.Name ?? string.Empty;

    private static void Check(bool condition, string where, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"{where}: {problem}");
        }
    }
}
