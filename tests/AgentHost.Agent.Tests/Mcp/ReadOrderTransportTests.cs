using System.Text.Json.Nodes;
using System.Threading.Channels;
using AgentHost.Agent.Mcp;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>
/// <see cref="ReadOrderTransport"/>: each incoming message is shown to the observer when the client reads it, in the
/// server's order, before the client can act on it — the guarantee McpConnection relies on to have the tools listed
/// again before a tool call's result (sent after <c>notifications/tools/list_changed</c>) is handed back.
/// </summary>
public sealed class ReadOrderTransportTests
{
    [Fact]
    public async Task EachMessage_IsObserved_InTheServersOrder_BeforeTheReaderReturnsIt()
    {
        var inner = new InMemoryTransport();
        var observed = new List<JsonRpcMessage>();
        var transport = await new ReadOrderTransport(new InMemoryClientTransport(inner), observed.Add).ConnectAsync(CancellationToken.None);
        JsonRpcMessage[] sent =
        [
            new JsonRpcNotification { Method = NotificationMethods.ToolListChangedNotification },
            new JsonRpcResponse { Id = new RequestId(7), Result = new JsonObject() },
        ];
        foreach (var message in sent)
        {
            inner.Incoming.Writer.TryWrite(message);
        }

        inner.Incoming.Writer.Complete();

        var read = new List<JsonRpcMessage>();
        var observedWhenRead = new List<int>();
        await foreach (var message in transport.MessageReader.ReadAllAsync(CancellationToken.None))
        {
            read.Add(message);
            observedWhenRead.Add(observed.Count);
        }

        Assert.Equal(sent, read);
        Assert.Equal(sent, observed);
        Assert.Equal([1, 2], observedWhenRead);
    }

    [Fact]
    public async Task AMessageNotYetRead_IsNotObserved()
    {
        var inner = new InMemoryTransport();
        var observed = new List<JsonRpcMessage>();
        var transport = await new ReadOrderTransport(new InMemoryClientTransport(inner), observed.Add).ConnectAsync(CancellationToken.None);
        inner.Incoming.Writer.TryWrite(new JsonRpcNotification { Method = NotificationMethods.ToolListChangedNotification });

        Assert.True(await transport.MessageReader.WaitToReadAsync(CancellationToken.None));
        Assert.Empty(observed);
        Assert.True(transport.MessageReader.TryRead(out _));
        Assert.Single(observed);
        Assert.False(transport.MessageReader.TryRead(out _));
        Assert.Single(observed);
    }

    [Fact]
    public async Task Sending_SessionId_Completion_AndDisposal_GoToTheRealTransport()
    {
        var inner = new InMemoryTransport();
        var client = new InMemoryClientTransport(inner);
        var wrapper = new ReadOrderTransport(client, _ => { });
        var transport = await wrapper.ConnectAsync(CancellationToken.None);
        var request = new JsonRpcRequest { Id = new RequestId(1), Method = RequestMethods.ToolsList };

        await transport.SendMessageAsync(request, CancellationToken.None);
        inner.Incoming.Writer.Complete();
        await transport.DisposeAsync();

        Assert.Equal("in-memory", wrapper.Name);
        Assert.Equal("session-1", transport.SessionId);
        Assert.Same(request, Assert.Single(inner.Sent));
        Assert.True(transport.MessageReader.Completion.IsCompleted);
        Assert.True(inner.Disposed);
    }

    private sealed class InMemoryClientTransport(InMemoryTransport transport) : IClientTransport
    {
        public string Name => "in-memory";

        public Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) => Task.FromResult<ITransport>(transport);
    }

    private sealed class InMemoryTransport : ITransport
    {
        public Channel<JsonRpcMessage> Incoming { get; } = Channel.CreateUnbounded<JsonRpcMessage>();

        public List<JsonRpcMessage> Sent { get; } = [];

        public bool Disposed { get; private set; }

        public string? SessionId => "session-1";

        public ChannelReader<JsonRpcMessage> MessageReader => Incoming.Reader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
