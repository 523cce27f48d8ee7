using System.Collections.Concurrent;
using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions.Gate;

/// <summary>
/// The read decision for one file, as a tool that returns the content of several files (grep, git diffs) asks it
/// through <see cref="ToolContext.CheckRead"/>: the same decision the permission engine makes for a single-path read
/// (<c>read(…)</c> deny and ask rules, the safety floor, the sandbox) in the mode the call started in. A read that would
/// ask is not allowed (a multi-file tool cannot prompt per file) unless a session grant covers it.
/// </summary>
/// <remarks>
/// One instance per tool call; thread-safe. A file inside the project root with no symbolic link on the way is decided
/// on its path as it is: without the engine when no <c>read</c> deny or ask rule is configured (the floor is still
/// checked), and otherwise by the engine's decision for a path known to be real
/// (<see cref="PermissionEngine.DecideKnownRealRead"/>: the same rules, without resolving the path again). So a search
/// over many files costs one <c>readlink</c> per file (<see cref="Check"/>) or none (<see cref="CheckWalkedFile"/>, for
/// files a walk listed as regular files) plus one <c>lstat</c> per folder, with or without rules; everything else
/// (a link on the way, <c>..</c>, a path outside the root) is decided by the engine resolving the path, and
/// remembered per path.
/// </remarks>
public sealed class ReadAccessCheck
{
    private readonly RulePermissionGate _rules;
    private readonly PermissionEngine _engine;
    private readonly PermissionMode _mode;
    private readonly SessionGrants? _grants;
    private readonly string _sessionId;
    private readonly string _callId;
    private readonly string? _workspaceRoot;
    private readonly bool _readRules;
    private readonly SafetyFloor? _floor;
    private readonly ConcurrentDictionary<string, ReadAccess> _decided = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _realFolders = new(StringComparer.Ordinal);

    private ReadAccessCheck(RulePermissionGate rules, PermissionMode mode, SessionGrants? grants, string sessionId, string callId, string? workspaceRoot)
    {
        _rules = rules;
        _engine = rules.EngineFor(workspaceRoot);
        _mode = mode;
        _grants = grants;
        _sessionId = sessionId;
        _callId = callId;
        _workspaceRoot = workspaceRoot;
        // A session's allow or deny globs are read rules too: the fast path below would skip them.
        _readRules = _engine.Policy.Rules.Any(rule => rule.List is RuleList.Deny or RuleList.Ask && rule.Target == RuleTarget.Read)
            || _engine.Policy.SessionLayers.Any(layer => layer.AllowRules.Count > 0 || layer.DenyRules.Count > 0);
        _floor = _engine.Policy.SafetyFloor ? SafetyFloor.For(_engine.Home) : null;
    }

    /// <summary>The check for one call decided by <paramref name="gate"/>, or <see langword="null"/> for a gate without rules.</summary>
    /// <param name="gate">The pipeline's gate.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="callId">The call.</param>
    /// <param name="workspaceRoot">The call's root.</param>
    /// <returns>The check, as the <see cref="ToolContext.ReadAccessKey"/> value.</returns>
    public static Func<string, ReadAccess>? For(IToolPermissionGate gate, string sessionId, string callId, string? workspaceRoot) =>
        Create(gate, sessionId, callId, workspaceRoot) is { } check ? check.Check : null;

    /// <summary>
    /// The check for one call decided by <paramref name="gate"/>, or <see langword="null"/> for a gate without rules:
    /// <see cref="Check"/> is the <see cref="ToolContext.ReadAccessKey"/> value, <see cref="CheckWalkedFile"/> the
    /// <see cref="ToolContext.WalkedFileReadAccessKey"/> value.
    /// </summary>
    /// <param name="gate">The pipeline's gate.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="callId">The call.</param>
    /// <param name="workspaceRoot">The call's root.</param>
    /// <returns>The check.</returns>
    public static ReadAccessCheck? Create(IToolPermissionGate gate, string sessionId, string callId, string? workspaceRoot) => gate switch
    {
        SessionPermissionGate session => new ReadAccessCheck(session.Rules, session.Mode, session.Grants, sessionId, callId, workspaceRoot),
        RulePermissionGate rules => new ReadAccessCheck(rules, rules.Mode, null, sessionId, callId, workspaceRoot),
        _ => null,
    };

    /// <summary>Decides one file.</summary>
    /// <param name="path">Absolute, or relative to the root.</param>
    /// <returns>The decision.</returns>
    public ReadAccess Check(string path)
    {
        if (FullPath(path, out var full) is { } invalid)
        {
            return invalid;
        }

        return _decided.TryGetValue(full, out var known) ? known : _decided.GetOrAdd(full, Decide(full));
    }

    /// <summary>
    /// Decides one file that a tool's directory walk listed as a regular file (not a symbolic link): the same decision
    /// as <see cref="Check"/>, without asking the file system whether the file itself is a link (the caller's open
    /// refuses one, <see cref="ToolContext.CheckWalkedFileRead(Microsoft.Extensions.AI.AIFunctionArguments, string)"/>). Its folder is still resolved (once per folder) and
    /// must be inside the root with no link on the way; the safety floor, the rules, the sandbox and the mode apply as
    /// in <see cref="Check"/>, which decides every file that is not that plain case.
    /// </summary>
    /// <param name="path">Absolute, as the walk built it (the listed folder joined with the entry's name).</param>
    /// <returns>The decision.</returns>
    public ReadAccess CheckWalkedFile(string path)
    {
        if (FullPath(path, out var full) is { } invalid)
        {
            return invalid;
        }

        // Not remembered: each walked file is decided once, and a decision made without the link check must never
        // answer a later Check of the same path (which may be a model's, after the file became a link).
        return InPlainFolder(full) ? DecideReal(full) : Check(full);
    }

    /// <summary>
    /// Decides one file that a tool's walk reached by descriptor from the folder <paramref name="walkStart"/>: every
    /// folder below the start opened inside its parent refusing a link, the file listed as a regular file and opened in
    /// its folder refusing a link (<see cref="ToolContext.CheckWalkedFileRead(Microsoft.Extensions.AI.AIFunctionArguments, string, string)"/>).
    /// Only the start folder is resolved (once, remembered as every folder is), so no folder between it and the file
    /// costs a system call; the safety floor, the rules, the sandbox and the mode apply as in <see cref="Check"/>. A file
    /// not below the start, or a start that is not a plain folder inside the root, is decided as <see cref="CheckWalkedFile"/>
    /// decides it.
    /// </summary>
    /// <param name="path">Absolute, as the walk built it (the start joined with the listed names).</param>
    /// <param name="walkStart">Absolute: the folder the walk started from.</param>
    /// <returns>The decision.</returns>
    public ReadAccess CheckWalkedTreeFile(string path, string walkStart)
    {
        if (FullPath(path, out var full) is { } invalid)
        {
            return invalid;
        }

        // Not remembered, as in CheckWalkedFile.
        return FullPath(walkStart, out var start) is null && IsBelow(full, start) && IsPlainStart(start) ? DecideReal(full) : CheckWalkedFile(full);
    }

    /// <summary>Whether <paramref name="full"/> names an entry below the folder <paramref name="folder"/> (both absolute and normalised).</summary>
    private static bool IsBelow(string full, string folder)
    {
        var length = folder.Length > 1 && folder.EndsWith(Path.DirectorySeparatorChar) ? folder.Length - 1 : folder.Length;
        return full.Length > length + 1 && full.StartsWith(folder.AsSpan(0, length), StringComparison.Ordinal) && full[length] == Path.DirectorySeparatorChar;
    }

    /// <summary>Whether a walk's start folder is the root, or a folder below it whose real path is itself (no link on the way).</summary>
    private bool IsPlainStart(string start)
    {
        var root = _engine.Root;
        var folder = start.Length > 1 ? start.TrimEnd(Path.DirectorySeparatorChar) : start;
        var inside = string.Equals(folder, root.Length > 1 ? root.TrimEnd(Path.DirectorySeparatorChar) : root, StringComparison.Ordinal) || IsBelow(folder, root);
        return inside && string.Equals(RealFolder(folder), folder, StringComparison.Ordinal);
    }

    /// <summary>The absolute form of <paramref name="path"/> under the root, or the denial of a path that is not valid.</summary>
    private ReadAccess? FullPath(string path, out string full)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            full = Path.GetFullPath(path, _engine.Root);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            full = string.Empty;
            return ReadAccess.Deny($"'{path}' is not a valid path ({ex.Message})");
        }
    }

    private ReadAccess Decide(string full) => Plain(full) is { } real ? DecideReal(real) : Decided(full, known: false);

    /// <summary>
    /// The decision for a file inside the root whose real path is <paramref name="real"/> itself: when <c>read</c> deny
    /// or ask rules are configured, the engine's decision for a path known to be real
    /// (<see cref="PermissionEngine.DecideKnownRealRead"/>: the floor and the rules, without resolving the path again);
    /// otherwise the safety floor, and the read is allowed.
    /// </summary>
    private ReadAccess DecideReal(string real)
    {
        if (_readRules)
        {
            return Decided(real, known: true);
        }

        return _floor?.CheckPath(real, real, write: false) is { } floor ? ReadAccess.Deny(floor) : ReadAccess.Allow;
    }

    private ToolPermissionRequest Request(string full) =>
        new(_sessionId, _callId, "read", string.Empty, ToolEffect.Read, new ToolCallDescription("read", full)) { WorkspaceRoot = _workspaceRoot };

    /// <summary>The engine's decision in the call's mode, an ask allowed only by a session grant; <paramref name="known"/> when the path is known to be real.</summary>
    private ReadAccess Decided(string full, bool known)
    {
        var decision = Engine(full, _mode, known);
        switch (decision.Verdict)
        {
            case Verdict.Allow:
                return ReadAccess.Allow;
            case Verdict.Ask when _grants?.Covers(Request(full), decision, out _) == true:
                return ReadAccess.Allow;
            case Verdict.Ask:
                return ReadAccess.Deny($"{decision.Reason}; reading it needs approval, which a tool returning several files cannot ask for");
            default:
                // As the session gate does: in dont-ask mode a read a person already granted for the session still holds.
                return _mode == PermissionMode.DontAsk && _grants is { Rules.Count: > 0 } && _grants.Covers(Request(full), Engine(full, PermissionMode.Ask, known), out _)
                    ? ReadAccess.Allow
                    : ReadAccess.Deny(decision.Reason);
        }
    }

    /// <summary>
    /// The engine's decision for a read of <paramref name="full"/>: for a path known to be real the call the gate would
    /// make for <see cref="Request"/> (<see cref="RulePermissionGate.CallOf"/>), built directly.
    /// </summary>
    private PermissionDecision Engine(string full, PermissionMode mode, bool known) =>
        known
            ? _engine.DecideKnownRealRead(new PermissionCall("read", ToolEffect.Read, full) { Plugin = string.Empty, Action = "read" }, mode)
            : _rules.Decide(Request(full), mode);

    /// <summary>The real path of a file inside the root reached without any symbolic link, or <see langword="null"/>.</summary>
    private string? Plain(string full)
    {
        if (!InPlainFolder(full))
        {
            return null;
        }

        try
        {
            return new FileInfo(full).LinkTarget is null ? full : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="full"/> lies below the root in a folder whose real path is itself (no link on the way).</summary>
    private bool InPlainFolder(string full)
    {
        var root = _engine.Root;
        if (!full.StartsWith(root, StringComparison.Ordinal) || full.Length <= root.Length || (full[root.Length] != Path.DirectorySeparatorChar && !root.EndsWith(Path.DirectorySeparatorChar)))
        {
            return false;
        }

        var folder = Path.GetDirectoryName(full);
        return folder is not null && string.Equals(RealFolder(folder), folder, StringComparison.Ordinal);
    }

    /// <summary>
    /// The real path of a folder inside the root, remembered per folder. When the parent's real path is the parent
    /// itself (no link on the way), only the last part is checked: the same answer as resolving the whole path again
    /// (<see cref="WorkspacePaths.RealPath"/>), in one system call (<c>lstat</c>) instead of two per part of the path.
    /// </summary>
    private string RealFolder(string folder)
    {
        if (_realFolders.TryGetValue(folder, out var known))
        {
            return known;
        }

        string real;
        try
        {
            var parent = Path.GetDirectoryName(folder);
            real = parent is not null && folder.Length > _engine.Root.Length
                && string.Equals(RealFolder(parent), parent, StringComparison.Ordinal)
                && IsPlainDirectory(folder)
                    ? folder
                    : WorkspacePaths.RealPath(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            real = string.Empty; // A link loop or a folder that may not be looked at: never plain; the engine decides.
        }

        return _realFolders.GetOrAdd(folder, real);
    }

    /// <summary>
    /// Whether <paramref name="folder"/> is a folder and not a symbolic link, from one <c>lstat</c> (the attributes of
    /// a link carry <see cref="FileAttributes.ReparsePoint"/>; a missing entry has none of them).
    /// </summary>
    private static bool IsPlainDirectory(string folder)
    {
        var attributes = new DirectoryInfo(folder).Attributes;
        return (int)attributes != -1 && (attributes & (FileAttributes.Directory | FileAttributes.ReparsePoint)) == FileAttributes.Directory;
    }
}
