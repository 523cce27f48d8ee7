namespace AgentHost.Server;

/// <summary>
/// Something the server starts once, when first asked for (a session it opens, an engine it starts), whose value is
/// then read without waiting: <see cref="Started"/> is the value once the start succeeded. Thread-safe.
/// </summary>
/// <typeparam name="T">What is started.</typeparam>
internal sealed class StartOnce<T>
    where T : class
{
    private readonly Lazy<Task<T>> _start;
    private T? _started;

    /// <summary>Starts with <paramref name="start"/> when <see cref="Value"/> is first read.</summary>
    /// <param name="start">The start.</param>
    public StartOnce(Func<Task<T>> start) => _start = new Lazy<Task<T>>(() => KeepAsync(start));

    /// <summary>Already started.</summary>
    /// <param name="started">The value.</param>
    public StartOnce(T started)
    {
        _started = started;
        _start = new Lazy<Task<T>>(Task.FromResult(started));
    }

    /// <summary>Whether the start has begun.</summary>
    public bool IsValueCreated => _start.IsValueCreated;

    /// <summary>The start: begun at the first read.</summary>
    public Task<T> Value => _start.Value;

    /// <summary>The value once the start succeeded; <see langword="null"/> before, or when it failed. Never waits.</summary>
    public T? Started => _start.IsValueCreated ? Volatile.Read(ref _started) : null;

    private async Task<T> KeepAsync(Func<Task<T>> start)
    {
        var started = await start().ConfigureAwait(false);
        Volatile.Write(ref _started, started);
        return started;
    }
}
