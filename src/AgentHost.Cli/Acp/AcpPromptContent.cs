using System.Text;
using System.Text.Json;
using AgentHost.Agent.Context;
using AgentHost.Agent.Service;
using AgentHost.Sdk.Tools;

namespace AgentHost.Cli.Acp;

/// <summary>
/// The turn a <c>session/prompt</c>'s content blocks ask for: <c>text</c> is the prompt; <c>resource_link</c> and
/// <c>resource</c> (embedded text) become attachments under the rules of <c>@file</c> (inside the session's root, the
/// read rules and agent ignore files, the same caps), mentioned in the text where they stood; <c>image</c> (and an
/// embedded binary resource that is an image) is attached by its bytes. <c>audio</c> is refused (not announced).
/// </summary>
internal static class AcpPromptContent
{
    /// <summary>The turn <paramref name="blocks"/> ask for in a session working in <paramref name="workspace"/>.</summary>
    /// <exception cref="Common.JsonRpc.JsonRpcException">InvalidParams naming the block and the field that is wrong.</exception>
    public static TurnRequest Of(JsonElement blocks, string workspace, string method)
    {
        var text = new StringBuilder();
        var attachments = new List<PromptAttachment>();
        var paths = new WorkspacePaths(workspace);
        var index = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var where = $"{method}: prompt[{index++}]";
            var type = block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "text":
                    text.Append(AcpParams.RequiredString(block, "text", where));
                    break;
                case "resource_link":
                    var link = Uri(block, paths, where);
                    text.Append(Mention(AcpParams.OptionalString(block, "name", where) ?? link, link));
                    attachments.Add(new PromptAttachment(link));
                    break;
                case "resource":
                    attachments.Add(Embedded(block, paths, where, text));
                    break;
                case "image":
                    attachments.Add(new PromptAttachment(AcpParams.OptionalString(block, "uri", where)) { ImageData = Base64(block, "data", where) });
                    break;
                default:
                    throw AcpErrors.InvalidParams($"{where} is a '{type ?? "(no type)"}' block; this agent takes text, resource_link, resource and image blocks.");
            }
        }

        return text.Length > 0 || attachments.Count > 0
            ? new TurnRequest(text.ToString()) { Attachments = attachments }
            : throw AcpErrors.InvalidParams($"{method}: the prompt is empty: send at least one text, resource_link, resource or image block.");
    }

    /// <summary>An embedded resource: its text (as the editor has it) or, for a blob, an image by its bytes.</summary>
    private static PromptAttachment Embedded(JsonElement block, WorkspacePaths paths, string where, StringBuilder text)
    {
        if (!block.TryGetProperty("resource", out var resource) || resource.ValueKind != JsonValueKind.Object)
        {
            throw AcpErrors.InvalidParams($"{where}: \"resource\" must be an object with \"uri\" and \"text\" or \"blob\".");
        }

        var uri = Uri(resource, paths, $"{where}.resource");
        text.Append(Mention(Path.GetFileName(uri), uri));
        if (resource.TryGetProperty("text", out var content) && content.ValueKind == JsonValueKind.String)
        {
            return new PromptAttachment(uri) { Text = content.GetString() };
        }

        return resource.TryGetProperty("blob", out _)
            ? new PromptAttachment(uri) { ImageData = Base64(resource, "blob", $"{where}.resource") }
            : throw AcpErrors.InvalidParams($"{where}.resource: needs \"text\" (a text resource) or \"blob\" (base64 image data).");
    }

    /// <summary>
    /// A block's <c>uri</c>; a <c>file:</c> URI must name a path inside the session's root (symbolic links resolved), as
    /// an <c>@file</c> reference must.
    /// </summary>
    private static string Uri(JsonElement block, WorkspacePaths paths, string where)
    {
        var uri = AcpParams.RequiredString(block, "uri", where);
        if (uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            if (!System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile)
            {
                throw AcpErrors.InvalidParams($"{where}: \"uri\" '{uri}' is not a valid file: URI (file:///absolute/path).");
            }

            if (paths.Resolve(parsed.LocalPath) is null)
            {
                throw AcpErrors.InvalidParams($"{where}: \"uri\" '{uri}' is outside the session's root {paths.Root}: only files inside it can be attached (as with @file). Open a session whose cwd contains the file.");
            }
        }

        return uri;
    }

    private static ReadOnlyMemory<byte> Base64(JsonElement block, string name, string where)
    {
        var data = AcpParams.RequiredString(block, name, where);
        try
        {
            return Convert.FromBase64String(data);
        }
        catch (FormatException)
        {
            throw AcpErrors.InvalidParams($"{where}: \"{name}\" must be base64 data.");
        }
    }

    /// <summary>Where a link stood in the text: a Markdown link (not an <c>@reference</c>, which the engine would expand again).</summary>
    private static string Mention(string name, string uri) => $"[{name}]({uri})";
}
