using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentHost.Server.Events;

/// <summary>
/// Writes a reader of the <see cref="ServerEventLog"/> (or of a session's journal) to an HTTP response as server-sent events: <c>retry:</c> once,
/// then one frame per event (<c>id:</c>, <c>event:</c>, <c>data:</c>, blank line), each flushed at once, and a
/// <c>: ping</c> comment whenever the stream has been idle for the heartbeat interval.
/// </summary>
/// <remarks>
/// Ends without error when the client disconnects, when the log completes, or when the server stops (so a graceful
/// shutdown is not held up by open streams).
/// </remarks>
internal static class SseEventStream
{
    /// <summary>The reconnection delay suggested to clients (<c>retry:</c>), in milliseconds.</summary>
    public const int RetryMilliseconds = 2000;

    /// <summary>
    /// Writes the events <paramref name="read"/> gives (given the stream's cancellation) that <paramref name="visible"/>
    /// lets through (all, when none); before each write (an event or a ping), <paramref name="stillValid"/> is asked
    /// whether the reader may still read, and the stream ends when it may not.
    /// </summary>
    public static async Task WriteAsync(
        HttpContext context, Func<CancellationToken, IAsyncEnumerable<LoggedEvent>> read, TimeSpan heartbeat, Func<LoggedEvent, bool>? visible = null, Func<CancellationToken, ValueTask<bool>>? stillValid = null)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // A reader may fall behind for a while (it loses nothing while the log keeps its events): Kestrel's minimum
        // response data rate would cut it off after a few seconds of not reading. HTTP/1.1 only; HTTP/2 has no such feature.
        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = reading.Token;
        var events = read(cancellationToken).GetAsyncEnumerator(cancellationToken);
        Task<bool>? pending = null;
        try
        {
            await WriteFrameAsync(response, $"retry: {RetryMilliseconds}\n\n", cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var next = events.MoveNextAsync();
                bool more;
                if (next.IsCompleted)
                {
                    more = await next.ConfigureAwait(false);
                }
                else
                {
                    pending = next.AsTask();
                    if (!await PingUntilAsync(pending, response, heartbeat, stillValid, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }

                    more = await pending.ConfigureAwait(false);
                    pending = null;
                }

                if (!more)
                {
                    break;
                }

                if (visible is not null && events.Current.Type != EventsGapEvent.TypeName && !visible(events.Current))
                {
                    continue;
                }

                if (stillValid is not null && !await stillValid(cancellationToken).ConfigureAwait(false))
                {
                    break; // The reader's credentials no longer hold: not one more event.
                }

                await WriteFrameAsync(response, Frame(events.Current), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the server stops: the stream just ends.
        }
        finally
        {
            // A pending read must finish before the reader is disposed; cancelling ends it at once.
            await reading.CancelAsync().ConfigureAwait(false);
            if (pending is not null)
            {
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await events.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One SSE frame for an event; its JSON is one line (a line break in it would start another <c>data:</c> line).</summary>
    public static string Frame(LoggedEvent logged) =>
        $"id: {logged.Id}\nevent: {logged.Type}\ndata: {logged.Json.ReplaceLineEndings("\ndata: ")}\n\n";

    /// <summary>Writes a comment every <paramref name="heartbeat"/> until <paramref name="next"/> completes (true) or the reader's credentials no longer hold (false).</summary>
    private static async Task<bool> PingUntilAsync(Task next, HttpResponse response, TimeSpan heartbeat, Func<CancellationToken, ValueTask<bool>>? stillValid, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(heartbeat);
        while (true)
        {
            var tick = timer.WaitForNextTickAsync(CancellationToken.None).AsTask();
            if (await Task.WhenAny(next, tick).ConfigureAwait(false) == next)
            {
                return true;
            }

            if (stillValid is not null && !await stillValid(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            await WriteFrameAsync(response, ": ping\n\n", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteFrameAsync(HttpResponse response, string frame, CancellationToken cancellationToken)
    {
        await response.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
