using System.ComponentModel;
using System.Globalization;
using System.Text;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The kernel's tools over the MCP servers' resources, offered when a started server has any:
/// <c>list_mcp_resources</c> (every server's, or one's) and <c>read_mcp_resource</c> (one by server and URI). Both
/// read (no question in <c>ask</c> mode): the servers are ones the user configured or trusted. The URI is part of the
/// action, not the subject, so it is never taken for a file path.
/// </summary>
internal static class McpResourceTools
{
    public const string ListName = "list_mcp_resources";
    public const string ReadName = "read_mcp_resource";

    /// <summary>The longest resource text given to the model, in characters.</summary>
    private const int MaxCharacters = 100_000;

    public static IReadOnlyList<ToolCapability> Create(IReadOnlyList<McpConnection> connections)
    {
        var withResources = connections.Where(c => c.HasResources).ToList();
        if (withResources.Count == 0)
        {
            return [];
        }

        var names = string.Join(", ", withResources.Select(c => c.Definition.Name));
        var list = AIFunctionFactory.Create(
            async ([Description("Optional: one server's name; all servers when empty.")] string? server = null, CancellationToken cancellationToken = default) =>
            {
                var text = new StringBuilder();
                foreach (var connection in Pick(withResources, server))
                {
                    foreach (var resource in await connection.ListResourcesAsync(cancellationToken).ConfigureAwait(false))
                    {
                        text.Append(connection.Definition.Name).Append('\t').Append(resource.Uri).Append('\t').Append(resource.Name);
                        if (resource.MimeType is { Length: > 0 } mime)
                        {
                            text.Append(" (").Append(mime).Append(')');
                        }

                        if (resource.Description is { Length: > 0 } description)
                        {
                            text.Append(" — ").Append(description.ReplaceLineEndings(" "));
                        }

                        text.Append('\n');
                    }
                }

                return text.Length > 0 ? text.ToString() : "No resources.";
            },
            new AIFunctionFactoryOptions { Name = ListName, Description = $"List the resources of the MCP servers ({names}): server, URI, name, type. Read one with {ReadName}." });
        var read = AIFunctionFactory.Create(
            async ([Description("The server's name.")] string server, [Description("The resource's URI, as listed.")] string uri, CancellationToken cancellationToken) =>
            {
                var connection = Pick(withResources, server).Single();
                return TextOf(await connection.ReadResourceAsync(uri, cancellationToken).ConfigureAwait(false));
            },
            new AIFunctionFactoryOptions { Name = ReadName, Description = $"Read a resource of an MCP server ({names}) by its URI (see {ListName})." });
        return
        [
            new ToolCapability(list, new ToolMetadata(ToolEffect.Read) { DescribeCall = args => new ToolCallDescription($"list resources of {Text(args, "server") ?? "every server"}", null) }),
            new ToolCapability(read, new ToolMetadata(ToolEffect.Read) { DescribeCall = args => new ToolCallDescription($"read resource {Text(args, "uri")} of {Text(args, "server")}", null) }),
        ];
    }

    internal static string TextOf(ReadResourceResult result)
    {
        var text = new StringBuilder();
        foreach (var contents in result.Contents)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(contents switch
            {
                TextResourceContents t => t.Text,
                BlobResourceContents blob => string.Create(CultureInfo.InvariantCulture, $"[{contents.MimeType ?? "binary"} content of {contents.Uri}, {blob.Blob.Length} bytes of base64]"),
                _ => $"[content of {contents.Uri}]",
            });
        }

        return text.Length <= MaxCharacters ? text.ToString() : text.ToString(0, MaxCharacters) + $"\n[cut at {MaxCharacters} characters]";
    }

    private static List<McpConnection> Pick(List<McpConnection> connections, string? server)
    {
        if (string.IsNullOrWhiteSpace(server))
        {
            return connections;
        }

        var match = connections.Where(c => c.Definition.Name == server).ToList();
        return match.Count > 0 ? match
            : throw new ToolException($"no MCP server '{server}' with resources; use one of {string.Join(", ", connections.Select(c => c.Definition.Name))}.");
    }

    private static string? Text(AIFunctionArguments args, string name) => args.TryGetValue(name, out var value) ? value?.ToString() : null;
}
