namespace AgentHost.Sdk.Providers;

/// <summary>What went wrong talking to a model provider; decides whether the host retries and what it tells the user.</summary>
public enum ProviderErrorKind
{
    /// <summary>Anything else.</summary>
    Unknown,

    /// <summary>The API key is missing, wrong or revoked (401/403).</summary>
    Authentication,

    /// <summary>Too many requests (429 without a quota problem). Retried.</summary>
    RateLimited,

    /// <summary>The account is out of credit or over its quota. Not retried.</summary>
    QuotaExceeded,

    /// <summary>The provider is overloaded or failed (5xx, 529, 408, 409). Retried.</summary>
    ServerError,

    /// <summary>The prompt does not fit the model's context window.</summary>
    ContextLengthExceeded,

    /// <summary>The model id is not known to the endpoint (404 on the model).</summary>
    ModelNotFound,

    /// <summary>The request was rejected as malformed (400, 422).</summary>
    BadRequest,

    /// <summary>The connection failed or broke (DNS, refused, reset, truncated stream). Retried.</summary>
    Transport,

    /// <summary>The response was not understood (malformed JSON or stream).</summary>
    MalformedResponse,
}

/// <summary>
/// A failed provider call, classified. Provider plugins throw this (wrapping their SDK's exception) so the host can
/// retry what is worth retrying — honouring <see cref="RetryAfter"/> — and show the provider's message with a hint.
/// </summary>
public class ProviderException : Exception
{
    /// <summary>Creates an exception.</summary>
    public ProviderException()
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The provider's message.</param>
    public ProviderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The provider's message.</param>
    /// <param name="innerException">The SDK's exception.</param>
    public ProviderException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates a classified exception.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">The provider's own message (no secrets).</param>
    /// <param name="innerException">The SDK's exception, if any.</param>
    public ProviderException(ProviderErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>What went wrong.</summary>
    public ProviderErrorKind Kind { get; init; }

    /// <summary>The HTTP status code, when there was a response.</summary>
    public int? StatusCode { get; init; }

    /// <summary>How long the provider asked to wait (<c>Retry-After</c>, <c>retry-after-ms</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The provider name (as configured), for messages.</summary>
    public string? Provider { get; init; }

    /// <summary>Whether retrying the same request may succeed: rate limits, server errors and transport failures.</summary>
    public bool IsRetryable => Kind is ProviderErrorKind.RateLimited or ProviderErrorKind.ServerError or ProviderErrorKind.Transport;

    /// <summary>The kind a bare HTTP status suggests (plugins refine it from the provider's error body).</summary>
    /// <param name="statusCode">The status code.</param>
    /// <returns>The kind.</returns>
    public static ProviderErrorKind KindOf(int statusCode) => statusCode switch
    {
        401 or 403 => ProviderErrorKind.Authentication,
        402 => ProviderErrorKind.QuotaExceeded,
        404 => ProviderErrorKind.ModelNotFound,
        408 or 409 or >= 500 => ProviderErrorKind.ServerError,
        413 => ProviderErrorKind.ContextLengthExceeded,
        429 => ProviderErrorKind.RateLimited,
        400 or 422 => ProviderErrorKind.BadRequest,
        _ => ProviderErrorKind.Unknown,
    };

    /// <summary>Reads <c>retry-after-ms</c> (milliseconds) or <c>Retry-After</c> (seconds or an HTTP date) from response headers.</summary>
    /// <param name="header">Returns a header's value by (case-insensitive) name, or <see langword="null"/>.</param>
    /// <param name="now">The current time, for HTTP dates.</param>
    /// <returns>The delay, when the headers give one.</returns>
    public static TimeSpan? ParseRetryAfter(Func<string, string?> header, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header("retry-after-ms") is { } ms && double.TryParse(ms, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (header("retry-after") is not { } value)
        {
            return null;
        }

        if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date)
            ? (date > now ? date - now : TimeSpan.Zero)
            : null;
    }
}
