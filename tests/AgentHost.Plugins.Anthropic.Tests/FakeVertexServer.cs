using System.Net;
using System.Text.Json;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>
/// A small Vertex AI endpoint on 127.0.0.1 speaking its wire format for Claude:
/// <c>POST /v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict</c> answers with a
/// Messages API JSON body, <c>…:streamRawPredict</c> with server-sent events; errors are Google's
/// (<c>{"error": {"code", "message", "status"}}</c>). Replies are scripted in order; every request is recorded.
/// </summary>
public sealed class FakeVertexServer() : FakeHttpServer("text/event-stream", Sse.Ping(), TimeSpan.FromMilliseconds(100))
{
    /// <summary>For example <c>http://127.0.0.1:5123</c>.</summary>
    public string BaseUrl => Root.TrimEnd('/');

    public RecordedRequest LastPrediction => Requests.Last(r => r.Path.Contains("/publishers/anthropic/models/", StringComparison.Ordinal));

    public void EnqueueJson(int status, string body) => Script(response => WriteAsync(response, status, body));

    /// <summary>Answers the next prediction with a Google API error.</summary>
    public void EnqueueError(int status, string googleStatus, string message) =>
        EnqueueJson(status, JsonSerializer.Serialize(new { error = new { code = status, message, status = googleStatus } }));

    public void EnqueueStream(IEnumerable<string> events) => Script(response => StreamAsync(response, events));

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        if (request.Method == "HEAD")
        {
            response.StatusCode = 404;
            response.ContentLength64 = 0;
            response.Close();
        }
        else if (request.Method != "POST" || !request.Path.Contains("/publishers/anthropic/models/", StringComparison.Ordinal) || !await ReplyScriptedAsync(response))
        {
            await WriteAsync(response, 404, JsonSerializer.Serialize(new { error = new { code = 404, message = $"fake vertex: nothing scripted for {request.Method} {request.Path}", status = "NOT_FOUND" } }));
        }
    }
}
