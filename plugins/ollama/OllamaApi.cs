using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;

namespace AgentHost.Plugins.Ollama;

/// <summary>
/// The connection pool shared by every client of one loaded plugin. Owned by the plugin's service provider, which
/// disposes it when the plugin unloads (so no socket outlives the plugin's load context).
/// </summary>
internal sealed class OllamaTransport : IDisposable
{
    /// <summary>The shared handler. Clients wrap it in their own <see cref="HttpClient"/> without owning it.</summary>
    public SocketsHttpHandler Handler { get; } = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        AutomaticDecompression = DecompressionMethods.All,
    };

    /// <inheritdoc />
    public void Dispose() => Handler.Dispose();
}

/// <summary>
/// HTTP calls to one Ollama endpoint: URL, headers, optional bearer key, the response timeout, and errors classified as
/// <see cref="ProviderException"/>. Thread-safe; one per chat client or discovery call.
/// </summary>
internal sealed class OllamaApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly IReadOnlyDictionary<string, string> _headers;
    private readonly string? _apiKey;

    public OllamaApi(OllamaSettings settings, ChatProviderOptions options, HttpMessageHandler handler, bool ownsHandler, TimeProvider time)
    {
        Settings = settings;
        Time = time;
        _headers = options.Headers;
        _apiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? null : options.ApiKey.Trim();
        _http = new HttpClient(handler, ownsHandler) { BaseAddress = settings.BaseUrl, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public OllamaSettings Settings { get; }

    public TimeProvider Time { get; }

    /// <summary>Starts a time limit for one request: <see cref="OllamaSettings.Timeout"/>, restarted by <see cref="Deadline.Extend"/>.</summary>
    public Deadline StartDeadline(CancellationToken cancellationToken) => new(Settings.Timeout, Time, cancellationToken);

    /// <summary>Sends a request and returns the response once its headers arrived; failures become <see cref="ProviderException"/>s.</summary>
    /// <param name="method">GET or POST.</param>
    /// <param name="path">The path relative to the base URL, e.g. <c>api/chat</c>.</param>
    /// <param name="body">The JSON body, when any.</param>
    /// <param name="model">The model named in the request, for error messages.</param>
    /// <param name="deadline">The request's time limit and the caller's cancellation.</param>
    /// <returns>A successful response; the caller disposes it.</returns>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? body, string? model, Deadline deadline)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in _headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (_apiKey is not null && !request.Headers.Contains("Authorization"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.TimedOut)
        {
            throw OllamaErrors.TimedOut(Settings, ex);
        }
        catch (HttpRequestException ex)
        {
            throw OllamaErrors.Transport(Settings, ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            try
            {
                throw await OllamaErrors.FromResponseAsync(Settings, response, model, Time.GetUtcNow(), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (deadline.TimedOut)
            {
                throw OllamaErrors.TimedOut(Settings, ex);
            }
        }
    }

    /// <summary>Sends a request and reads a whole JSON answer.</summary>
    public async Task<T> GetJsonAsync<T>(HttpMethod method, string path, HttpContent? body, string? model, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var deadline = StartDeadline(cancellationToken);
        using var response = await SendAsync(method, path, body, model, deadline).ConfigureAwait(false);
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.TimedOut)
        {
            throw OllamaErrors.TimedOut(Settings, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw OllamaErrors.Broken(Settings, ex);
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(text, type) ?? throw OllamaErrors.Malformed(Settings, text, null);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw OllamaErrors.Malformed(Settings, text, ex);
        }
    }

    /// <summary>A JSON request body.</summary>
    public static HttpContent Json<T>(T value, JsonTypeInfo<T> type) => JsonContent.Create(value, type);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>The caller's cancellation combined with a time limit that can be restarted while a stream makes progress.</summary>
    internal sealed class Deadline : IDisposable
    {
        private readonly TimeSpan _limit;
        private readonly CancellationToken _caller;
        private readonly CancellationTokenSource _timer;
        private readonly CancellationTokenSource _linked;

        public Deadline(TimeSpan limit, TimeProvider time, CancellationToken caller)
        {
            _limit = limit;
            _caller = caller;
            _timer = new CancellationTokenSource(limit, time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _timer.Token);
        }

        /// <summary>Cancelled by the caller or when the time limit passes.</summary>
        public CancellationToken Token => _linked.Token;

        /// <summary>Whether the time limit (not the caller) cancelled <see cref="Token"/>.</summary>
        public bool TimedOut => _timer.IsCancellationRequested && !_caller.IsCancellationRequested;

        /// <summary>Restarts the time limit (progress was made).</summary>
        public void Extend()
        {
            if (!_timer.IsCancellationRequested)
            {
                _timer.CancelAfter(_limit);
            }
        }

        public void Dispose()
        {
            _linked.Dispose();
            _timer.Dispose();
        }
    }
}
