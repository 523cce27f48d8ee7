using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// An OpenAI-compatible Chat Completions server on 127.0.0.1 (the real wire format: server-sent events ending in
/// <c>data: [DONE]</c>) for many sessions at once, answering by what each request carries rather than from a queue.
/// A conversation whose first user message says <c>session NN</c> gets, for its first step, <see cref="CallsPerStep"/>
/// parallel <c>fetch</c> calls of <c>{pages}held/sNN/cJ</c>; once the last message is a tool result, the answer
/// <c>done sNN</c>. First steps are held until <see cref="ModelGate"/> of them are in flight at once (or the server
/// stops), then every answer comes after the latency; the peak of model calls in flight is counted.
/// </summary>
internal sealed partial class LatencyOpenAIServer(GatedPageServer pages, int modelGate, TimeSpan latency) : FakeHttpServer("text/event-stream", string.Empty, TimeSpan.Zero)
{
    public const int CallsPerStep = 5;

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sync = new();
    private int _inFlight;
    private int _peak;

    /// <summary>How many first steps are held until all of them are in flight.</summary>
    public int ModelGate => modelGate;

    /// <summary>The most chat requests that were in flight at once.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>The API base to configure, <c>{Root}v1</c>.</summary>
    public Uri BaseUrl => new(Root + "v1");

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        if (request.Method == "HEAD")
        {
            response.StatusCode = 404;
            response.ContentLength64 = 0;
            response.Close();
            return;
        }

        if (request.Method == "GET" && request.Path == "/v1/models")
        {
            await WriteAsync(response, 200, """{"object":"list","data":[]}""");
            return;
        }

        if (request.Method != "POST" || request.Path != "/v1/chat/completions")
        {
            await WriteAsync(response, 404, Chunks.Error($"fake server: no route for {request.Method} {request.Path}", "invalid_request_error", null));
            return;
        }

        var messages = request.Json.GetProperty("messages").EnumerateArray().ToList();
        var session = SessionName().Match(messages.First(m => m.GetProperty("role").GetString() == "user").GetProperty("content").ToString()).Groups[1].Value;
        var firstStep = messages[^1].GetProperty("role").GetString() != "tool";
        Enter();
        try
        {
            if (firstStep)
            {
                await _gate.Task;
            }

            await Task.Delay(latency);
            await StreamAsync(response, Frames(firstStep ? ToolCalls(session) : Chunks.Answer("done " + session)));
        }
        finally
        {
            lock (_sync)
            {
                _inFlight--;
            }
        }
    }

    private IEnumerable<string> ToolCalls(string session)
    {
        yield return Chunks.Role();
        for (var i = 0; i < CallsPerStep; i++)
        {
            var arguments = JsonSerializer.Serialize(new { url = pages.Held($"{session}/c{i}") });
            yield return Chunks.ToolCall(i, $"call_{session}_{i}", "fetch", arguments);
        }

        yield return Chunks.Finish("tool_calls");
        yield return Chunks.Usage(10, 5);
    }

    private static IEnumerable<string> Frames(IEnumerable<string> chunks) => chunks.Append("[DONE]").Select(chunk => $"data: {chunk}\n\n");

    private void Enter()
    {
        lock (_sync)
        {
            _inFlight++;
            _peak = Math.Max(_peak, _inFlight);
            if (_inFlight >= modelGate)
            {
                _gate.TrySetResult();
            }
        }
    }

    [GeneratedRegex(@"session (s\d+)")]
    private static partial Regex SessionName();
}
