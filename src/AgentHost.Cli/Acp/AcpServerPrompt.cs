using AgentHost.Agent.Service;

namespace AgentHost.Cli.Acp;

/// <summary>
/// What of a prompt's content a server session can take: its text, and each <c>resource_link</c> to a file of the
/// session's root as a file reference (<c>@path</c>, which the server reads under its own rules). The editor's own
/// copies of content (embedded resources, images) stay on the editor's side: the server's API takes references, not
/// bytes, so such a block is refused saying what to send instead.
/// </summary>
internal static class AcpServerPrompt
{
    /// <summary>The server turn of <paramref name="request"/> (made by <see cref="AcpPromptContent.Of"/> for the session's root).</summary>
    /// <exception cref="Common.JsonRpc.JsonRpcException">InvalidParams for an image or an embedded resource, or a link that is not a file.</exception>
    public static TurnRequest Of(TurnRequest request, string method)
    {
        var references = new List<string>();
        foreach (var attachment in request.Attachments)
        {
            if (attachment.ImageData is not null)
            {
                throw AcpErrors.InvalidParams($"{method}: images cannot be sent to a session on an agent server (agent acp --server): the server takes a prompt's text and file references only; send the image's file as a resource link instead.");
            }

            if (attachment.Text is not null)
            {
                throw AcpErrors.InvalidParams($"{method}: embedded resources cannot be sent to a session on an agent server (agent acp --server): the files live on the server; send a resource link to the file in the session's root instead.");
            }

            if (attachment.Uri is not { } uri || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile)
            {
                throw AcpErrors.InvalidParams($"{method}: the link '{attachment.Uri}' is not a file: URI; a session on an agent server takes links to files in its root only.");
            }

            references.Add("@" + parsed.LocalPath);
        }

        return request with { Context = [.. request.Context, .. references], Attachments = [] };
    }
}
