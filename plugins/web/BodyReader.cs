using System.Buffers;
using System.Globalization;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Web;

/// <summary>
/// Reads a response body under a size cap counted on the bytes actually received (after decompression), whatever
/// Content-Length says, with the wait limit applied to each read.
/// </summary>
internal static class BodyReader
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Reads the whole body into memory.</summary>
    /// <param name="response">The response.</param>
    /// <param name="max">The largest body accepted.</param>
    /// <param name="setting">The setting that sets <paramref name="max"/>, for the error.</param>
    /// <param name="hint">What to do instead, for the error.</param>
    /// <param name="timer">The request's time limits.</param>
    /// <returns>The body.</returns>
    /// <exception cref="ToolException">The body is larger than <paramref name="max"/>.</exception>
    public static async Task<byte[]> ReadAllAsync(WebResponse response, long max, string setting, string hint, StallTimer timer)
    {
        RefuseDeclaredSize(response, max, setting, hint);
        using var buffer = new MemoryStream();
        await CopyAsync(response, buffer, max, setting, hint, timer, onChunk: null).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Refuses at once when Content-Length already says the body is too large.</summary>
    public static void RefuseDeclaredSize(WebResponse response, long max, string setting, string hint)
    {
        if (response.Message.Content.Headers.ContentLength is { } declared && declared > max)
        {
            throw TooLarge(response, max, setting, hint, $"it declares {Size(declared)}");
        }
    }

    /// <summary>Copies the body to <paramref name="destination"/>, counting bytes as they arrive.</summary>
    /// <returns>The number of bytes copied.</returns>
    public static async Task<long> CopyAsync(
        WebResponse response, Stream destination, long max, string setting, string hint, StallTimer timer, Action<ReadOnlyMemory<byte>>? onChunk)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            timer.Arm();
            var source = await response.Message.Content.ReadAsStreamAsync(timer.Token).ConfigureAwait(false);
            timer.Disarm();
            await using (source.ConfigureAwait(false))
            {
                long total = 0;
                while (true)
                {
                    timer.Arm();
                    var read = await source.ReadAsync(chunk.AsMemory(0, ChunkSize), timer.Token).ConfigureAwait(false);
                    timer.Disarm();
                    if (read == 0)
                    {
                        return total;
                    }

                    total += read;
                    if (total > max)
                    {
                        throw TooLarge(response, max, setting, hint, "more than that arrived");
                    }

                    onChunk?.Invoke(chunk.AsMemory(0, read));
                    try
                    {
                        await destination.WriteAsync(chunk.AsMemory(0, read), timer.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw new ToolException($"could not write the downloaded data: {ex.Message}");
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB"),
    };

    private static ToolException TooLarge(WebResponse response, long max, string setting, string hint, string why) =>
        new($"{response.Url}: the response is larger than {Size(max)} ({setting}; {why}), so it was not read to the end. {hint}");
}
