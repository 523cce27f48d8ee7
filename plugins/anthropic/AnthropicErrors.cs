using System.Net.Http;
using System.Text.Json;
using AgentHost.Sdk.Providers;
using Anthropic.Core;
using Anthropic.Exceptions;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// Turns Anthropic failures into classified <see cref="ProviderException"/>s: the HTTP status decides first
/// (<see cref="ProviderException.KindOf"/>), the error body's <c>type</c> refines it, and the message is the API's own
/// (with the API key scrubbed, should it ever be echoed).
/// </summary>
internal static class AnthropicErrors
{
    /// <summary>The most of an error body read for the message.</summary>
    public const int MaxBodyChars = 16 * 1024;

    /// <summary>The response header in which Amazon Bedrock names the kind of an error (<c>ThrottlingException:…</c>).</summary>
    public const string BedrockErrorTypeHeader = "x-amzn-ErrorType";

    /// <summary>An error response (status ≥ 400) of the Messages or Models API, or of Bedrock's or Vertex AI's call.</summary>
    /// <param name="settings">The provider.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="body">The start of the body.</param>
    /// <param name="retryAfter">The wait the response asked for.</param>
    /// <param name="bedrockType">Bedrock's <c>x-amzn-ErrorType</c>, when the response has one: Bedrock's bodies carry only a message.</param>
    public static ProviderException FromResponse(AnthropicSettings settings, int status, string body, TimeSpan? retryAfter, string? bedrockType = null)
    {
        var (type, message) = ParseBody(body);
        type ??= FromBedrock(bedrockType);
        var kind = Classify(ProviderException.KindOf(status), type, message);
        var text = message ?? (body.Trim().Length > 0 ? $"HTTP {status}: {Truncate(body.Trim(), 300)}" : $"HTTP {status} with an empty body");
        return new ProviderException(kind, Describe(settings, type, text))
        {
            StatusCode = status,
            RetryAfter = retryAfter,
            Provider = settings.ProviderName,
        };
    }

    /// <summary>
    /// Classifies an exception thrown by the SDK or the transport, or returns <see langword="null"/> for exceptions to
    /// rethrow unchanged (already classified, or the caller's own cancellation).
    /// </summary>
    public static ProviderException? Translate(AnthropicSettings settings, Exception error, CancellationToken cancellationToken)
    {
        switch (error)
        {
            case ProviderException:
                return null;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case OperationCanceledException:
                var timeout = settings.Timeout ?? ClientOptions.DefaultTimeout;
                return Create(settings, ProviderErrorKind.Transport, $"{settings.BaseUrl} did not start answering within {timeout.TotalSeconds:0} s (timeout_seconds)", error);
            case AnthropicSseException sse:
                // An `event: error` in the middle of a stream (overloaded_error, api_error, ...): the request was accepted,
                // so anything not classified more precisely is a server-side failure worth retrying.
                var sseType = sse.Type?.Raw();
                sseType = FromBedrock(sseType) ?? sseType; // Bedrock's exception frames, which the package turns into error events
                var sseKind = Classify(ProviderErrorKind.ServerError, sseType, sse.ApiMessage);
                return Create(settings, sseKind, Describe(settings, sseType, sse.ApiMessage ?? "the stream reported an error"), error);
            case AnthropicApiException api:
                var (type, message) = ParseBody(api.ResponseBody ?? string.Empty);
                var status = (int)api.StatusCode;
                return new ProviderException(Classify(ProviderException.KindOf(status), type, message), Describe(settings, type, message ?? api.Message), error)
                {
                    StatusCode = status,
                    Provider = settings.ProviderName,
                };
            case AnthropicInvalidDataException or JsonException:
                return Create(settings, ProviderErrorKind.MalformedResponse, $"the response could not be read: {error.Message}", error);
            case AnthropicIOException or HttpRequestException or IOException:
                return Create(settings, ProviderErrorKind.Transport, $"the connection to {settings.BaseUrl} failed: {Innermost(error).Message}", error);
            case AnthropicServiceException service:
                var serviceType = service.Type?.Raw();
                return Create(settings, Classify(ProviderErrorKind.Unknown, serviceType, service.ApiMessage), Describe(settings, serviceType, service.ApiMessage ?? service.Message), error);
            case AnthropicException other:
                return Create(settings, ProviderErrorKind.Unknown, other.Message, error);
            default:
                return null;
        }
    }

    /// <summary>Refines a status-derived kind with the error body's <c>type</c> and message.</summary>
    public static ProviderErrorKind Classify(ProviderErrorKind byStatus, string? type, string? message) => type switch
    {
        "authentication_error" or "permission_error" => ProviderErrorKind.Authentication,
        "not_found_error" => ProviderErrorKind.ModelNotFound,
        "rate_limit_error" => ProviderErrorKind.RateLimited,
        "overloaded_error" or "api_error" or "timeout_error" => ProviderErrorKind.ServerError,
        "billing_error" => ProviderErrorKind.QuotaExceeded,
        "request_too_large" => ProviderErrorKind.ContextLengthExceeded,
        "invalid_request_error" when Mentions(message, "prompt is too long", "input is too long", "context window", "context length", "too many total tokens") =>
            ProviderErrorKind.ContextLengthExceeded,
        "invalid_request_error" when Mentions(message, "credit balance") => ProviderErrorKind.QuotaExceeded,
        "invalid_request_error" => ProviderErrorKind.BadRequest,
        _ => byStatus,
    };

    /// <summary>The Anthropic error type of a Bedrock exception name (<c>ThrottlingException</c> → <c>rate_limit_error</c>), or <see langword="null"/>.</summary>
    /// <remarks>Error responses name it <c>ThrottlingException</c>; exception frames in a stream, <c>throttlingException</c>.</remarks>
    public static string? FromBedrock(string? errorType) => Capitalized(errorType?.Split(':', 2)[0].Trim()) switch
    {
        "ThrottlingException" or "ServiceQuotaExceededException" => "rate_limit_error",
        "AccessDeniedException" => "permission_error",
        "UnrecognizedClientException" or "ExpiredTokenException" or "InvalidSignatureException" or "IncompleteSignatureException" => "authentication_error",
        "ResourceNotFoundException" => "not_found_error",
        "ValidationException" => "invalid_request_error",
        "ModelTimeoutException" => "timeout_error",
        "ServiceUnavailableException" or "ModelNotReadyException" => "overloaded_error",
        "InternalServerException" or "ModelErrorException" => "api_error",
        _ => null,
    };

    private static string? Capitalized(string? name) => string.IsNullOrEmpty(name) ? name : char.ToUpperInvariant(name[0]) + name[1..];

    /// <summary>Reads <c>{"type":"error","error":{"type":..., "message":...}}</c>; either part may be missing.</summary>
    public static (string? Type, string? Message) ParseBody(string body)
    {
        if (body.Length == 0)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : root;
            return (String(error, "type"), String(error, "message"));
        }
        catch (JsonException)
        {
            return (null, null);
        }

        static string? String(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
    }

    private static ProviderException Create(AnthropicSettings settings, ProviderErrorKind kind, string message, Exception inner) =>
        new(kind, Scrub(settings, message), inner) { Provider = settings.ProviderName };

    private static string Describe(AnthropicSettings settings, string? type, string? message)
    {
        var text = string.IsNullOrWhiteSpace(message) ? type ?? "unknown error" : message.Trim();
        return Scrub(settings, type is { Length: > 0 } && !text.Contains(type, StringComparison.Ordinal) ? $"{text} ({type})" : text);
    }

    private static string Scrub(AnthropicSettings settings, string text) =>
        settings.ApiKey is { Length: >= 8 } key ? text.Replace(key, "***", StringComparison.Ordinal) : text;

    private static bool Mentions(string? message, params string[] phrases) =>
        message is not null && phrases.Any(phrase => message.Contains(phrase, StringComparison.OrdinalIgnoreCase));

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    private static Exception Innermost(Exception error)
    {
        var current = error;
        while (current.InnerException is { } inner)
        {
            current = inner;
        }

        return current;
    }
}
