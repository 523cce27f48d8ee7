using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Server;
using AgentHost.Hosting;

namespace AgentHost.Cli.Remote;

/// <summary>
/// A client of a running <c>agent serve</c> (the <c>/v1</c> API) for <c>agent run --server</c> and <c>agent server status</c>: HttpClient and
/// System.Text.Json over the server's own request and response records. Every failure becomes an
/// <see cref="AgentHostException"/> whose message names the server and the fix, and whose kind gives the exit code.
/// </summary>
internal sealed class ServerClient : IDisposable
{
    /// <summary>The API's JSON: camelCase names and enums, as the server writes them.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly HttpClient _http;

    /// <param name="server">The server's address (<c>http://127.0.0.1:4141</c>).</param>
    /// <param name="token">The bearer token.</param>
    public ServerClient(Uri server, string token)
    {
        Server = server;
        // No overall timeout: a stream of events stays open as long as a run goes on; requests are cancelled by the caller.
        _http = new HttpClient { BaseAddress = new Uri(server.ToString().TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The server, as given with <c>--server</c>.</summary>
    public Uri Server { get; }

    /// <summary>Whether the server has answered 401 (it refused the token) to a request of this client.</summary>
    public bool TokenRefused { get; private set; }

    public Task<SessionView> CreateSessionAsync(CreateSessionRequest request, CancellationToken cancellationToken) =>
        SendAsync<SessionView>(HttpMethod.Post, "v1/sessions", request, cancellationToken);

    public Task<SessionView> GetSessionAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<SessionView>(HttpMethod.Get, $"v1/sessions/{Uri.EscapeDataString(id)}", null, cancellationToken);

    /// <summary>The most recently changed session of <paramref name="root"/>, or <see langword="null"/>.</summary>
    public async Task<SessionView?> NewestSessionAsync(string root, CancellationToken cancellationToken)
    {
        var page = await SendAsync<SessionPage>(HttpMethod.Get, $"v1/sessions?root={Uri.EscapeDataString(root)}&limit=1", null, cancellationToken).ConfigureAwait(false);
        return page.Sessions.Count > 0 ? page.Sessions[0] : null;
    }

    /// <summary><c>GET /v1/sessions</c>: a page of the caller's sessions, newest change first (of <paramref name="root"/>, when given).</summary>
    public Task<SessionPage> ListSessionsAsync(string? root, string? cursor, int limit, CancellationToken cancellationToken)
    {
        var query = $"v1/sessions?limit={limit}"
            + (root is null ? string.Empty : $"&root={Uri.EscapeDataString(root)}")
            + (cursor is null ? string.Empty : $"&cursor={Uri.EscapeDataString(cursor)}");
        return SendAsync<SessionPage>(HttpMethod.Get, query, null, cancellationToken);
    }

    /// <summary><c>GET /v1/sessions/{id}/messages</c>: a page of the session's stored messages, oldest first, as the API's JSON.</summary>
    public Task<JsonElement> GetHistoryAsync(string sessionId, string? cursor, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Get, $"v1/sessions/{Uri.EscapeDataString(sessionId)}/messages{(cursor is null ? string.Empty : "?cursor=" + Uri.EscapeDataString(cursor))}", null, cancellationToken);

    /// <summary><c>POST /v1/sessions/{id}/permissions/{requestId}</c>: answers a waiting permission request.</summary>
    public Task AnswerPermissionAsync(string sessionId, string requestId, PermissionAnswerRequest answer, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"v1/sessions/{Uri.EscapeDataString(sessionId)}/permissions/{Uri.EscapeDataString(requestId)}", answer, cancellationToken);

    /// <summary><c>POST /v1/sessions/{id}/questions/{questionId}</c>: answers a waiting question.</summary>
    public Task AnswerQuestionAsync(string sessionId, string questionId, QuestionAnswerRequest answer, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"v1/sessions/{Uri.EscapeDataString(sessionId)}/questions/{Uri.EscapeDataString(questionId)}", answer, cancellationToken);

    /// <summary>Sends a prompt; the run goes on in the server (202).</summary>
    public Task<RunView> SendMessageAsync(string sessionId, SendMessageRequest request, bool wait, CancellationToken cancellationToken) =>
        SendAsync<RunView>(HttpMethod.Post, $"v1/sessions/{Uri.EscapeDataString(sessionId)}/messages{(wait ? "?wait=true" : string.Empty)}", request, cancellationToken);

    /// <summary><c>GET /v1/health</c>: version, uptime, open sessions, running runs, engines.</summary>
    public Task<HealthView> GetHealthAsync(CancellationToken cancellationToken) =>
        SendAsync<HealthView>(HttpMethod.Get, "v1/health", null, cancellationToken);

    /// <summary><c>GET /v1/cluster</c> (admins): the cluster the server is a node of; a plain server answers 404 (<see cref="ErrorKind.NotFound"/>).</summary>
    public Task<ClusterView> GetClusterAsync(CancellationToken cancellationToken) =>
        SendAsync<ClusterView>(HttpMethod.Get, "v1/cluster", null, cancellationToken);

    /// <summary><c>GET /v1/lsp</c>: the language servers of each of the server's engines.</summary>
    public Task<List<LspEngineView>> GetLanguageServersAsync(CancellationToken cancellationToken) =>
        SendAsync<List<LspEngineView>>(HttpMethod.Get, "v1/lsp", null, cancellationToken);

    /// <summary><c>POST /v1/lsp/{name}/{action}</c> (admins): starts, stops or restarts a language server in the server's engines.</summary>
    public Task<LspActionView> ControlLanguageServerAsync(string name, string action, CancellationToken cancellationToken) =>
        SendAsync<LspActionView>(HttpMethod.Post, $"v1/lsp/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(action)}", null, cancellationToken);

    public Task<RunView> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        SendAsync<RunView>(HttpMethod.Get, $"v1/runs/{Uri.EscapeDataString(runId)}", null, cancellationToken);

    public Task<RunView> CancelRunAsync(string runId, CancellationToken cancellationToken) =>
        SendAsync<RunView>(HttpMethod.Post, $"v1/runs/{Uri.EscapeDataString(runId)}/cancel", null, cancellationToken);

    /// <summary>
    /// Opens a session's event stream (<c>GET /v1/sessions/{id}/events</c>, resuming after <paramref name="lastEventId"/>)
    /// and returns once the server answered: from then on no event of the session is missed. <see langword="null"/> when
    /// the server has no event stream (an older server: 404 for the endpoint itself).
    /// </summary>
    public async Task<HttpResponseMessage?> OpenEventsAsync(string sessionId, string? lastEventId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/sessions/{Uri.EscapeDataString(sessionId)}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound && body.Contains("no such endpoint", StringComparison.Ordinal))
            {
                return null;
            }

            throw Failure(response, body, $"GET /v1/sessions/{sessionId}/events");
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var text = await SendAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        var what = $"{method} /{path.Split('?')[0]}";
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new AgentHostException(ErrorKind.Internal, $"the agent server at {Server} answered {what} with something that is not this API's JSON ({ex.Message}); is --server the address 'agent serve' printed?", ex);
        }
    }

    /// <summary>Sends a request; the answer's body, or the failure (<see cref="Failure"/>) for an error status.</summary>
    private async Task<string> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? text : throw Failure(response, text, $"{method} /{path.Split('?')[0]}");
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }

    /// <summary>The server cannot be reached (not running, wrong address, dropped connection).</summary>
    public AgentHostException Unreachable(Exception cause) => new(
        ErrorKind.Internal,
        $"cannot reach the agent server at {Server} ({cause.Message.TrimEnd('.')}); start it with 'agent serve' (it prints its address), or give that address with --server.",
        cause);

    /// <summary>An error answer: the server's own message (what and the fix), its kind as the exit code, and the fix for 401.</summary>
    private AgentHostException Failure(HttpResponseMessage response, string body, string what)
    {
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            TokenRefused = true;
            return new AgentHostException(
                ErrorKind.Usage,
                $"the agent server at {Server} refused the token (401); set {RemoteRunOptions.DefaultTokenVariable} (or the variable --server-token-env names) to the token 'agent serve' printed or read from its --token-env variable.");
        }

        if (response.StatusCode == HttpStatusCode.Forbidden && body.Length == 0)
        {
            return new AgentHostException(ErrorKind.Denied, $"the agent server at {Server} refused {what} (403): a server on loopback answers only requests addressed to a loopback name; use --server http://127.0.0.1:PORT.");
        }

        // The API's error body: {"error": "…what and the fix…", "kind": "…"}.
        string? message = null, kindName = null;
        try
        {
            using var document = body.Length > 0 ? JsonDocument.Parse(body) : null;
            if (document?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("error", out var text) && text.ValueKind == JsonValueKind.String)
            {
                message = text.GetString();
                kindName = root.TryGetProperty("kind", out var kindText) && kindText.ValueKind == JsonValueKind.String ? kindText.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Not the API's error body: said below with the status.
        }

        if (message is not { Length: > 0 })
        {
            return new AgentHostException(ErrorKind.Internal, $"the agent server at {Server} answered {what} with {status} {response.ReasonPhrase}; is --server the address 'agent serve' printed?");
        }

        var kind = kindName is not null ? ApiErrorKinds.KindOf(kindName) : status switch
        {
            404 => ErrorKind.NotFound,
            409 => ErrorKind.InUse,
            400 => ErrorKind.Usage,
            _ => ErrorKind.Internal,
        };
        return new AgentHostException(kind, $"agent server {Server}: {message}");
    }
}
