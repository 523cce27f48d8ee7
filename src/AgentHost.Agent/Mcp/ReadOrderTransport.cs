using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// A client transport that shows each incoming message to <paramref name="onRead"/> at the moment the MCP client reads
/// it, in the order the server sent them. The SDK hands every message to its handler on the thread pool, so handlers
/// can run in any order; this is the one place where "the server said X before Y" still holds (a tool announces
/// <c>notifications/tools/list_changed</c> before its result).
/// </summary>
/// <param name="inner">The real transport (stdio or HTTP); everything else is passed to it unchanged.</param>
/// <param name="onRead">Called on the reading thread for each message; it must be quick and must not throw.</param>
internal sealed class ReadOrderTransport(IClientTransport inner, Action<JsonRpcMessage> onRead) : IClientTransport
{
    public string Name => inner.Name;

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) =>
        new Session(await inner.ConnectAsync(cancellationToken).ConfigureAwait(false), onRead);

    private sealed class Session(ITransport inner, Action<JsonRpcMessage> onRead) : ITransport
    {
        public string? SessionId => inner.SessionId;

        public ChannelReader<JsonRpcMessage> MessageReader { get; } = new Reader(inner.MessageReader, onRead);

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) =>
            inner.SendMessageAsync(message, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class Reader(ChannelReader<JsonRpcMessage> inner, Action<JsonRpcMessage> onRead) : ChannelReader<JsonRpcMessage>
    {
        public override Task Completion => inner.Completion;

        public override bool TryRead([MaybeNullWhen(false)] out JsonRpcMessage item)
        {
            if (!inner.TryRead(out item))
            {
                return false;
            }

            onRead(item);
            return true;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            inner.WaitToReadAsync(cancellationToken);
    }
}
