using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files;

/// <summary>One call of a files tool: the workspace, the session's read ledger and whether it is a dry run.</summary>
internal sealed class FileToolCall
{
    private readonly ReadLedger _ledger;
    private readonly string? _sessionId;
    private readonly List<string> _refusals = [];

    public FileToolCall(WorkspacePaths paths, ReadLedger ledger, string? sessionId, bool dryRun, IEditorFiles? editor = null)
    {
        Paths = paths;
        _ledger = ledger;
        _sessionId = sessionId;
        DryRun = dryRun;
        Editor = editor;
    }

    /// <summary>The editor the session runs in, when it serves files (its buffers are read and written instead of the disk); else <see langword="null"/>.</summary>
    public IEditorFiles? Editor { get; }

    /// <summary>The workspace paths.</summary>
    public WorkspacePaths Paths { get; }

    /// <summary>Whether the call only reports what it would do.</summary>
    public bool DryRun { get; }

    /// <summary>
    /// For a dry run, what the ledger would refuse in a real run (an empty string when nothing), as a line to append to
    /// the result; a dry run itself is never refused.
    /// </summary>
    public string LedgerNote => _refusals.Count == 0 ? string.Empty : "\nA real run would be refused now: " + string.Join(" ", _refusals);

    /// <summary>Creates the call from the host's arguments.</summary>
    /// <param name="arguments">The invocation's arguments (workspace root, session id, dry-run default).</param>
    /// <param name="ledger">The plugin's ledger.</param>
    /// <param name="dryRun">The call's <c>dry_run</c> argument, if given.</param>
    /// <returns>The call.</returns>
    public static FileToolCall From(AIFunctionArguments arguments, ReadLedger ledger, bool? dryRun = null) =>
        new(arguments.GetWorkspacePaths(), ledger, arguments.GetSessionId(), arguments.IsDryRun(dryRun), arguments.GetEditorFiles());

    /// <summary>
    /// Refuses to change an existing file that was not viewed in this session or changed on disk since (a dry run only
    /// notes it in <see cref="LedgerNote"/>).
    /// </summary>
    /// <param name="fullPath">The real full path.</param>
    /// <param name="relativePath">The path for messages.</param>
    /// <param name="current">What the file looks like now.</param>
    /// <exception cref="ToolException">The change must not be made.</exception>
    public void CheckCanChange(string fullPath, string relativePath, FileStamp current)
    {
        if (_ledger.Problem(_sessionId, fullPath, relativePath, current) is not { } problem)
        {
            return;
        }

        if (!DryRun)
        {
            throw new ToolException(problem);
        }

        _refusals.Add(problem);
    }

    /// <summary>Records that the file was shown to the model.</summary>
    /// <param name="fullPath">The real full path.</param>
    /// <param name="stamp">What it looked like.</param>
    public void RecordViewed(string fullPath, FileStamp stamp) => _ledger.Record(_sessionId, fullPath, stamp, "viewed");

    /// <summary>Records that the call wrote <paramref name="bytes"/> to the file (a later edit needs no new view).</summary>
    /// <param name="fullPath">The real full path.</param>
    /// <param name="bytes">The bytes written.</param>
    public void RecordWritten(string fullPath, ReadOnlySpan<byte> bytes) => _ledger.Record(_sessionId, fullPath, FileStamp.Of(fullPath, bytes), "changed");

    /// <summary>Moves the ledger records of a moved file or folder.</summary>
    /// <param name="from">The old real path.</param>
    /// <param name="to">The new real path.</param>
    public void RecordMoved(string from, string to) => _ledger.Rename(_sessionId, from, to);

    /// <summary>Forgets the ledger records of a deleted file or folder.</summary>
    /// <param name="fullPath">The real path.</param>
    public void RecordDeleted(string fullPath) => _ledger.Forget(_sessionId, fullPath);
}
