using System.Globalization;
using AgentHost.Agent.Context;
using AgentHost.Hosting;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// MCP prompts (<c>prompts/list</c>, <c>prompts/get</c>) as turns. A prompt's messages become the one user message
/// of the turn, in order:
/// <list type="bullet">
/// <item>text is the message's text; when the prompt has assistant messages too, every message is wrapped in
/// <c>&lt;prompt-message role="…"&gt;</c> so the model sees who says what (the conversation keeps one user message per turn);</item>
/// <item>an embedded resource becomes a <c>&lt;context ref="SERVER:URI" kind="mcp"&gt;</c> block after the text,
/// as <c>@SERVER:URI</c> would (text capped, an image attached, other binary described);</item>
/// <item>an image is attached as an image part (up to the image cap; larger ones are described); audio is described;</item>
/// <item>a resource link is named (<c>[resource SERVER:URI …]</c>): the model can read it with <c>read_mcp_resource</c>.</item>
/// </list>
/// Text the user adds after the prompt follows it, with its own <c>@references</c>.
/// </summary>
internal static class McpPrompts
{
    /// <summary>The prompts of every started server that offers any; a server that fails to list them is left out.</summary>
    public static async Task<IReadOnlyList<McpPromptInfo>> ListAsync(McpSessionServers servers, CancellationToken cancellationToken)
    {
        var lists = await Task.WhenAll(servers.Connections.Where(c => c.HasPrompts).Select(c => ListOneAsync(c, cancellationToken))).ConfigureAwait(false);
        return [.. lists.SelectMany(l => l)];
    }

    /// <summary>Renders the requested prompt and puts the user's own text (already expanded) after it.</summary>
    /// <exception cref="AgentHostException">No such server or prompt, a bad argument, or the server refused (the message names the fix).</exception>
    public static async Task<ExpandedPrompt> RenderAsync(McpSessionServers servers, McpPromptRequest request, ExpandedPrompt added, ContextLimits limits, CancellationToken cancellationToken) =>
        await RenderAsync(await ConnectionAsync(servers, request.Server, cancellationToken).ConfigureAwait(false), request, added, limits, cancellationToken).ConfigureAwait(false); // checked first: without servers the SDK is not loaded

    private static async Task<ExpandedPrompt> RenderAsync(McpConnection connection, McpPromptRequest request, ExpandedPrompt added, ContextLimits limits, CancellationToken cancellationToken)
    {
        var prompts = await ListOneAsync(connection, cancellationToken, throwOnError: true).ConfigureAwait(false);
        var prompt = prompts.FirstOrDefault(p => p.Name == request.Name)
            ?? throw new AgentHostException(ErrorKind.Usage, $"MCP server '{request.Server}' has no prompt '{request.Name}'; its prompts: {(prompts.Count == 0 ? "none" : string.Join(", ", prompts.Select(p => p.Arguments.Count == 0 ? p.Name : $"{p.Name} ({p.ArgumentUsage})")))}.");
        var arguments = McpPromptArguments.Bind(prompt, request.Arguments);
        GetPromptResult result;
        try
        {
            result = await connection.GetPromptAsync(prompt.Name, arguments.ToDictionary(p => p.Key, p => (object?)p.Value), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is McpException or IOException or InvalidOperationException)
        {
            throw new AgentHostException(ErrorKind.Usage, $"MCP server '{request.Server}' did not render the prompt '{prompt.Name}': {ex.Message.TrimEnd('.')}. Its arguments: {McpPromptArguments.Describe(prompt)}.");
        }

        var (text, references) = Map(request.Server, [.. result.Messages], limits);
        var prompted = added.Prompt.Trim().Length == 0 ? text : $"{text}\n\n{added.Prompt}";
        return new ExpandedPrompt(prompted, [.. references, .. added.References], added.Warnings);
    }

    /// <summary>The messages as one user message's text and its context blocks and images.</summary>
    internal static (string Text, List<ContextReference> References) Map(string server, IReadOnlyList<PromptMessage> messages, ContextLimits limits)
    {
        var mixed = messages.Any(m => m.Role == Role.Assistant);
        var references = new List<ContextReference>();
        var paragraphs = new List<string>();
        foreach (var message in messages)
        {
            var text = message.Content switch
            {
                TextContentBlock t => t.Text,
                EmbeddedResourceBlock embedded => Embed(server, embedded.Resource, references, limits),
                ImageContentBlock image => Attach(server, image, references, limits),
                AudioContentBlock audio => string.Create(CultureInfo.InvariantCulture, $"(audio, {audio.MimeType}, {audio.DecodedData.Length} bytes, not included)"),
                ResourceLinkBlock link => $"[resource {server}:{link.Uri}{(string.IsNullOrWhiteSpace(link.Name) ? string.Empty : $" ({link.Name})")}; read it with read_mcp_resource]",
                _ => $"({message.Content.Type} content, not included)",
            };
            if (text.Length == 0)
            {
                continue;
            }

            paragraphs.Add(mixed ? $"<prompt-message role=\"{(message.Role == Role.Assistant ? "assistant" : "user")}\">\n{text}\n</prompt-message>" : text);
        }

        return (string.Join("\n\n", paragraphs), references);
    }

    private static string Embed(string server, ResourceContents resource, List<ContextReference> references, ContextLimits limits)
    {
        var reference = McpResourceReferences.FromContents($"{server}:{resource.Uri}", [resource], limits);
        if (references.All(r => r.Reference != reference.Reference))
        {
            references.Add(reference);
        }

        return string.Empty; // the resource follows the text as a context block
    }

    private static string Attach(string server, ImageContentBlock image, List<ContextReference> references, ContextLimits limits)
    {
        var bytes = image.DecodedData;
        var name = $"{server} prompt image {references.Count(r => r.Kind == ContextReferenceKind.Image) + 1}";
        if (bytes.Length > limits.MaxImageBytes)
        {
            return $"({ImageFormats.Describe(name, image.MimeType, bytes.Length)}, over the {ImageFormats.Size(limits.MaxImageBytes)} limit per image: not included)";
        }

        references.Add(new ContextReference(name, ContextReferenceKind.Image, name, $"{ImageFormats.Describe(name, image.MimeType, bytes.Length)} attached to this message as an image")
        {
            Image = new DataContent(bytes, image.MimeType) { Name = name },
        });
        return string.Empty;
    }

    private static async Task<McpConnection> ConnectionAsync(McpSessionServers servers, string name, CancellationToken cancellationToken)
    {
        if (servers.Statuses.FirstOrDefault(s => s.Definition.Name == name) is not { } status)
        {
            var names = servers.Statuses.Select(s => s.Definition.Name).ToList();
            throw new AgentHostException(ErrorKind.Usage, $"no MCP server '{name}' in this session ({(names.Count > 0 ? "its servers: " + string.Join(", ", names) : "it has none")}); 'agent mcp list' shows what is configured.");
        }

        var (connection, error) = await servers.ConnectAsync(status, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            throw new AgentHostException(ErrorKind.Usage, error!.EndsWith('.') ? error : error + ".");
        }

        return connection.HasPrompts ? connection : throw new AgentHostException(ErrorKind.Usage, $"MCP server '{name}' offers no prompts.");
    }

    private static async Task<IReadOnlyList<McpPromptInfo>> ListOneAsync(McpConnection connection, CancellationToken cancellationToken, bool throwOnError = false)
    {
        try
        {
            var prompts = await connection.ListPromptsAsync(cancellationToken).ConfigureAwait(false);
            return [.. prompts.Select(p => new McpPromptInfo(
                connection.Definition.Name,
                p.Name,
                p.Description,
                [.. (p.Arguments ?? []).Select(a => new McpPromptArgument(a.Name, a.Description, a.Required == true))]))];
        }
        catch (Exception ex) when (!throwOnError && ex is McpException or IOException or InvalidOperationException)
        {
            return [];
        }
        catch (Exception ex) when (ex is McpException or IOException or InvalidOperationException)
        {
            throw new AgentHostException(ErrorKind.Usage, $"MCP server '{connection.Definition.Name}' did not list its prompts: {ex.Message}");
        }
    }
}

/// <summary>The prompts a set of started servers offers, for listings (<c>agent mcp list --tools</c>, the chat's <c>/help</c>).</summary>
public static class McpPromptCatalog
{
    /// <summary>The prompts of every started server that offers any (a server that fails to list them is left out).</summary>
    /// <param name="servers">The servers.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Servers in definition order, each server's prompts as it lists them; empty without servers (the MCP SDK is then not loaded).</returns>
    public static Task<IReadOnlyList<McpPromptInfo>> ListAsync(McpSessionServers servers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return servers.Connections.Count == 0 ? Task.FromResult<IReadOnlyList<McpPromptInfo>>([]) : McpPrompts.ListAsync(servers, cancellationToken);
    }
}
