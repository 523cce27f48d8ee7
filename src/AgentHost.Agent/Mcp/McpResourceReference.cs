using System.Globalization;
using System.Text;
using AgentHost.Agent.Context;
using AgentHost.Hosting.Text;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// <c>@SERVER:URI</c> context references: when SERVER is one of the session's MCP servers, the resource is read from
/// it and inlined like a file (text capped head and tail; an image by its bytes attached as an image part; other
/// binary contents described, not inlined). A server that did not start, that offers no resources, or that cannot
/// read the URI makes the reference a refused one: the prompt carries the reason, and an explicit <c>--context</c>
/// fails with it.
/// </summary>
/// <remarks>
/// Precedence in <see cref="ContextReferenceExpander"/>: <c>http(s)://</c> URLs, then a session's MCP server name, then
/// a plugin's context-resolver prefix, then a path. The SDK's types are touched only when a server of that name exists,
/// so a session without servers never loads the SDK's assembly.
/// </remarks>
/// <param name="started">The session's servers once they have been started, without waiting (<see langword="null"/> before).</param>
/// <param name="servers">Waits for the session's servers (started in the background; awaited only for a <c>@NAME:…</c> reference).</param>
internal sealed class McpResourceReferences(Func<ValueTask<McpSessionServers?>> started, Func<CancellationToken, Task<McpSessionServers>> servers) : IServerResources
{
    /// <summary>The servers of <paramref name="servers"/>, already started (a caller without a session's opening).</summary>
    /// <param name="servers">The started servers.</param>
    public McpResourceReferences(McpSessionServers servers)
        : this(() => ValueTask.FromResult<McpSessionServers?>(servers), _ => Task.FromResult(servers))
    {
    }

    /// <summary>The session's server names, once the servers have been started (empty before; never waits for them).</summary>
    public async ValueTask<IReadOnlyList<string>> ServerNamesAsync() =>
        await started().ConfigureAwait(false) is { } loaded ? [.. loaded.Statuses.Select(s => s.Definition.Name)] : [];

    /// <summary>Reads <c>SERVER:URI</c> when SERVER is a server of the session.</summary>
    /// <returns>The resource (or a refused reference saying why); <see langword="null"/> when no server has that name.</returns>
    public async Task<ContextReference?> ResolveAsync(string reference, ContextLimits limits, CancellationToken cancellationToken)
    {
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == reference.Length - 1)
        {
            return null;
        }

        var name = reference[..colon];
        var loaded = await servers(cancellationToken).ConfigureAwait(false);
        if (loaded.Statuses.FirstOrDefault(s => s.Definition.Name == name) is not { } status)
        {
            return null;
        }

        var (connection, error) = await loaded.ConnectAsync(status, cancellationToken).ConfigureAwait(false);
        return connection is null
            ? Unavailable(reference, error!)
            : await ReadAsync(connection, reference, reference[(colon + 1)..], limits, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One resource's contents as a context reference: text capped, one image attached, other binary described.</summary>
    internal static ContextReference FromContents(string reference, IReadOnlyList<ResourceContents> contents, ContextLimits limits)
    {
        if (contents is [BlobResourceContents single] && Image(single, limits) is { } image)
        {
            return new ContextReference(reference, ContextReferenceKind.Image, reference, $"{ImageFormats.Describe(Path.GetFileName(single.Uri), image.MediaType, image.Data.Length)} attached to this message as an image")
            {
                Image = image,
            };
        }

        var text = new StringBuilder();
        foreach (var content in contents)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(content switch
            {
                TextResourceContents t => t.Text,
                BlobResourceContents blob => string.Create(CultureInfo.InvariantCulture, $"(binary resource {content.Uri}, {content.MimeType ?? "no type"}, {blob.DecodedData.Length} bytes, not inlined)"),
                _ => $"(resource {content.Uri}, not inlined)",
            });
        }

        return new ContextReference(reference, ContextReferenceKind.Mcp, reference, TextCaps.HeadAndTail(text.ToString(), limits.MaxCharacters, out var cut)) { Truncated = cut };
    }

    /// <summary>A reference that was not read: the model is told why, and so is the user (a warning, or the error of <c>--context</c>).</summary>
    internal static ContextReference Unavailable(string reference, string reason) =>
        new(reference, ContextReferenceKind.Mcp, reference, $"(not included: {reason})") { Denied = reason };

    private static async Task<ContextReference> ReadAsync(McpConnection connection, string reference, string uri, ContextLimits limits, CancellationToken cancellationToken)
    {
        var server = connection.Definition.Name;
        if (!connection.HasResources)
        {
            return Unavailable(reference, $"MCP server '{server}' offers no resources");
        }

        try
        {
            var result = await connection.ReadResourceAsync(uri, cancellationToken).ConfigureAwait(false);
            return FromContents(reference, [.. result.Contents], limits);
        }
        catch (Exception ex) when (ex is McpException or IOException or InvalidOperationException)
        {
            return Unavailable(reference, $"MCP server '{server}' could not read '{uri}': {ex.Message.TrimEnd('.')}.{await OffersAsync(connection, cancellationToken).ConfigureAwait(false)}");
        }
    }

    /// <summary>What the server offers instead, for the message: a few URIs and how to see them all.</summary>
    private static async Task<string> OffersAsync(McpConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var uris = (await connection.ListResourcesAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.Uri).ToList();
            const int Shown = 5;
            return uris.Count == 0 ? " It lists no resources."
                : $" It offers {string.Join(", ", uris.Take(Shown))}{(uris.Count > Shown ? $" and {uris.Count - Shown} more" : string.Empty)} (Tab after @{connection.Definition.Name}: in the chat lists them).";
        }
        catch (Exception ex) when (ex is McpException or IOException or InvalidOperationException)
        {
            return string.Empty;
        }
    }

    private static DataContent? Image(BlobResourceContents blob, ContextLimits limits)
    {
        var bytes = blob.DecodedData;
        return ImageFormats.Detect(bytes.Span[..Math.Min(bytes.Length, ImageFormats.HeaderLength)]) is { } mediaType && bytes.Length <= limits.MaxImageBytes
            ? new DataContent(bytes, mediaType) { Name = Path.GetFileName(blob.Uri) }
            : null;
    }
}

/// <summary>A server's resource URIs, for completion; a server that fails to list them gives none.</summary>
internal static class McpResourceUris
{
    public static async Task<IReadOnlyList<string>> ListAsync(McpConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return [.. (await connection.ListResourcesAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.Uri)];
        }
        catch (Exception ex) when (ex is McpException or IOException or InvalidOperationException)
        {
            return [];
        }
    }
}
