using System.Text.Json;

namespace AgentHost.Cli.Acp;

/// <summary>Reads a request's params, answering a missing or mistyped field with InvalidParams naming it.</summary>
internal static class AcpParams
{
    /// <summary>The params object, or InvalidParams when they are absent or not an object.</summary>
    public static JsonElement Object(JsonElement parameters, string method) =>
        parameters.ValueKind == JsonValueKind.Object
            ? parameters
            : throw AcpErrors.InvalidParams($"{method}: params must be an object.");

    public static string RequiredString(JsonElement parameters, string name, string method) =>
        parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw AcpErrors.InvalidParams($"{method}: \"{name}\" must be a non-empty string.");

    public static string? OptionalString(JsonElement parameters, string name, string method) =>
        !parameters.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null
            ? null
            : value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw AcpErrors.InvalidParams($"{method}: \"{name}\" must be a string.");

    public static JsonElement RequiredArray(JsonElement parameters, string name, string method) =>
        parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : throw AcpErrors.InvalidParams($"{method}: \"{name}\" must be an array.");

    /// <summary>An optional array (absent or null is empty).</summary>
    public static IEnumerable<JsonElement> OptionalArray(JsonElement parameters, string name, string method) =>
        !parameters.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null
            ? []
            : value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray()
                : throw AcpErrors.InvalidParams($"{method}: \"{name}\" must be an array.");

    /// <summary>An absolute path field (ACP requires absolute paths).</summary>
    public static string AbsolutePath(JsonElement parameters, string name, string method)
    {
        var path = RequiredString(parameters, name, method);
        return Path.IsPathFullyQualified(path)
            ? Path.GetFullPath(path)
            : throw AcpErrors.InvalidParams($"{method}: \"{name}\" must be an absolute path (got '{path}').");
    }
}
