using AgentHost.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentHost.Server;

/// <summary>
/// Turns the host's errors into HTTP answers with one JSON body, <c>{"error": "…what and how to fix…", "kind": "…"}</c>:
/// not found → 404, in use (a running session, a leased one) → 409, bad input → 400, a denial → 403, anything the
/// server did not expect → 500 (a generic message and the request's id; the exception goes to the server's log under
/// that id).
/// </summary>
internal static class ApiErrors
{
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.InUse => StatusCodes.Status409Conflict,
        ErrorKind.Usage or ErrorKind.Configuration => StatusCodes.Status400BadRequest,
        ErrorKind.Denied => StatusCodes.Status403Forbidden,
        ErrorKind.Provider or ErrorKind.Plugin => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult Result(ErrorKind kind, string message) =>
        TypedResults.Json(new ApiError(message, ApiErrorKinds.NameOf(kind)), statusCode: StatusOf(kind));

    /// <summary>
    /// Middleware: a body whose Content-Length is over the limit is refused with 413 and the fix before it is read
    /// (Kestrel's own limit, which answers without a body, still stops a chunked body that grows past it).
    /// </summary>
    public static Task CheckSizeAsync(HttpContext context, RequestDelegate next, long maxBytes) =>
        context.Request.ContentLength > maxBytes
            ? TypedResults.Json(new ApiError($"the request body is {context.Request.ContentLength} bytes; the server accepts up to {maxBytes} (server.max_request_bytes, see docs/server.md).", "usage"), statusCode: StatusCodes.Status413PayloadTooLarge).ExecuteAsync(context)
            : next(context);

    /// <summary>Writes 429 with <c>Retry-After</c> (whole seconds) and the error body (kind <c>rate_limited</c>).</summary>
    public static ValueTask WriteLimitAsync(HttpContext context, ServerLimitException limit)
    {
        context.Response.Headers.RetryAfter = ServerLimiters.Seconds(limit.RetryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ValueTask(TypedResults.Json(new ApiError(limit.Message, ServerLimitException.KindName), statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context));
    }

    /// <summary>
    /// Middleware: an <see cref="AgentHostException"/> or a malformed body becomes its answer, not a 500 with a stack trace;
    /// any other exception is logged (<see cref="ServerLog.Unexpected"/>) and answered 500 with the error body, not
    /// with Kestrel's empty one. A request the client aborted is not an error.
    /// </summary>
    public static async Task HandleAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ServerLimitException ex) when (!context.Response.HasStarted)
        {
            await WriteLimitAsync(context, ex).ConfigureAwait(false);
        }
        catch (AgentHostException ex) when (!context.Response.HasStarted)
        {
            if (StatusOf(ex.Kind) == StatusCodes.Status500InternalServerError)
            {
                // The store failing, or the host's own bug: the message is the answer, and the log keeps the cause.
                ServerLog.Unexpected(logger, ex, context.Request.Method, Route(context), context.TraceIdentifier);
            }

            await Result(ex.Kind, ex.Message).ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted && UnknownField(ex.InnerException) is { } field)
        {
            await Result(ErrorKind.Usage, NotAField(field)).ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            var message = ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "the request body is too large; the server accepts bodies up to server.max_request_bytes (see docs/server.md)."
                : $"the request is not valid: {ex.Message} Send JSON as documented at /openapi.json.";
            await TypedResults.Json(new ApiError(message, "usage"), statusCode: ex.StatusCode).ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException ex) when (!context.Response.HasStarted)
        {
            await Result(ErrorKind.Usage, UnknownField(ex) is { } field
                ? NotAField(field)
                : $"the request body is not valid JSON for this endpoint: {ex.Message} See /openapi.json.").ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            ServerLog.Unexpected(logger, ex, context.Request.Method, Route(context), context.TraceIdentifier);
            if (context.Response.HasStarted)
            {
                // Too late for an answer of its own: Kestrel ends the response (the client sees it cut short).
                throw;
            }

            await Result(ErrorKind.Internal, $"the server failed unexpectedly ({ex.GetType().Name}); nothing more is said here. Its log has the details under request {context.TraceIdentifier} (agent logs).")
                .ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    /// <summary>The request's route template for the log: not its path (ids), never its query, headers or body.</summary>
    private static string Route(HttpContext context) =>
        (context.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText ?? "(no endpoint)";

    private static string NotAField(string field) =>
        $"{field}: not a field of this request body; remove it or fix its spelling (the fields are in the request's schema at /openapi.json).";

    /// <summary>
    /// The field a body had that its type does not (<c>JsonUnmappedMemberHandling.Disallow</c>), by its JSON path
    /// without <c>$.</c>; <see langword="null"/> for other errors. The message is the resource text, or only its key
    /// where the build strips resource strings (<c>UseSystemResourceKeys</c>).
    /// </summary>
    private static string? UnknownField(Exception? exception) =>
        exception is System.Text.Json.JsonException { Path: { Length: > 2 } path } json
        && path.StartsWith("$.", StringComparison.Ordinal)
        && (json.Message.StartsWith("UnmappedJsonProperty", StringComparison.Ordinal) || json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            ? Hosting.Text.TextCaps.HeadAndTail(path[2..], 200, out _)
            : null;
}
