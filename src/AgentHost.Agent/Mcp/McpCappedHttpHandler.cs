namespace AgentHost.Agent.Mcp;

/// <summary>
/// The HTTP handler of an HTTP MCP server's client: every answer's body (a JSON message, or a stream of server-sent
/// events) reaches the SDK through a <see cref="McpCappedStream"/>, so what the server answers is capped while it is
/// read, as for a stdio server (<see cref="McpStdioTransport"/>).
/// </summary>
/// <param name="limits">The caps.</param>
/// <param name="dropped">Told when a message was too large to pass.</param>
internal sealed class McpCappedHttpHandler(McpMessageLimits limits, Action<string> dropped) : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var original = response.Content;
        var body = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var capped = new StreamContent(new McpCappedStream(body, limits, dropped));
        foreach (var (name, values) in original.Headers)
        {
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                capped.Headers.TryAddWithoutValidation(name, values);
            }
        }

        response.Content = capped;
        return response;
    }
}
