using AgentHost.Plugins.Lsp.Protocol;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>
/// The latest diagnostics per file from one server, with a generation counter per file so a caller can wait for
/// diagnostics newer than the ones it saw, and the document version they were computed for (when the server says)
/// so a caller can wait for the answer to the version it sent. Thread-safe.
/// </summary>
internal sealed class DiagnosticsStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Generation, int? Version, IReadOnlyList<LspDiagnostic> Items)> _byPath = new(PathKey.Comparer);
    private readonly List<(string Path, long After, int? MinVersion, TaskCompletionSource Signal)> _waiters = [];

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

    /// <summary>Records diagnostics for a file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="items">The diagnostics.</param>
    /// <param name="version">The document version they describe, when the server said (<c>publishDiagnostics.version</c>).</param>
    public void Publish(string path, IReadOnlyList<LspDiagnostic> items, int? version = null)
    {
        List<TaskCompletionSource> ready = [];
        lock (_lock)
        {
            var generation = (_byPath.TryGetValue(path, out var entry) ? entry.Generation : 0) + 1;
            _byPath[path] = (generation, version, items);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (PathKey.Comparer.Equals(_waiters[i].Path, path) && generation > _waiters[i].After && Answers(version, _waiters[i].MinVersion))
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

    /// <summary>
    /// Waits until diagnostics newer than <paramref name="after"/> arrive for <paramref name="path"/>. With
    /// <paramref name="minVersion"/>, diagnostics the server marked with an older document version do not count:
    /// they describe text the server no longer has (a server may publish its previous analysis, often an empty
    /// list, before the one of the change it was sent).
    /// </summary>
    /// <returns>Whether they arrived before the token was cancelled.</returns>
    public async Task<bool> WaitAsync(string path, long after, CancellationToken cancellationToken, int? minVersion = null)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_byPath.TryGetValue(path, out var entry) && entry.Generation > after && Answers(entry.Version, minVersion))
            {
                return true;
            }

            _waiters.Add((path, after, minVersion, signal));
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

    /// <summary>Diagnostics without a version answer any wait; versioned ones only a wait for that version or older.</summary>
    private static bool Answers(int? version, int? minVersion) => version is null || minVersion is null || version >= minVersion;
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
