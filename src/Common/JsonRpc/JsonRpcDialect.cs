namespace AgentHost.Common.JsonRpc;

/// <summary>What differs between the protocols that use <see cref="JsonRpcConnection"/>.</summary>
/// <param name="Peer">How error messages name the other side ("the server", "the client").</param>
/// <param name="CancelMethod">The notification that cancels a request (<c>$/cancelRequest</c> in LSP, <c>$/cancel_request</c> in ACP).</param>
/// <param name="AnswersMalformedMessages">
/// Whether a message that is not valid JSON or not a JSON-RPC object is answered with the spec's error (id null) and
/// the connection goes on (a server facing a client); otherwise it ends the connection (a client facing a language
/// server that broke the protocol).
/// </param>
internal sealed record JsonRpcDialect(string Peer, string CancelMethod, bool AnswersMalformedMessages)
{
    /// <summary>The Language Server Protocol: we are the client of a language server.</summary>
    public static JsonRpcDialect Lsp { get; } = new("the server", "$/cancelRequest", AnswersMalformedMessages: false);

    /// <summary>The Agent Client Protocol: we are the agent, an editor is the client.</summary>
    public static JsonRpcDialect Acp { get; } = new("the client", "$/cancel_request", AnswersMalformedMessages: true);
}
