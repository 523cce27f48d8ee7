using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Providers.Anthropic;

/// <summary>
/// A small Anthropic API on 127.0.0.1 speaking the real wire format: <c>POST /v1/messages</c> answers with JSON or
/// with server-sent events (<c>event:</c>/<c>data:</c> lines), <c>GET /v1/models</c> lists models. Responses to
/// <c>/v1/messages</c> are scripted in order; every request is recorded.
/// </summary>
public sealed class FakeAnthropicServer() : FakeHttpServer("text/event-stream", Sse.Ping(), TimeSpan.FromMilliseconds(100))
{
    /// <summary>For example <c>http://127.0.0.1:5123</c>.</summary>
    public string BaseUrl => Root.TrimEnd('/');

    /// <summary>The models <c>GET /v1/models</c> returns, in pages of <see cref="ModelPageSize"/>.</summary>
    public List<(string Id, string DisplayName, long? MaxInputTokens, long? MaxTokens)> Models { get; } = [];

    public int ModelPageSize { get; set; } = 100;

    /// <summary>When set, <c>GET /v1/models</c> fails with this status and body.</summary>
    public (int Status, string Body)? ModelsFailure { get; set; }

    public RecordedRequest LastMessagesRequest => Requests.Last(r => r.Path == "/v1/messages");

    /// <summary>Answers the next <c>/v1/messages</c> request with a JSON body.</summary>
    public void EnqueueJson(int status, string body, IDictionary<string, string>? headers = null) =>
        Script(response => WriteAsync(response, status, body, headers: headers));

    /// <summary>Answers the next <c>/v1/messages</c> request with an Anthropic error body.</summary>
    public void EnqueueError(int status, string type, string message, IDictionary<string, string>? headers = null) =>
        EnqueueJson(status, Error(type, message), headers);

    /// <summary>Never answers the next <c>/v1/messages</c> request (no status, no headers) until the server stops.</summary>
    public void EnqueueSilence() => Script(SilenceAsync);

    /// <summary>Answers the next <c>/v1/messages</c> request with a stream of events, then ends it as <paramref name="end"/> says.</summary>
    public void EnqueueStream(IEnumerable<string> events, StreamEnd end = StreamEnd.Close) => Script(response => StreamAsync(response, events, end));

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        if (request.Method == "HEAD")
        {
            // The client's warm-up: answered like the real API, an error status with no body.
            response.StatusCode = 404;
            response.ContentLength64 = 0;
            response.Close();
        }
        else if (request.Path == "/v1/models" && request.Method == "GET")
        {
            await (ModelsFailure is { } failure ? WriteAsync(response, failure.Status, failure.Body) : WriteAsync(response, 200, ListModels(request.Query)));
        }
        else if (request.Path != "/v1/messages" || request.Method != "POST" || !await ReplyScriptedAsync(response))
        {
            await WriteAsync(response, 500, Error("api_error", $"fake server: nothing scripted for {request.Method} {request.Path}"));
        }
    }

    private static string Error(string type, string message) => JsonSerializer.Serialize(new { type = "error", error = new { type, message } });

    private string ListModels(string queryString)
    {
        var query = System.Web.HttpUtility.ParseQueryString(queryString);
        var start = query["after_id"] is { } after ? Models.FindIndex(m => m.Id == after) + 1 : 0;
        var page = Models.Skip(start).Take(ModelPageSize).ToList();
        var data = new JsonArray();
        foreach (var model in page)
        {
            var item = new JsonObject
            {
                ["type"] = "model",
                ["id"] = model.Id,
                ["display_name"] = model.DisplayName,
                ["created_at"] = "2025-05-14T00:00:00Z",
            };
            if (model.MaxInputTokens is { } input)
            {
                item["max_input_tokens"] = input;
            }

            if (model.MaxTokens is { } output)
            {
                item["max_tokens"] = output;
            }

            data.Add(item);
        }

        return new JsonObject
        {
            ["data"] = data,
            ["has_more"] = start + page.Count < Models.Count,
            ["first_id"] = page.Count > 0 ? page[0].Id : null,
            ["last_id"] = page.Count > 0 ? page[^1].Id : null,
        }.ToJsonString();
    }
}
