using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using AgentHost.Sdk.Providers;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// The exception boundary of the plugin: turns the SDK's and the network's exceptions into classified
/// <see cref="ProviderException"/>s carrying the provider's own message (never the API key).
/// </summary>
internal static class OpenAIErrors
{
    /// <summary>Classifies a failure. The caller filters out the user's cancellation first.</summary>
    /// <param name="error">The failure.</param>
    /// <param name="endpoint">The endpoint (provider name; the key to scrub).</param>
    /// <param name="time">The clock, for <c>Retry-After</c> dates.</param>
    /// <returns>The provider exception.</returns>
    public static ProviderException Map(Exception error, OpenAIEndpoint endpoint, TimeProvider time) => error switch
    {
        ProviderException provider => provider,
        ClientResultException { Status: > 0 } result => FromResponse(result, endpoint, time),
        ClientResultException result when FindTransportCause(result) is { } cause => Create(endpoint, ProviderErrorKind.Transport, $"{endpoint.BaseUrl} could not be reached: {cause.Message}", error),
        HttpRequestException or IOException or ClientResultException => Create(endpoint, ProviderErrorKind.Transport, $"the connection to {endpoint.BaseUrl} failed: {error.Message}", error),
        OperationCanceledException => Create(endpoint, ProviderErrorKind.Transport, $"{endpoint.BaseUrl} did not answer within {endpoint.Timeout.TotalSeconds:0} s (providers.{endpoint.ProviderName}.timeout_seconds)", error),
        JsonException or FormatException or ArgumentOutOfRangeException or KeyNotFoundException or InvalidOperationException =>
            Create(endpoint, ProviderErrorKind.MalformedResponse, $"the response from {endpoint.BaseUrl} could not be read: {error.Message}", error),
        _ => Create(endpoint, ProviderErrorKind.Unknown, error.Message, error),
    };

    /// <summary>The error a stream reports in-band (<c>data: {"error": …}</c>, as OpenRouter does after a 200).</summary>
    /// <param name="errorJson">The <c>error</c> value.</param>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The provider exception.</returns>
    public static ProviderException FromStreamError(ReadOnlyMemory<byte> errorJson, OpenAIEndpoint endpoint)
    {
        var body = ErrorBody.Parse(errorJson, wrapped: false);
        var status = body.NumericCode;
        var kind = Refine(status is { } s ? ProviderException.KindOf(s) : ProviderErrorKind.ServerError, body);
        return Create(endpoint, kind, body.Message ?? "the stream reported an error without a message", null, status);
    }

    /// <summary>
    /// The error a Responses API stream reports: a <c>response.failed</c> event (the response's <c>error</c>) or an
    /// <c>error</c> event. Classified by its code (<c>context_length_exceeded</c>, <c>rate_limit_exceeded</c>,
    /// <c>insufficient_quota</c>, <c>server_error</c>, <c>invalid_*</c>…); a rate limit's "try again in 1.5s" becomes the wait.
    /// </summary>
    /// <param name="code">The error code, when given.</param>
    /// <param name="message">The provider's message, when given.</param>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The provider exception.</returns>
    public static ProviderException FromResponseError(string? code, string? message, OpenAIEndpoint endpoint)
    {
        code = string.IsNullOrWhiteSpace(code) ? null : code.Trim();
        var body = new ErrorBody(message, null, code);
        var kind = code is not null && (code.StartsWith("invalid_", StringComparison.OrdinalIgnoreCase) || code.Contains("image", StringComparison.OrdinalIgnoreCase))
            ? ProviderErrorKind.BadRequest
            : ProviderErrorKind.ServerError;
        kind = Refine(kind, body);
        if (kind == ProviderErrorKind.ServerError && LooksLikeContextOverflow(message))
        {
            kind = ProviderErrorKind.ContextLengthExceeded;
        }

        var text = message is { Length: > 0 } ? message : "the response failed without a message";
        return new ProviderException(kind, Scrub($"provider '{endpoint.ProviderName}': {text}{(code is null ? string.Empty : $" ({code})")}", endpoint))
        {
            Provider = endpoint.ProviderName,
            RetryAfter = kind == ProviderErrorKind.RateLimited ? TryAgainIn(message) : null,
        };
    }

    /// <summary>A Responses API stream that ended before its last event (<c>response.completed</c>): retryable.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The provider exception.</returns>
    public static ProviderException Truncated(OpenAIEndpoint endpoint) =>
        Create(endpoint, ProviderErrorKind.Transport, "the event stream ended before 'response.completed' (the connection closed mid-answer)", null);

    // OpenAI's in-stream rate-limit message: "… Please try again in 1.234s." (or "in 250ms").
    private static TimeSpan? TryAgainIn(string? message)
    {
        var match = message is null ? null : System.Text.RegularExpressions.Regex.Match(message, @"try again in (\d+(?:\.\d+)?)\s*(ms|s)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        return match is { Success: true } && double.TryParse(match.Groups[1].Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var amount)
            ? match.Groups[2].Value.Equals("ms", StringComparison.OrdinalIgnoreCase) ? TimeSpan.FromMilliseconds(amount) : TimeSpan.FromSeconds(amount)
            : null;
    }

    private static ProviderException FromResponse(ClientResultException error, OpenAIEndpoint endpoint, TimeProvider time)
    {
        var response = error.GetRawResponse();
        var body = response is null ? default : ErrorBody.Parse(ReadContent(response), wrapped: true);
        var kind = Refine(ProviderException.KindOf(error.Status), body);
        var message = body.Message
            ?? $"HTTP {error.Status}{(response?.ReasonPhrase is { Length: > 0 } reason ? " " + reason : string.Empty)} from {endpoint.BaseUrl}";
        if (error.Status == 404 && body.Code is null && body.Type is null)
        {
            message += $" (is base_url {endpoint.BaseUrl} right? OpenAI-compatible APIs usually end in /v1)";
        }

        var retryAfter = response is null ? null : ProviderException.ParseRetryAfter(name => response.Headers.TryGetValue(name, out var value) ? value : null, time.GetUtcNow());
        return new ProviderException(kind, Scrub($"provider '{endpoint.ProviderName}': {message}", endpoint), error)
        {
            StatusCode = error.Status,
            RetryAfter = retryAfter,
            Provider = endpoint.ProviderName,
        };
    }

    private static ProviderErrorKind Refine(ProviderErrorKind kind, ErrorBody body)
    {
        static bool Is(ErrorBody body, string marker) =>
            string.Equals(body.Code, marker, StringComparison.OrdinalIgnoreCase) || string.Equals(body.Type, marker, StringComparison.OrdinalIgnoreCase);

        if (Is(body, "context_length_exceeded") || (kind is ProviderErrorKind.BadRequest or ProviderErrorKind.Unknown && LooksLikeContextOverflow(body.Message)))
        {
            return ProviderErrorKind.ContextLengthExceeded;
        }

        return Is(body, "insufficient_quota") || Is(body, "billing_hard_limit_reached") ? ProviderErrorKind.QuotaExceeded
            : Is(body, "model_not_found") ? ProviderErrorKind.ModelNotFound
            : Is(body, "invalid_api_key") || Is(body, "invalid_authentication") || Is(body, "authentication_error") ? ProviderErrorKind.Authentication
            : Is(body, "rate_limit_exceeded") && kind != ProviderErrorKind.QuotaExceeded ? ProviderErrorKind.RateLimited
            : kind;
    }

    // vLLM, llama.cpp and others say it in words only ("This model's maximum context length is 4096 tokens…").
    private static bool LooksLikeContextOverflow(string? message) =>
        message is not null
        && (message.Contains("maximum context length", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context window", StringComparison.OrdinalIgnoreCase)
            || message.Contains("exceeds the available context size", StringComparison.OrdinalIgnoreCase));

    private static ReadOnlyMemory<byte> ReadContent(PipelineResponse response)
    {
        try
        {
            return response.Content.ToMemory();
        }
        catch (InvalidOperationException)
        {
            return default; // The body was not buffered (the SDK buffers error bodies; this is a safety net).
        }
    }

    private static Exception? FindTransportCause(Exception error)
    {
        for (var e = error.InnerException; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or IOException or System.Net.Sockets.SocketException)
            {
                return e;
            }
        }

        return null;
    }

    private static ProviderException Create(OpenAIEndpoint endpoint, ProviderErrorKind kind, string message, Exception? inner, int? status = null) =>
        new(kind, Scrub($"provider '{endpoint.ProviderName}': {message}", endpoint), inner) { Provider = endpoint.ProviderName, StatusCode = status };

    private static string Scrub(string message, OpenAIEndpoint endpoint) =>
        endpoint.ApiKey is { Length: >= 4 } key ? message.Replace(key, "[redacted]", StringComparison.Ordinal) : message;
}
