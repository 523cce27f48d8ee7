using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Server;

/// <summary>
/// A real <c>agent serve --port 0</c> process in a workspace, ready (its plugins loaded), with an <see cref="HttpClient"/>
/// that sends its token. Disposing it kills the process if it still runs.
/// </summary>
public sealed class AgentServer : IAsyncDisposable
{
    /// <summary>
    /// How long a request sent with <c>Expect: 100-continue</c> waits for the server before sending its body anyway
    /// (.NET's default is 350 ms). On a loaded machine the server's early 413 came after that, the body was already on its
    /// way, and the server's close of a connection whose body it refused to read cut the 413 off ("the response ended
    /// prematurely"): a client that waits for the answer, as the test means, gets it.
    /// </summary>
    private static readonly TimeSpan ContinueWait = TimeSpan.FromSeconds(60);

    private AgentServer(ServerProcess process)
    {
        Process = process;
        Http = Client(process.Token);
    }

    public ServerProcess Process { get; }

    /// <summary>A client with the server's token and its address as the base.</summary>
    public HttpClient Http { get; }

    public Uri Url => Process.Url;

    public string Token => Process.Token;

    /// <summary>Starts <c>agent serve --port 0 ARGS</c> in <paramref name="root"/> and waits until it is ready.</summary>
    public static async Task<AgentServer> StartAsync(string root, IDictionary<string, string> environment, params string[] args) =>
        new(await ServerProcess.StartAsync(root, environment, "test-token-" + Guid.NewGuid().ToString("N"), ["serve", .. args.Contains("--socket") ? args : ["--port", "0", .. args]], until: "agent serve: ready"));

    /// <summary>A client of this server with another token (or none).</summary>
    public HttpClient Client(string? token)
    {
        var client = Process.SocketPath is { } socket
            ? new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var connection = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                    await connection.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket), ct);
                    return new System.Net.Sockets.NetworkStream(connection, ownsSocket: true);
                },
                Expect100ContinueTimeout = ContinueWait,
            })
            { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(2) }
            : new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = ContinueWait }) { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(2) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>POST /v1/sessions; returns the new session (asserting 201).</summary>
    public async Task<JsonElement> CreateSessionAsync(object? request = null)
    {
        using var response = await Http.PostAsJsonAsync("v1/sessions", request ?? new { });
        return await ReadAsync(response, System.Net.HttpStatusCode.Created);
    }

    /// <summary>POST /v1/sessions/{id}/messages?wait=true; returns the ended run (asserting 200).</summary>
    public async Task<JsonElement> SendAndWaitAsync(string sessionId, object request)
    {
        using var response = await Http.PostAsJsonAsync($"v1/sessions/{sessionId}/messages?wait=true", request);
        return await ReadAsync(response, System.Net.HttpStatusCode.OK);
    }

    /// <summary>GET a path; returns the JSON (asserting 200).</summary>
    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return await ReadAsync(response, System.Net.HttpStatusCode.OK);
    }

    /// <summary>The text of every tool result in a session's history, in order, read as <paramref name="client"/>'s user (GET /v1/sessions/{id}/messages).</summary>
    public static async Task<List<string>> ToolResultsAsync(HttpClient client, string sessionId) =>
        [.. (await ReadAsync(await client.GetAsync($"v1/sessions/{sessionId}/messages"), System.Net.HttpStatusCode.OK)).GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "tool")
            .SelectMany(m => m.GetProperty("contents").EnumerateArray())
            .Where(c => c.TryGetProperty("result", out var r) && r.ValueKind != JsonValueKind.Undefined)
            .Select(c => c.GetProperty("result").ValueKind == JsonValueKind.String ? c.GetProperty("result").GetString()! : c.GetProperty("result").ToString())];

    /// <summary>Reads a JSON answer, asserting its status (the body is in the failure message).</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {response.StatusCode} (expected {(int)expected}) from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Sends a request as <paramref name="client"/>'s user: the status and the body (a stream's body is not read).</summary>
    public static async Task<(System.Net.HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (response.StatusCode, response.StatusCode == System.Net.HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? "(a stream)" : await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Asserts that each request about <paramref name="id"/> is answered exactly as the same request about
    /// <paramref name="missingId"/>, which does not exist: 404, the same body (ids aside), so the caller learns nothing.
    /// </summary>
    public static async Task AssertAnsweredAsMissingAsync(HttpClient client, IEnumerable<(HttpMethod Method, Func<string, string> Path, object? Body)> requests, string id, string missingId)
    {
        foreach (var (method, path, body) in requests)
        {
            var hidden = await SendAsync(client, method, path(id), body);
            var missing = await SendAsync(client, method, path(missingId), body);
            Assert.True(hidden.Status == System.Net.HttpStatusCode.NotFound, $"{method} {path(id)}: {(int)hidden.Status} {hidden.Body}");
            Assert.Equal(missing.Body.Replace(missingId, "ID", StringComparison.Ordinal), hidden.Body.Replace(id, "ID", StringComparison.Ordinal));
        }
    }

    /// <summary>Reads events up to and including the first of <paramref name="type"/> (of <paramref name="sessionId"/>, when given).</summary>
    public static async Task<List<System.Net.ServerSentEvents.SseItem<string>>> UntilAsync(SseReader reader, string type, string? sessionId = null)
    {
        var events = new List<System.Net.ServerSentEvents.SseItem<string>>();
        while (await reader.NextAsync() is { } item)
        {
            events.Add(item);
            if (item.EventType == type && (sessionId is null || JsonDocument.Parse(item.Data).RootElement.GetProperty("sessionId").GetString() == sessionId))
            {
                return events;
            }
        }

        throw new InvalidOperationException($"the stream ended before {type}: {string.Join(", ", events.Select(e => e.EventType))}");
    }

    /// <summary>Adds a user with <c>agent server user add NAME --role ROLE</c> in the workspace's AGENT_HOME; returns their token (asserting it was shown once).</summary>
    public static async Task<string> AddUserAsync(Runs.RunWorkspace workspace, string name, string role)
    {
        var added = await workspace.RunAsync("server", "user", "add", name, "--role", role);
        Assert.True(added.ExitCode == 0, added.Error);
        Assert.Contains("shown only this once", added.Error, StringComparison.Ordinal);
        var token = added.Output.Trim();
        Assert.StartsWith("agt_", token, StringComparison.Ordinal);
        return token;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }
}
