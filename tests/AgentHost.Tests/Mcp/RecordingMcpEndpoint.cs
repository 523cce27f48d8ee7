using System.Net;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>An HTTP endpoint on 127.0.0.1 that records each request's headers and refuses it with 401, as a server that wants another token does.</summary>
internal sealed class RecordingMcpEndpoint() : FakeHttpServer("text/event-stream", ": ping\n\n", TimeSpan.FromMilliseconds(100))
{
    protected override Task RouteAsync(RecordedRequest request, HttpListenerResponse response) =>
        WriteAsync(response, 401, """{"error":"unauthorized"}""");
}
