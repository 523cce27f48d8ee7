using System.Collections.Concurrent;
using System.Net;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Compare;

/// <summary>
/// A Chat Completions server on 127.0.0.1 that answers each request by its <c>model</c> field (requests of a compare
/// arrive in any order), with the real wire format: a streamed answer with usage, or an error status and body.
/// </summary>
public sealed class PerModelOpenAIServer() : FakeHttpServer("text/event-stream", ": keep-alive\n\n", TimeSpan.FromMilliseconds(50))
{
    private readonly ConcurrentDictionary<string, Func<HttpListenerResponse, Task>> _answers = new(StringComparer.Ordinal);

    /// <summary>The API base to configure, <c>{Root}v1</c>.</summary>
    public Uri BaseUrl => new(Root + "v1");

    /// <summary>The chat requests, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Chats => [.. Requests.Where(r => r.Method == "POST" && r.Path == "/v1/chat/completions")];

    /// <summary>The request for <paramref name="model"/>.</summary>
    public RecordedRequest ChatFor(string model) => Chats.Single(r => r.Json.GetProperty("model").GetString() == model);

    /// <summary><paramref name="model"/> streams <paramref name="text"/> and reports this usage.</summary>
    public void Answer(string model, string text, int prompt, int completion) =>
        _answers[model] = response => StreamAsync(response, Chunks.Answer(text, prompt, completion).Append("[DONE]").Select(c => $"data: {c}\n\n"));

    /// <summary><paramref name="model"/> is refused with <paramref name="status"/> and an OpenAI error body carrying <paramref name="message"/>.</summary>
    public void Fail(string model, int status, string message) =>
        _answers[model] = response => WriteAsync(response, status, Chunks.Error(message, "invalid_request_error", "invalid_api_key"));

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        if (request.Method == "HEAD")
        {
            response.StatusCode = 404;
            response.ContentLength64 = 0;
            response.Close();
        }
        else if (request.Method == "POST" && request.Path == "/v1/chat/completions"
            && _answers.TryGetValue(request.Json.GetProperty("model").GetString() ?? string.Empty, out var answer))
        {
            await answer(response);
        }
        else
        {
            await WriteAsync(response, 404, Chunks.Error($"fake server: nothing for {request.Method} {request.Path}", "invalid_request_error", null));
        }
    }
}
