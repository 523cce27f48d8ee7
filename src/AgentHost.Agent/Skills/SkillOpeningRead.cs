namespace AgentHost.Agent.Skills;

/// <summary>
/// A session's opening read of its skill catalog, begun on a thread of its own when the session opens. A turn that
/// needs the skills before the read is done joins it under the read's lock (and reads itself when the thread has not
/// begun yet); whatever is asynchronous awaits <see cref="Completion"/>. Thread-safe.
/// </summary>
internal sealed class SkillOpeningRead
{
    private readonly Lazy<SkillSnapshot?> _read;
    private readonly TaskCompletionSource<SkillSnapshot?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the read; nothing is read until <see cref="Begin"/> or <see cref="Join"/>.</summary>
    /// <param name="read">The read; returns <see langword="null"/> when it failed, and never throws.</param>
    public SkillOpeningRead(Func<SkillSnapshot?> read) => _read = new Lazy<SkillSnapshot?>(read, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether the read is done.</summary>
    public bool IsCompleted => _read.IsValueCreated;

    /// <summary>Completes with the read (<see langword="null"/> when it failed) once it is done.</summary>
    public Task<SkillSnapshot?> Completion => _done.Task;

    /// <summary>Begins the read on a thread of its own.</summary>
    /// <param name="read">The read; returns <see langword="null"/> when it failed, and never throws.</param>
    /// <returns>The read under way.</returns>
    public static SkillOpeningRead Begin(Func<SkillSnapshot?> read)
    {
        var opening = new SkillOpeningRead(read);
        _ = Task.Factory.StartNew(() => opening.Join(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return opening;
    }

    /// <summary>The read: done here if it has not begun, else waited for under its lock.</summary>
    /// <returns>What it read, or <see langword="null"/> when it failed.</returns>
    public SkillSnapshot? Join()
    {
        var read = _read.Value;
        _done.TrySetResult(read);
        return read;
    }
}
