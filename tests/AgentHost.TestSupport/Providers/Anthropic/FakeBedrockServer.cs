using System.Net;
using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Providers.Anthropic;

/// <summary>
/// A small Amazon Bedrock runtime on 127.0.0.1 speaking its wire format for Claude: <c>POST /model/{id}/invoke</c>
/// answers with a Messages API JSON body, <c>POST /model/{id}/invoke-with-response-stream</c> with an AWS event stream
/// (<c>application/vnd.amazon.eventstream</c>, binary frames, <see cref="AwsEventFrames"/>); errors are Bedrock's
/// (<c>{"message": …}</c> with <c>x-amzn-ErrorType</c>). Replies are scripted in order; every request is recorded.
/// </summary>
public sealed class FakeBedrockServer() : FakeHttpServer("application/vnd.amazon.eventstream", string.Empty, TimeSpan.FromMilliseconds(100))
{
    /// <summary>For example <c>http://127.0.0.1:5123</c>.</summary>
    public string BaseUrl => Root.TrimEnd('/');

    public RecordedRequest LastInvocation => Requests.Last(r => r.Path.StartsWith("/model/", StringComparison.Ordinal));

    /// <summary>Answers the next invocation with a JSON body.</summary>
    public void EnqueueJson(int status, string body) => Script(response => WriteAsync(response, status, body));

    /// <summary>Answers the next invocation with a Bedrock error: a message and the exception's name in <c>x-amzn-ErrorType</c>.</summary>
    public void EnqueueError(int status, string exception, string message) =>
        Script(response => WriteAsync(response, status, JsonSerializer.Serialize(new { message }), headers: [new("x-amzn-ErrorType", exception + ":http://internal.amazon.com/coral/com.amazon.bedrock/")]));

    /// <summary>Answers the next invocation with these Messages API events (SSE-framed, as <see cref="Sse"/> makes them) as an AWS event stream.</summary>
    public void EnqueueStream(IEnumerable<string> sseEvents) => Script(response => StreamFramesAsync(response, AwsEventFrames.FromSse(sseEvents).ToList()));

    /// <summary>Answers the next invocation with these events, then an exception frame (<c>:message-type: exception</c>) as Bedrock sends one mid-stream.</summary>
    public void EnqueueStreamThenException(IEnumerable<string> sseEvents, string exception, string message) =>
        Script(response => StreamFramesAsync(response,
        [
            .. AwsEventFrames.FromSse(sseEvents),
            AwsEventFrames.Message([(":exception-type", exception), (":content-type", "application/json"), (":message-type", "exception")], System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { message }))),
        ]));

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        if (request.Method == "HEAD")
        {
            response.StatusCode = 404;
            response.ContentLength64 = 0;
            response.Close();
        }
        else if (request.Method != "POST" || !request.Path.StartsWith("/model/", StringComparison.Ordinal) || !await ReplyScriptedAsync(response))
        {
            await WriteAsync(response, 404, JsonSerializer.Serialize(new { message = $"fake bedrock: nothing scripted for {request.Method} {request.Path}" }), headers: [new("x-amzn-ErrorType", "UnknownOperationException")]);
        }
    }

    private static async Task StreamFramesAsync(HttpListenerResponse response, List<byte[]> frames)
    {
        response.StatusCode = 200;
        response.ContentType = "application/vnd.amazon.eventstream";
        response.AddHeader("x-amzn-bedrock-content-type", "application/json");
        response.SendChunked = true;
        foreach (var frame in frames)
        {
            await response.OutputStream.WriteAsync(frame);
            await response.OutputStream.FlushAsync();
        }

        response.Close();
    }
}
