using System.Collections.Concurrent;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// Buffers for large files, reused by the threads of one search and dropped with it. The shared
/// <see cref="System.Buffers.ArrayPool{T}"/> does not keep arrays this large, so every large file got new memory, which
/// the kernel has to fault in page by page (for files of a few MB, more time than reading them). At most one buffer per
/// thread is kept, as long as the search runs.
/// </summary>
internal sealed class LargeBuffers
{
    /// <summary>Files from this size on are read into these buffers.</summary>
    public const int MinimumLength = 1024 * 1024;

    private readonly ConcurrentBag<byte[]> _free = [];

    /// <summary>A buffer of at least <paramref name="length"/> bytes (contents undefined).</summary>
    public byte[] Rent(int length)
    {
        while (_free.TryTake(out var buffer))
        {
            if (buffer.Length >= length)
            {
                return buffer;
            }

            // Too small: let it go; the new one replaces it.
        }

        // Rounded up to 1 MiB, so that files of similar sizes share buffers.
        return GC.AllocateUninitializedArray<byte>((int)Math.Min(int.MaxValue, ((long)length + MinimumLength - 1) / MinimumLength * MinimumLength));
    }

    /// <summary>Gives a buffer back for the next large file.</summary>
    public void Return(byte[] buffer) => _free.Add(buffer);
}
