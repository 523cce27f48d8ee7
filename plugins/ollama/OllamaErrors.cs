using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using AgentHost.Sdk.Providers;

namespace AgentHost.Plugins.Ollama;

/// <summary>Turns every way an Ollama call can fail into a <see cref="ProviderException"/> whose message says what to do.</summary>
internal static class OllamaErrors
{
    private const int MaxQuoted = 300;

    /// <summary>The connection could not be made or broke before a response.</summary>
    public static ProviderException Transport(OllamaSettings settings, HttpRequestException error)
    {
        var root = Root(settings);
        var refused = error.HttpRequestError == HttpRequestError.ConnectionError
            || FindSocketError(error) is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable;
        var hint = error.HttpRequestError == HttpRequestError.NameResolutionError
            ? $"Check the host name in providers.{settings.ProviderName}.base_url."
            : refused
                ? $"Is Ollama running? Start it with `ollama serve` (or point providers.{settings.ProviderName}.base_url at it)."
                : "Check that Ollama is running and reachable.";
        return new ProviderException(ProviderErrorKind.Transport, $"could not reach Ollama at {root}: {error.Message.TrimEnd('.')}. {hint}", error)
        {
            Provider = settings.ProviderName,
        };
    }

    /// <summary>The connection broke while the answer was being read.</summary>
    public static ProviderException Broken(OllamaSettings settings, Exception error) =>
        new(ProviderErrorKind.Transport, $"the connection to Ollama at {Root(settings)} broke while the answer was streaming: {error.Message}", error)
        {
            Provider = settings.ProviderName,
        };

    /// <summary>Nothing arrived within <see cref="OllamaSettings.Timeout"/>.</summary>
    public static ProviderException TimedOut(OllamaSettings settings, Exception error) =>
        new(
            ProviderErrorKind.Transport,
            $"Ollama at {Root(settings)} sent nothing for {settings.Timeout.TotalSeconds:0} s. A large model may still be loading: " +
            $"raise providers.{settings.ProviderName}.timeout_seconds, or check `ollama ps`.",
            error)
        {
            Provider = settings.ProviderName,
        };

    /// <summary>The stream ended without its final <c>"done": true</c> line.</summary>
    public static ProviderException Truncated(OllamaSettings settings) =>
        new(ProviderErrorKind.Transport, $"the answer from Ollama at {Root(settings)} ended before it was complete (no final \"done\": true line); the server may have stopped or crashed")
        {
            Provider = settings.ProviderName,
        };

    /// <summary>A line (or body) that is not the JSON expected.</summary>
    public static ProviderException Malformed(OllamaSettings settings, string text, Exception? error) =>
        new(ProviderErrorKind.MalformedResponse, $"Ollama at {Root(settings)} sent something that is not an Ollama chat response: {Quote(text)}", error)
        {
            Provider = settings.ProviderName,
        };

    /// <summary>An <c>{"error": …}</c> line in the middle of a stream (the status was already 200).</summary>
    public static ProviderException StreamError(OllamaSettings settings, string message) =>
        new(IsContextTooLong(message) ? ProviderErrorKind.ContextLengthExceeded : ProviderErrorKind.ServerError, $"Ollama failed while answering: {message}")
        {
            Provider = settings.ProviderName,
        };

    /// <summary>A non-success status, classified from the status and Ollama's <c>{"error": …}</c> body.</summary>
    /// <param name="settings">The settings (provider name, base URL).</param>
    /// <param name="response">The response; its body is read here.</param>
    /// <param name="model">The model asked for, when any.</param>
    /// <param name="now">The current time, for a <c>Retry-After</c> date.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>The exception to throw.</returns>
    public static async Task<ProviderException> FromResponseAsync(
        OllamaSettings settings, HttpResponseMessage response, string? model, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            body = ex.Message;
        }
        catch (IOException ex)
        {
            body = ex.Message;
        }

        var message = ErrorMessage(body);
        var kind = ProviderException.KindOf(status);
        string text;
        if (message is null)
        {
            // Not Ollama's error shape: most often base_url points at something else (a proxy, a web server, /v1).
            kind = status == 404 ? ProviderErrorKind.MalformedResponse : kind;
            text = $"{Root(settings)} answered HTTP {status} {response.ReasonPhrase}: {Quote(body)}" +
                (status == 404 ? $"; providers.{settings.ProviderName}.base_url does not look like an Ollama server (expected http://host:11434)" : string.Empty);
        }
        else if (status == 404 && model is not null && message.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            kind = ProviderErrorKind.ModelNotFound;
            text = $"{message}. Pull it with `ollama pull {model}`, or pick an installed model (`ollama list`)";
        }
        else if (IsContextTooLong(message))
        {
            kind = ProviderErrorKind.ContextLengthExceeded;
            text = message;
        }
        else if (message.Contains("does not support tools", StringComparison.OrdinalIgnoreCase))
        {
            kind = ProviderErrorKind.BadRequest;
            text = $"{message}. Choose a model whose `ollama show {model}` lists the 'tools' capability (e.g. qwen3, llama3.1), or run without tools";
        }
        else if (message.Contains("does not support thinking", StringComparison.OrdinalIgnoreCase))
        {
            kind = ProviderErrorKind.BadRequest;
            text = $"{message}. Remove providers.{settings.ProviderName}.think or set it to false";
        }
        else
        {
            text = message;
        }

        if (kind == ProviderErrorKind.Authentication)
        {
            text += $" (Ollama itself has no API keys; a proxy in front of it refused the request: set providers.{settings.ProviderName}.api_key_env or headers)";
        }

        return new ProviderException(kind, text)
        {
            StatusCode = status,
            Provider = settings.ProviderName,
            RetryAfter = ProviderException.ParseRetryAfter(name => Header(response, name), now),
        };
    }

    /// <summary>Whether Ollama's message says the prompt does not fit the context.</summary>
    public static bool IsContextTooLong(string message) =>
        message.Contains("context", StringComparison.OrdinalIgnoreCase)
        && (message.Contains("exceed", StringComparison.OrdinalIgnoreCase)
            || message.Contains("too long", StringComparison.OrdinalIgnoreCase)
            || message.Contains("too large", StringComparison.OrdinalIgnoreCase)
            || message.Contains("larger than", StringComparison.OrdinalIgnoreCase));

    private static string? ErrorMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, OllamaJsonContext.Default.OllamaError)?.Error is { Length: > 0 } error ? error.Trim() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.FirstOrDefault()
        : null;

    private static SocketError? FindSocketError(Exception error)
    {
        for (var e = error.InnerException; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    private static string Root(OllamaSettings settings) => settings.BaseUrl.ToString().TrimEnd('/');

    private static string Quote(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? "(empty)" : trimmed.Length <= MaxQuoted ? trimmed : trimmed[..MaxQuoted] + "…";
    }
}
