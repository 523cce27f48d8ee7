using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// An MCP server's tool as the model sees it, <c>mcp__SERVER__TOOL</c>: the server's schema and description (from its
/// listing, or the cache of it for a server not started yet), a call sent with <c>tools/call</c> carrying a progress
/// token (the server's progress becomes the call's <see cref="ToolProgress"/>), its content given to the model as
/// text, and a result marked as an error (<c>isError</c>) reported as a failed call.
/// </summary>
internal sealed class McpToolFunction(Tool tool, string name, McpSessionServer server) : AIFunction
{
    public override string Name => name;

    public override string Description => tool.Description ?? string.Empty;

    public override JsonElement JsonSchema => tool.InputSchema;

    public override JsonElement? ReturnJsonSchema => null;

    /// <summary>The server's own name of the tool.</summary>
    public string ServerToolName => tool.Name;

    /// <summary>What the tool does, from its annotations: read-only without the open world is a read; otherwise it runs something (asked unless a rule allows it).</summary>
    public ToolMetadata Metadata => new(EffectOf(tool.Annotations));

    internal static ToolEffect EffectOf(ToolAnnotations? annotations)
    {
        if (annotations is null)
        {
            return ToolEffect.Execute;
        }

        var effect = annotations.ReadOnlyHint == true ? ToolEffect.Read : ToolEffect.Execute;
        if (annotations.DestructiveHint == true)
        {
            effect = ToolEffect.Execute | ToolEffect.Write;
        }

        if (annotations.OpenWorldHint != false)
        {
            effect |= ToolEffect.Network;
        }

        return effect;
    }

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var sink = arguments.GetProgress();
        var result = await server.CallToolAsync(tool.Name, arguments, new Progress(sink), cancellationToken).ConfigureAwait(false);
        // Long texts were cut while the answer was read (McpCappedStream); the tool pipeline caps what the model gets.
        var text = TextOf(result);
        return result.IsError == true ? throw new ToolException(text.Length > 0 ? text : $"{name} failed (the server gave no message).") : text;
    }

    /// <summary>A server's progress as a line for people, e.g. <c>3/10 step</c>, and the fraction when the total is known.</summary>
    internal static ToolProgress ProgressOf(ProgressNotificationValue value)
    {
        var count = value.Total is { } total
            ? string.Create(CultureInfo.InvariantCulture, $"{value.Progress:0.##}/{total:0.##}")
            : value.Progress.ToString("0.##", CultureInfo.InvariantCulture);
        var message = value.Message is { Length: > 0 } text ? $"{count} {text}" : count;
        return new ToolProgress(message, value.Total is > 0 and var all ? value.Progress / all : null);
    }

    /// <summary>The result's content as text: text blocks as they are, other blocks described; structured content when there is nothing else.</summary>
    internal static string TextOf(CallToolResult result)
    {
        var text = new StringBuilder();
        foreach (var block in result.Content)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(block switch
            {
                TextContentBlock t => t.Text,
                ImageContentBlock image => $"[image {image.MimeType}, {image.Data.Length} bytes of base64]",
                AudioContentBlock audio => $"[audio {audio.MimeType}]",
                EmbeddedResourceBlock embedded => embedded.Resource is TextResourceContents r ? r.Text : $"[resource {embedded.Resource.Uri}]",
                ResourceLinkBlock link => $"[resource link {link.Uri}{(link.Name is { Length: > 0 } n ? " " + n : string.Empty)}]",
                _ => $"[{block.Type} content]",
            });
        }

        if (text.Length == 0 && result.StructuredContent is { } structured)
        {
            text.Append(structured.GetRawText());
        }

        return text.ToString();
    }

    /// <summary>Passes the server's progress to the call's sink, synchronously (the SDK reports in order).</summary>
    private sealed class Progress(IProgress<ToolProgress> sink) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => sink.Report(ProgressOf(value));
    }
}
