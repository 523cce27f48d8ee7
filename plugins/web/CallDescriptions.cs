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
        new("fetch", Url(args)) { Details = args.GetOptionalString("format") is { Length: > 0 } format ? $"format: {format}" : null };

    /// <summary>
    /// A download is decided as a fetch of its URL (what the domain rules match) and as a write of the file it saves
    /// (a declared path), so write rules, the sandbox and protected paths apply to the target file too.
    /// </summary>
    public static ToolCallDescription Download(AIFunctionArguments args) =>
        new("download", Url(args))
        {
            Details = $"saves to {args.GetOptionalString("path") ?? "(no path)"}{((args.GetOptionalBoolean("overwrite") ?? false) ? ", replacing an existing file" : string.Empty)}",
            Paths = [new ToolCallPath(args.GetOptionalString("path") ?? string.Empty, ToolEffect.Write)],
        };

    private static string? Url(AIFunctionArguments args)
    {
        var text = args.GetOptionalString("url")?.Trim();
        return text is { Length: > 0 } && Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Host.Length > 0 ? url.AbsoluteUri : text;
    }


}
