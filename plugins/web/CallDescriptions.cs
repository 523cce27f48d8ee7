using System.Text.Json;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Web;

/// <summary>
/// Permission-prompt descriptions. The subject is the URL in its canonical form, so the permission engine's
/// <c>fetch(domain:…)</c> rules match its host (<c>http://2130706433/</c> is shown and matched as 127.0.0.1).
/// Never throws, never connects.
/// </summary>
internal static class CallDescriptions
{
    public static ToolCallDescription Fetch(AIFunctionArguments args) =>
        new("fetch", Url(args)) { Details = String(args, "format") is { Length: > 0 } format ? $"format: {format}" : null };

    /// <summary>
    /// A download is decided as a fetch of its URL (what the domain rules match) and as a write of the file it saves
    /// (a declared path), so write rules, the sandbox and protected paths apply to the target file too.
    /// </summary>
    public static ToolCallDescription Download(AIFunctionArguments args) =>
        new("download", Url(args))
        {
            Details = $"saves to {String(args, "path") ?? "(no path)"}{(Bool(args, "overwrite") ? ", replacing an existing file" : string.Empty)}",
            Paths = [new ToolCallPath(String(args, "path") ?? string.Empty, ToolEffect.Write)],
        };

    private static string? Url(AIFunctionArguments args)
    {
        var text = String(args, "url")?.Trim();
        return text is { Length: > 0 } && Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Host.Length > 0 ? url.AbsoluteUri : text;
    }

    /// <summary>A string argument, whether it arrived as JSON (from the host) or as a CLR string (from a test).</summary>
    private static string? String(AIFunctionArguments args, string name) =>
        args.TryGetValue(name, out var value)
            ? value switch
            {
                JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
                JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
                _ => value?.ToString(),
            }
            : null;

    private static bool Bool(AIFunctionArguments args, string name) =>
        args.TryGetValue(name, out var value) && value is true or JsonElement { ValueKind: JsonValueKind.True };
}
