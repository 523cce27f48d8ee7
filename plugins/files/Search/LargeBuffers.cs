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
    private readonly int _capacity;

    /// <summary>Buffers of <paramref name="capacity"/> bytes, the largest file a search reads.</summary>
    public LargeBuffers(int capacity) => _capacity = capacity;

    /// <summary>A buffer of at least <paramref name="length"/> bytes (contents undefined).</summary>
    /// <remarks>
    /// Every buffer holds the largest file, so any free one fits. It is allocated uninitialised, so only the pages a
    /// file was read into are ever touched; a thread's first large file faults them in, its next ones reuse them.
    /// </remarks>
    public byte[] Rent(int length) =>
        length <= _capacity && _free.TryTake(out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(Math.Max(length, _capacity));

    /// <summary>Gives a buffer back for the next large file.</summary>
    public void Return(byte[] buffer) => _free.Add(buffer);
}
