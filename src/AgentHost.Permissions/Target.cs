using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions;

/// <summary>What a target of a permission decision is.</summary>
internal enum TargetKind
{
    Command,
    Read,
    Write,
    Fetch,
    Tool,
}

/// <summary>
/// One thing a call does that is decided on its own: a command of a shell line, a path read or written (with every
/// real path it may mean), a fetch, or the tool itself. Made by <see cref="PathSandbox"/> (paths),
/// <see cref="ShellTargets"/> (shell lines) and <see cref="PermissionEngine"/>; read by <see cref="RuleMatcher"/> and
/// <see cref="RuleSuggestions"/>.
/// </summary>
internal sealed record Target(TargetKind Kind, string Subject)
{
    public ShellCommandPart? Part { get; init; }

    public string? FullPath { get; init; }

    public string? LexicalPath { get; init; }

    /// <summary>Every real path the call may touch (all must be inside and allowed); empty when unknown.</summary>
    public IReadOnlyList<string> RealPaths { get; init; } = [];

    /// <summary>Every spelling of the path with <c>..</c> normalised but links not followed (deny rules see these too).</summary>
    public IReadOnlyList<string> LexicalPaths { get; init; } = [];

    /// <summary>Why the path can never be valid (a NUL character), or <see langword="null"/>.</summary>
    public string? Invalid { get; init; }

    public bool Outside { get; init; }

    /// <summary>The working directory relative paths are resolved against, or <see langword="null"/> when only known at run time.</summary>
    public string? BaseDirectory { get; init; }

    public bool Dynamic { get; init; }

    public bool ViaRedirect { get; init; }

    public string? Host { get; init; }

    public string? ToolSubject { get; init; }

    public string? Unparsed { get; init; }

    public ToolEffect Effect { get; init; }

    public string KindName => Kind switch
    {
        TargetKind.Command => "command",
        TargetKind.Read => "read",
        TargetKind.Write => "write",
        TargetKind.Fetch => "fetch",
        _ => "tool",
    };

    public string Display => FullPath is { } full && !string.Equals(full, Subject, StringComparison.Ordinal) ? $"{Subject} ({full})" : Subject;
}
