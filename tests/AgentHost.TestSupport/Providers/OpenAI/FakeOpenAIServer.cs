using System.Net;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Providers.OpenAI;

/// <summary>
/// A Chat Completions server on 127.0.0.1 that speaks the real wire format (JSON bodies, server-sent events ending
/// in <c>data: [DONE]</c>) and records every request. Each <c>POST /v1/chat/completions</c> takes the next scripted
/// reply; <c>GET /v1/models</c> answers <see cref="ModelsJson"/>.
/// </summary>
public sealed class FakeOpenAIServer() : FakeHttpServer("text/event-stream", ": keep-alive\n\n", TimeSpan.FromMilliseconds(50))
{
    /// <summary>The API base to configure, <c>{Root}v1</c>.</summary>
    public Uri BaseUrl => new(Root + "v1");

    public string ModelsJson { get; set; } = """{"object":"list","data":[]}""";

    /// <summary>The status <c>GET /v1/models</c> answers with (with <see cref="ModelsJson"/> as the body): 401 or 403 for a rejected key.</summary>
    public int ModelsStatus { get; set; } = 200;

    /// <summary>How a <c>HEAD</c> request (the client's warm-up) is answered: this status with no body, as real endpoints do.</summary>
    public int HeadStatus { get; set; } = 404;

    /// <summary>What a <c>HEAD</c> request gets: <see cref="HeadStatus"/>, an aborted connection, or no answer at all.</summary>
    public HeadReply HeadReply { get; set; } = HeadReply.Status;

    /// <summary>Completes when the first <c>HEAD</c> request arrived.</summary>
    public TaskCompletionSource HeadArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RecordedRequest LastChat => Requests.Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));

    public void ReplyJson(string json, int status = 200, params (string Name, string Value)[] headers) =>
        Script(response => WriteAsync(response, status, json, headers: headers.Select(h => KeyValuePair.Create(h.Name, h.Value))));

    /// <summary>Streams each JSON chunk as one <c>data:</c> event, then <c>data: [DONE]</c> unless told not to.</summary>
    public void ReplySse(IEnumerable<string> chunks, bool done = true) =>
        Script(response => StreamAsync(response, Events(done ? chunks.Append("[DONE]") : chunks)));

    /// <summary>Streams the chunks, then keeps the connection open until the client goes away (or the server stops).</summary>
    public void SseThenHold(IEnumerable<string> chunks) => Script(response => StreamAsync(response, Events(chunks), StreamEnd.Hold));

    /// <summary>Accepts the request and never answers (until the server stops).</summary>
    public void ReplyNothing() => Script(SilenceAsync);

    /// <summary>Streams the chunks, then aborts the TCP connection.</summary>
    public void SseThenAbort(IEnumerable<string> chunks) => Script(response => StreamAsync(response, Events(chunks), StreamEnd.Abort));

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        if (request.Method == "HEAD")
        {
            HeadArrived.TrySetResult();
            switch (HeadReply)
            {
                case HeadReply.Abort:
                    response.Abort();
                    break;
                case HeadReply.Silence:
                    await SilenceAsync(response);
                    break;
                default:
                    response.StatusCode = HeadStatus;
                    response.ContentLength64 = 0;
                    response.Close();
                    break;
            }
        }
        else if (request.Method == "GET" && request.Path == "/v1/models")
        {
            await WriteAsync(response, ModelsStatus, ModelsJson);
        }
        else if (request.Method != "POST" || request.Path != "/v1/chat/completions" || !await ReplyScriptedAsync(response))
        {
            await WriteAsync(response, 404, Chunks.Error($"fake server: nothing scripted for {request.Method} {request.Path}", "invalid_request_error", null));
        }
    }

    private static IEnumerable<string> Events(IEnumerable<string> chunks) => chunks.Select(chunk => $"data: {chunk}\n\n");
}

/// <summary>How <see cref="FakeOpenAIServer"/> answers a <c>HEAD</c> request.</summary>
public enum HeadReply
{
    /// <summary>With <see cref="FakeOpenAIServer.HeadStatus"/> and no body.</summary>
    Status,

    /// <summary>By aborting the TCP connection.</summary>
    Abort,

    /// <summary>Never (until the server stops).</summary>
    Silence,
}
