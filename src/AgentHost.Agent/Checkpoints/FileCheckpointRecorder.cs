using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Sessions;

namespace AgentHost.Agent.Checkpoints;

/// <summary>
/// Records, per turn, the prior state of every path a session's write tools change, before the first change of that
/// path in the turn (the tool pipeline's <see cref="ToolPipelineOptions.BeforeWrite"/> hook), and what the turn left
/// (<see cref="EndTurnAsync"/>). Paths come from the call's permission description: its subject and the declared
/// write paths (<see cref="Sdk.Tools.ToolCallDescription.Paths"/>). Shell commands (action <c>execute</c>) are not
/// tracked: which files a command line changes is not known before it runs.
/// </summary>
/// <remarks>Thread-safe. A folder is recorded file by file (up to <see cref="MaxFolderFiles"/>).</remarks>
internal sealed class FileCheckpointRecorder : IDisposable
{
    /// <summary>The most files of one folder recorded for a folder-wide call (a recursive delete, a folder move).</summary>
    public const int MaxFolderFiles = 1000;

    private readonly IFileCheckpointStore _store;
    private readonly string _sessionId;
    private readonly string _root;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
    private readonly HashSet<string> _folders = new(StringComparer.Ordinal);
    private int? _turn;

    /// <param name="store">Where checkpoints go.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="workspaceRoot">The session's stored workspace: checkpoint paths are relative to it.</param>
    public FileCheckpointRecorder(IFileCheckpointStore store, string sessionId, string workspaceRoot)
    {
        _store = store;
        _sessionId = sessionId;
        _root = FileStates.RealRoot(workspaceRoot);
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    /// <summary>Starts a turn: the next change of any path is its first in the turn.</summary>
    public void BeginTurn()
    {
        _gate.Wait();
        try
        {
            _turn = null;
            _paths.Clear();
            _folders.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The pipeline hook: records each path the call declares, unless this turn recorded it already.</summary>
    public async ValueTask BeforeWriteAsync(ToolWriteNotice notice, CancellationToken cancellationToken)
    {
        if (!notice.Context.InSession || !string.Equals(notice.Context.SessionId, _sessionId, StringComparison.Ordinal)
            || notice.Description.Action is "execute" or "run")
        {
            return;
        }

        IEnumerable<string?> candidates = [notice.Description.Subject, .. notice.Description.Paths.Where(p => (p.Effect & Sdk.Tools.ToolEffect.Write) != 0).Select(p => p.Path)];
        var callRoot = notice.Context.WorkspaceRoot is { Length: > 0 } root ? FileStates.RealRoot(root) : _root;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var candidate in candidates)
            {
                // Relative to the call's root (the run's), recorded relative to the session's stored workspace.
                if (string.IsNullOrWhiteSpace(candidate) || candidate.Contains('\0', StringComparison.Ordinal)
                    || FileStates.Relative(_root, Path.GetFullPath(candidate, callRoot)) is not { } relative)
                {
                    continue; // Outside the root: the sandbox decides such calls; checkpoints cover the project only.
                }

                var full = FileStates.Full(_root, relative);
                if (Directory.Exists(full) && !FileStates.IsLink(full))
                {
                    _folders.Add(relative);
                    foreach (var file in FileStates.FilesUnder(_root, full, MaxFolderFiles))
                    {
                        await RecordAsync(file, notice.Tool, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    await RecordAsync(relative, notice.Tool, cancellationToken).ConfigureAwait(false);
                    _folders.Add(relative); // Should it become a folder (a move's destination), its files are new.
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the turn: stores what it left at each recorded path (unchanged ones are forgotten) and each new file under a recorded folder.</summary>
    public async Task EndTurnAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_turn is not { } turn)
            {
                return;
            }

            foreach (var folder in _folders)
            {
                var full = FileStates.Full(_root, folder);
                if (Directory.Exists(full) && !FileStates.IsLink(full))
                {
                    foreach (var file in FileStates.FilesUnder(_root, full, MaxFolderFiles).Where(f => !_paths.Contains(f)))
                    {
                        // Not there before the turn (else recorded when the folder was): created by it.
                        await _store.RecordBeforeAsync(_sessionId, turn, file, "(new in folder)", FileSnapshot.Absent, cancellationToken).ConfigureAwait(false);
                        _paths.Add(file);
                    }
                }
            }

            var after = _paths.ToDictionary(p => p, p => FileStates.Read(FileStates.Full(_root, p)), StringComparer.Ordinal);
            await _store.RecordAfterAsync(_sessionId, turn, after, cancellationToken).ConfigureAwait(false);
            _turn = null;
            _paths.Clear();
            _folders.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RecordAsync(string relative, string tool, CancellationToken cancellationToken)
    {
        if (!_paths.Add(relative))
        {
            return;
        }

        _turn ??= await _store.NextTurnAsync(_sessionId, cancellationToken).ConfigureAwait(false);
        await _store.RecordBeforeAsync(_sessionId, _turn.Value, relative, tool, FileStates.Read(FileStates.Full(_root, relative)), cancellationToken).ConfigureAwait(false);
    }
}
