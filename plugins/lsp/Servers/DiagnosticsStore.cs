using AgentHost.Plugins.Lsp.Protocol;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>
/// The latest diagnostics per file from one server, with a generation counter per file so a caller can wait for
/// diagnostics newer than the ones it saw. Thread-safe.
/// </summary>
internal sealed class DiagnosticsStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Generation, IReadOnlyList<LspDiagnostic> Items)> _byPath = new(PathKey.Comparer);
    private readonly List<(string Path, long After, TaskCompletionSource Signal)> _waiters = [];

    public long Generation(string path)
    {
        lock (_lock)
        {
            return _byPath.TryGetValue(path, out var entry) ? entry.Generation : 0;
        }
    }

    public IReadOnlyList<LspDiagnostic>? Get(string path)
    {
        lock (_lock)
        {
            return _byPath.TryGetValue(path, out var entry) ? entry.Items : null;
        }
    }

    public IReadOnlyList<(string Path, IReadOnlyList<LspDiagnostic> Items)> All()
    {
        lock (_lock)
        {
            return _byPath.Where(p => p.Value.Items.Count > 0).Select(p => (p.Key, p.Value.Items)).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        }
    }

    public void Publish(string path, IReadOnlyList<LspDiagnostic> items)
    {
        List<TaskCompletionSource> ready = [];
        lock (_lock)
        {
            var generation = (_byPath.TryGetValue(path, out var entry) ? entry.Generation : 0) + 1;
            _byPath[path] = (generation, items);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (PathKey.Comparer.Equals(_waiters[i].Path, path) && generation > _waiters[i].After)
                {
                    ready.Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var signal in ready)
        {
            signal.TrySetResult();
        }
    }

    /// <summary>Waits until diagnostics newer than <paramref name="after"/> arrive for <paramref name="path"/>.</summary>
    /// <returns>Whether they arrived before the token was cancelled.</returns>
    public async Task<bool> WaitAsync(string path, long after, CancellationToken cancellationToken)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_byPath.TryGetValue(path, out var entry) && entry.Generation > after)
            {
                return true;
            }

            _waiters.Add((path, after, signal));
        }

        using (cancellationToken.Register(() => signal.TrySetCanceled()))
        {
            try
            {
                await signal.Task.ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException)
            {
                lock (_lock)
                {
                    _waiters.RemoveAll(w => w.Signal == signal);
                }

                return false;
            }
        }
    }
}

/// <summary>How file paths are compared: ignoring case where the file system does.</summary>
internal static class PathKey
{
    public static StringComparer Comparer { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    public static string FromUri(string uri)
    {
        try
        {
            var parsed = new Uri(uri);
            return parsed.IsFile ? Path.GetFullPath(parsed.LocalPath) : uri;
        }
        catch (UriFormatException)
        {
            return uri;
        }
    }

    public static string ToUri(string path) => new Uri(path).AbsoluteUri;
}
