using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentHost.Server.Http;

/// <summary>
/// The MCP streamable HTTP transport at <c>/mcp</c> over the SDK's <see cref="StreamableHttpServerTransport"/>: an
/// <c>initialize</c> POST opens a session (its id in <c>Mcp-Session-Id</c>), later POSTs carry requests and answers
/// (responses stream back as server-sent events), a GET opens the session's stream for server requests (e.g.
/// elicitation) and a DELETE ends the session. One <see cref="McpServer"/> per session, all with the same options.
/// </summary>
/// <remarks>
/// The SDK's ASP.NET Core package does the same, but its newest release on the registry (2.3.1) pins an older
/// ModelContextProtocol than ModelContextProtocol.Core 2.4.0 the host uses; this class needs only Core's public
/// transport. Thread-safe; disposing it ends every session.
/// </remarks>
/// <param name="options">The options of every session's server.</param>
/// <param name="sessionEnded">Called with a session's id when the client ends it (e.g. to forget its permission grants).</param>
public sealed class McpHttpEndpoint(McpServerOptions options, Action<string>? sessionEnded = null) : IAsyncDisposable
{
    /// <summary>The endpoint's path.</summary>
    public const string Path = "/mcp";

    private const string SessionHeader = "Mcp-Session-Id";

    private static readonly JsonTypeInfo<JsonRpcMessage> MessageType = (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));
    private static readonly JsonTypeInfo<JsonRpcError> ErrorType = (JsonTypeInfo<JsonRpcError>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcError));

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Serves one (authorised) request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task.</returns>
    public Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!string.Equals(context.Request.Path.Value?.TrimEnd('/'), Path, StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return context.Request.Method switch
        {
            "POST" => PostAsync(context),
            "GET" => GetAsync(context),
            "DELETE" => DeleteAsync(context),
            _ => MethodNotAllowed(context),
        };
    }

    /// <summary>Ends every session.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var id in _sessions.Keys)
        {
            if (_sessions.TryRemove(id, out var session))
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }

        _stopping.Dispose();
    }

    private async Task PostAsync(HttpContext context)
    {
        var accept = context.Request.Headers.Accept.ToString();
        if (!accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) || !accept.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable: the client must accept both application/json and text/event-stream").ConfigureAwait(false);
            return;
        }

        JsonRpcMessage? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync(context.Request.Body, MessageType, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Bad Request: the body is not a JSON-RPC message", (int)McpErrorCode.InvalidRequest).ConfigureAwait(false);
            return;
        }

        var requestId = message is JsonRpcRequest request ? request.Id : default;
        Session? session;
        var sessionId = context.Request.Headers[SessionHeader].ToString();
        if (sessionId.Length == 0)
        {
            if (message is not JsonRpcRequest { Method: RequestMethods.Initialize })
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest, "Bad Request: a session starts with an initialize request; later requests carry its Mcp-Session-Id", requestId: requestId).ConfigureAwait(false);
                return;
            }

            session = Open();
        }
        else if (!_sessions.TryGetValue(sessionId, out session))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "Session not found", -32001, requestId).ConfigureAwait(false);
            return;
        }

        context.Response.Headers[SessionHeader] = session.Id;
        StartEventStream(context);
        if (!await session.Transport.HandlePostRequestAsync(message, context.Response.Body, context.RequestAborted).ConfigureAwait(false))
        {
            context.Response.Headers.ContentType = (string?)null;
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        }
    }

    private async Task GetAsync(HttpContext context)
    {
        if (!context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable: the client must accept text/event-stream").ConfigureAwait(false);
            return;
        }

        if (await SessionOfAsync(context).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        if (Interlocked.Exchange(ref session.Streaming, 1) == 1)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Bad Request: this session already has a GET stream").ConfigureAwait(false);
            return;
        }

        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token, session.Closed);
        try
        {
            StartEventStream(context);
            await context.Response.Body.FlushAsync(stream.Token).ConfigureAwait(false);
            await session.Transport.HandleGetRequestAsync(context.Response.Body, stream.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stream.IsCancellationRequested)
        {
            // The client went away, the session ended or the server stops: how an event stream ends.
        }
    }

    private async Task DeleteAsync(HttpContext context)
    {
        if (await SessionOfAsync(context).ConfigureAwait(false) is { } session && _sessions.TryRemove(session.Id, out _))
        {
            await session.DisposeAsync().ConfigureAwait(false);
            sessionEnded?.Invoke(session.Id);
        }
    }

    private async Task<Session?> SessionOfAsync(HttpContext context)
    {
        var sessionId = context.Request.Headers[SessionHeader].ToString();
        if (sessionId.Length == 0)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Bad Request: the Mcp-Session-Id header is required").ConfigureAwait(false);
            return null;
        }

        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "Session not found", -32001).ConfigureAwait(false);
            return null;
        }

        context.Response.Headers[SessionHeader] = session.Id;
        return session;
    }

    private Session Open()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        var id = WebEncoders.Base64UrlEncode(bytes);
        var transport = new StreamableHttpServerTransport(loggerFactory: null) { SessionId = id };
        var server = McpServer.Create(transport, options);
        var session = new Session(id, transport, server, _stopping.Token);
        _sessions[id] = session;
        return session;
    }

    private static Task MethodNotAllowed(HttpContext context)
    {
        context.Response.Headers.Allow = "GET, POST, DELETE";
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        return Task.CompletedTask;
    }

    private static void StartEventStream(HttpContext context)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache,no-store";
        context.Response.Headers.ContentEncoding = "identity";
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
    }

    private static async Task ErrorAsync(HttpContext context, int status, string message, int code = -32000, RequestId requestId = default)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new JsonRpcError { Id = requestId, Error = new JsonRpcErrorDetail { Code = code, Message = message } }, ErrorType, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>One MCP session: its transport, its server and the server's run.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly CancellationTokenSource _closed;
        private readonly Task _run;

        public int Streaming;

        public Session(string id, StreamableHttpServerTransport transport, McpServer server, CancellationToken stopping)
        {
            Id = id;
            Transport = transport;
            Server = server;
            _closed = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _run = server.RunAsync(_closed.Token);
        }

        public string Id { get; }

        public StreamableHttpServerTransport Transport { get; }

        public McpServer Server { get; }

        public CancellationToken Closed => _closed.Token;

        public async ValueTask DisposeAsync()
        {
            await _closed.CancelAsync().ConfigureAwait(false);
            await Transport.DisposeAsync().ConfigureAwait(false);
            try
            {
                await _run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The run ends with the session.
            }

            await Server.DisposeAsync().ConfigureAwait(false);
            _closed.Dispose();
        }
    }
}
