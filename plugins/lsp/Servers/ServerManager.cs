using System.Collections.Concurrent;
using AgentHost.Common.Processes;
using AgentHost.Plugins.Lsp.Protocol;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.Logging;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>
/// Starts language servers lazily (the first time a tool touches a matching file under a matching root), restarts
/// crashed ones with backoff up to their limit, and shuts them all down cleanly. Thread-safe.
/// </summary>
internal sealed partial class ServerManager : IAsyncDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly Func<IReadOnlyList<ServerDefinition>> _definitions;
    private readonly IEventBus _events;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<string> _searchPath;
    private readonly ConcurrentDictionary<(string Name, string Root), ManagedServer> _servers = new();
    private readonly CancellationTokenSource _stopping = new();

    public ServerManager(Func<IReadOnlyList<ServerDefinition>> definitions, IEventBus events, ILogger logger, TimeProvider time, IReadOnlyList<string> searchPath)
    {
        _definitions = definitions;
        _events = events;
        _logger = logger;
        _time = time;
        _searchPath = searchPath;
    }

    /// <summary>The complete environment servers start from (a shared server's allow-list), or <see langword="null"/> for the host's.</summary>
    public IReadOnlyDictionary<string, string>? BaseEnvironment { get; init; }

    /// <summary>
    /// Gives the sandbox a server runs in from its command line as configured (the host's, bound to the root its runtime
    /// serves: <c>sandbox.lsp_servers</c>), or <see langword="null"/> to run servers unsandboxed.
    /// </summary>
    public Func<IReadOnlyList<string>, CancellationToken, ValueTask<ProcessSandbox?>>? Sandbox { get; init; }

    public IReadOnlyList<ServerDefinition> Definitions => _definitions();

    /// <summary>Every server started or tried so far, ordered by name and root.</summary>
    public IReadOnlyList<ManagedServer> Known => [.. _servers.Values.OrderBy(s => s.Definition.Name, StringComparer.Ordinal).ThenBy(s => s.Root, StringComparer.Ordinal)];

    /// <summary>The servers now running.</summary>
    public IReadOnlyList<LanguageServer> Running => [.. Known.Select(s => s.Current).OfType<LanguageServer>()];

    /// <summary>Whether any definition serves the file.</summary>
    public bool Serves(string path) => Definitions.Any(d => d.Serves(path));

    /// <summary>
    /// The full path of a server's executable: an absolute command as configured, otherwise searched in the absolute
    /// entries of the configured folders, then of <c>PATH</c> — never in the working directory, a relative entry, or
    /// the project (a repository must not be able to ship a "language server" that the bridge runs).
    /// </summary>
    public string? FindExecutable(ServerDefinition definition, string workspaceRoot) =>
        ProgramSearch.Find(definition.Command, SearchPathValue(), [workspaceRoot]);

    /// <summary>The running servers for a file (starting them when needed), and one message per server that cannot serve it.</summary>
    public async Task<(List<LanguageServer> Servers, List<string> Problems)> ForFileAsync(string path, string workspaceRoot, CancellationToken cancellationToken)
    {
        var servers = new List<LanguageServer>();
        var problems = new List<string>();
        foreach (var definition in Definitions.Where(d => d.Serves(path)))
        {
            var root = FindRoot(definition, path, workspaceRoot);
            try
            {
                servers.Add(await GetAsync(definition, root, workspaceRoot, cancellationToken).ConfigureAwait(false));
            }
            catch (LspUnavailableException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return (servers, problems);
    }

    /// <summary>Starts a server for the workspace root unless one runs or has failed for good; a failure is its state.</summary>
    public async Task CheckAsync(ServerDefinition definition, string workspaceRoot, CancellationToken cancellationToken)
    {
        if (Known.Any(k => k.Definition.Name == definition.Name && k.Current is not null))
        {
            return;
        }

        try
        {
            await GetAsync(definition, workspaceRoot, workspaceRoot, cancellationToken).ConfigureAwait(false);
        }
        catch (LspUnavailableException)
        {
            // The state (failed, with the reason) is the answer.
        }
    }

    /// <summary>The nearest folder from the file up to the workspace root holding a root marker; the workspace root otherwise.</summary>
    public static string FindRoot(ServerDefinition definition, string path, string workspaceRoot)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var directory = Path.GetDirectoryName(path);
        while (directory is not null && directory.StartsWith(workspaceRoot, comparison))
        {
            if (definition.RootMarkers.Any(marker => HasMarker(directory, marker)))
            {
                return directory;
            }

            if (PathKey.Comparer.Equals(directory, workspaceRoot))
            {
                break;
            }

            directory = Path.GetDirectoryName(directory);
        }

        return workspaceRoot;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var running = _servers.Values.Where(s => s.Current is not null).ToList();
        await Task.WhenAll(running.Select(async s =>
        {
            var server = s.Current!;
            s.Current = null;
            await server.ShutdownAsync().ConfigureAwait(false);
            SetState(s, LspServerState.Stopped, null);
        })).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static bool HasMarker(string directory, string marker)
    {
        try
        {
            return marker.Contains('*', StringComparison.Ordinal) || marker.Contains('?', StringComparison.Ordinal)
                ? Directory.EnumerateFileSystemEntries(directory, marker).Any()
                : File.Exists(Path.Combine(directory, marker)) || Directory.Exists(Path.Combine(directory, marker));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private string SearchPathValue() =>
        string.Join(Path.PathSeparator, _searchPath.Append(Environment.GetEnvironmentVariable("PATH") ?? string.Empty));

    private async Task<LanguageServer> GetAsync(ServerDefinition definition, string root, string workspaceRoot, CancellationToken cancellationToken)
    {
        if (IsStopped(definition.Name))
        {
            throw new LspUnavailableException(StoppedMessage(definition.Name));
        }

        var managed = _servers.GetOrAdd((definition.Name, root), key => new ManagedServer(definition, key.Root) { WorkspaceRoot = workspaceRoot });
        if (managed.Current is { } ready)
        {
            return ready;
        }

        await managed.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (managed.Current is { } started)
            {
                return started;
            }

            if (IsStopped(definition.Name))
            {
                // Stopped while this call waited for the gate: the stop holds.
                throw new LspUnavailableException(StoppedMessage(definition.Name));
            }

            if (managed.State == LspServerState.Failed && managed.Restarts > managed.Definition.MaxRestarts)
            {
                throw new LspUnavailableException(managed.Detail ?? $"language server '{definition.Name}' failed.");
            }

            return await StartAsync(managed, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            managed.Gate.Release();
        }
    }

    private async Task<LanguageServer> StartAsync(ManagedServer managed, CancellationToken cancellationToken)
    {
        var definition = managed.Definition;
        if (FindExecutable(definition, managed.WorkspaceRoot) is not { } executable)
        {
            SetState(managed, LspServerState.Failed, definition.MissingMessage);
            throw new LspUnavailableException(definition.MissingMessage);
        }

        SetState(managed, LspServerState.Starting, executable);
        LanguageServer server;
        try
        {
            var withPath = definition with { Environment = WithSearchPath(definition.Environment) };
            var sandbox = await SandboxOfAsync(definition, cancellationToken).ConfigureAwait(false);
            server = await LanguageServer.StartAsync(withPath, executable, managed.Root, BaseEnvironment, sandbox, _logger, (path, items) => OnDiagnostics(definition.Name, path, items), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is LspStartException or ProgramStartException)
        {
            var message = ex is ProgramStartException ? $"language server '{definition.Name}' could not be started ({executable}): {ex.Message}" : ex.Message;
            managed.Restarts++;
            SetState(managed, LspServerState.Failed, message);
            throw new LspUnavailableException(message);
        }

        // Reopen what was open before a crash, and let its first diagnostics arrive before anyone else syncs: a late
        // answer to the reopen must not pass for the answer to a newer change.
        using (var settle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            settle.CancelAfter(TimeSpan.FromSeconds(5));
            foreach (var path in managed.Reopen.Where(File.Exists))
            {
                await server.SyncAsync(path, await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                if (server.Pull == DiagnosticsPull.None)
                {
                    await server.Diagnostics.WaitAsync(path, 0, settle.Token).ConfigureAwait(false);
                }
                else
                {
                    await PullQuietlyAsync(server, path, settle.Token).ConfigureAwait(false);
                }
            }
        }

        managed.Reopen = [];
        managed.Current = server;
        SetState(managed, LspServerState.Running, $"pid {server.ProcessId}");
        _ = WatchAsync(managed, server);
        return server;
    }

    /// <summary>Pulls a reopened document's diagnostics (a pull-only server publishes none); a failure only ends the wait.</summary>
    private static async Task PullQuietlyAsync(LanguageServer server, string path, CancellationToken cancellationToken)
    {
        try
        {
            await server.PullDiagnosticsAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or AgentHost.Common.JsonRpc.JsonRpcException)
        {
            // Settling is best effort: the next tool asks again.
        }
    }

    /// <summary>The sandbox of a server about to start; one that cannot run here (and is not required) is reported once per start, and the server runs unsandboxed.</summary>
    private async Task<ProcessSandbox?> SandboxOfAsync(ServerDefinition definition, CancellationToken cancellationToken)
    {
        if (Sandbox is null)
        {
            return null;
        }

        var sandbox = await Sandbox([definition.Command, .. definition.Args], cancellationToken).ConfigureAwait(false);
        if (sandbox is { IsAvailable: false, Required: false })
        {
            _events.Publish(new WarningEvent("lsp", $"language server '{definition.Name}' runs unsandboxed: {sandbox.Backend} is not available here ({sandbox.UnavailableReason}); sandbox.mode is auto (sandbox.lsp_servers)"));
        }

        return sandbox;
    }

    private Dictionary<string, string> WithSearchPath(IReadOnlyDictionary<string, string> environment)
    {
        var result = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        if (_searchPath.Count > 0 && !result.ContainsKey("PATH"))
        {
            result["PATH"] = SearchPathValue();
        }

        return result;
    }

    private async Task WatchAsync(ManagedServer managed, LanguageServer server)
    {
        await server.Exited.ConfigureAwait(false);
        if (server.IsShuttingDown || _stopping.IsCancellationRequested)
        {
            return;
        }

        await managed.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            managed.Current = null;
            managed.Reopen = server.OpenDocuments;
            managed.Restarts++;
            var crash = $"language server '{managed.Definition.Name}' exited unexpectedly ({server.ExitDescription})";
            await server.KillAsync().ConfigureAwait(false);
            if (managed.Definition.Restart == Sdk.Capabilities.LspRestartPolicy.Never || managed.Restarts > managed.Definition.MaxRestarts)
            {
                var why = managed.Definition.Restart == Sdk.Capabilities.LspRestartPolicy.Never
                    ? "its restart policy is 'never'"
                    : $"it crashed {managed.Restarts} times, over its limit of {managed.Definition.MaxRestarts} restarts (max_restarts)";
                managed.Restarts = int.MaxValue / 2; // Stays failed until the host restarts.
                SetState(managed, LspServerState.Failed, $"{crash}; not restarted: {why}.");
                return;
            }

            SetState(managed, LspServerState.Restarting, $"{crash}; restart {managed.Restarts} of {managed.Definition.MaxRestarts}");
        }
        finally
        {
            managed.Gate.Release();
        }

        try
        {
            var delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(managed.Restarts - 1, 10)));
            await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            await GetAsync(managed.Definition, managed.Root, managed.WorkspaceRoot, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or LspUnavailableException)
        {
            // Stopping, or the restart failed: the state says why.
        }
    }

    private void OnDiagnostics(string server, string path, IReadOnlyList<LspDiagnostic> items) =>
        _events.Publish(new LspDiagnosticsEvent(
            server, path, items.Count(d => d.Severity == 1), items.Count(d => d.Severity == 2), items.Count(d => d.Severity > 2)));

    private void SetState(ManagedServer managed, LspServerState state, string? detail)
    {
        managed.State = state;
        managed.Detail = detail;
        LogState(managed.Definition.Name, managed.Root, state, detail ?? string.Empty);
        _events.Publish(new LspServerStateChangedEvent(managed.Definition.Name, managed.Root, state, detail));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Language server {Server} ({Root}): {State} {Detail}")]
    private partial void LogState(string server, string root, LspServerState state, string detail);
}
