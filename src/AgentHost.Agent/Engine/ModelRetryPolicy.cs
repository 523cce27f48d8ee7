using AgentHost.Sdk.Providers;

namespace AgentHost.Agent.Engine;

/// <summary>
/// When and how long the agent loop waits before repeating a failed model request: exponential backoff with jitter
/// on rate limits, server errors (408/409/429/5xx) and transport failures, honouring the provider's
/// <c>Retry-After</c>. Provider SDKs' own retries are off, so nothing is retried twice.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record ModelRetryPolicy
{
    /// <summary>No retries.</summary>
    public static ModelRetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Attempts in all, the first included: 5.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The first backoff: 1 s (then 2 s, 4 s, … up to <see cref="MaxDelay"/>, each times a random 0.5–1).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff: 30 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>Retry-After</c> honoured: 60 s. A provider asking for more ends the run with its message.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether an error is worth another attempt.</summary>
    /// <param name="error">The failure (not a cancellation by the user).</param>
    /// <returns><see langword="true"/> for retryable provider errors, HTTP transport errors, I/O errors and HTTP time-outs.</returns>
    /// <remarks>
    /// A refused connection is not retried: nothing listens at the endpoint (a local server not started, a wrong port),
    /// which waiting a few seconds does not change; the run stops at once with the endpoint and the fix.
    /// </remarks>
    public static bool IsRetryable(Exception error) => !IsConnectionRefused(error) && error switch
    {
        ProviderException provider => provider.IsRetryable,
        HttpRequestException or IOException or TimeoutException => true,
        TaskCanceledException => true, // an HTTP time-out (the user's cancellation is filtered out before this)
        _ => error.InnerException is { } inner && IsRetryable(inner),
    };

    /// <summary>Whether the error (or one it wraps) is a refused TCP connection: the request never reached a server.</summary>
    /// <param name="error">The failure.</param>
    /// <returns><see langword="true"/> when a <see cref="System.Net.Sockets.SocketException"/> with <see cref="System.Net.Sockets.SocketError.ConnectionRefused"/> is in the chain.</returns>
    public static bool IsConnectionRefused(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How long to wait before attempt <paramref name="attempt"/> + 1, or <see langword="null"/> to give up.</summary>
    /// <param name="error">The failure.</param>
    /// <param name="attempt">The attempt that failed (1-based).</param>
    /// <param name="random">A number in [0, 1) for the jitter.</param>
    /// <returns>The delay, or <see langword="null"/>.</returns>
    public TimeSpan? DelayBefore(Exception error, int attempt, double random)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (attempt >= MaxAttempts || !IsRetryable(error))
        {
            return null;
        }

        if (Find(error)?.RetryAfter is { } asked)
        {
            return asked <= MaxRetryAfter ? asked : null;
        }

        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (random / 2)));
    }

    /// <summary>The provider exception in an error's chain, when there is one.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The provider exception.</returns>
    public static ProviderException? Find(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is ProviderException provider)
            {
                return provider;
            }
        }

        return null;
    }
}
