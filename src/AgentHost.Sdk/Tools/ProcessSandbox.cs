namespace AgentHost.Sdk.Tools;

/// <summary>
/// The operating-system sandbox the host wants around the processes a call makes run (a shell command, a background
/// job): the file system read-only except <see cref="WritablePaths"/>, <see cref="ReadOnlyPaths"/> kept read-only inside
/// them, <see cref="HiddenPaths"/> (credential stores) invisible, and no network unless <see cref="AllowNetwork"/>.
/// The host puts it in <see cref="ToolContext.SandboxKey"/> for tools whose metadata says
/// <see cref="ToolMetadata.Sandboxed"/>; such a tool starts its processes inside it (<see cref="ToolContext.GetProcessSandbox"/>).
/// </summary>
/// <remarks>Immutable and thread-safe. Paths are absolute.</remarks>
public sealed class ProcessSandbox
{
    /// <summary>The backend's name: <c>bubblewrap</c> (Linux), <c>sandbox-exec</c> (macOS) or <c>none</c>.</summary>
    public required string Backend { get; init; }

    /// <summary>The backend program's absolute path, or <see langword="null"/> when it cannot run here (<see cref="UnavailableReason"/> says why).</summary>
    public string? ProgramPath { get; init; }

    /// <summary>The backend's version, when known (<c>0.8.0</c>).</summary>
    public string? Version { get; init; }

    /// <summary>Why the backend cannot run here, when it cannot.</summary>
    public string? UnavailableReason { get; init; }

    /// <summary>Whether a process may not run at all without the sandbox (<c>sandbox.mode: required</c>).</summary>
    public bool Required { get; init; }

    /// <summary>The folders the process may write (the workspace, extra folders); everything else is read-only.</summary>
    public IReadOnlyList<string> WritablePaths { get; init; } = [];

    /// <summary>Folders and files inside <see cref="WritablePaths"/> kept read-only (<c>.git/hooks</c>, <c>.git/config</c>, the agent's configuration).</summary>
    public IReadOnlyList<string> ReadOnlyPaths { get; init; } = [];

    /// <summary>Folders and files the process cannot see (credential stores): an empty folder or an empty file in their place.</summary>
    public IReadOnlyList<string> HiddenPaths { get; init; } = [];

    /// <summary>Whether the process keeps the host's network (otherwise it gets a network of its own with nothing in it).</summary>
    public bool AllowNetwork { get; init; }

    /// <summary>The session's own temporary folder (writable, and <c>TMPDIR</c> inside), when there is one.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Whether the backend can run here.</summary>
    public bool IsAvailable => ProgramPath is not null;

    /// <summary>The same sandbox with or without the network.</summary>
    /// <param name="allow">Whether the network is kept.</param>
    /// <returns>The sandbox.</returns>
    public ProcessSandbox WithNetwork(bool allow) => allow == AllowNetwork ? this : new ProcessSandbox
    {
        Backend = Backend,
        ProgramPath = ProgramPath,
        Version = Version,
        UnavailableReason = UnavailableReason,
        Required = Required,
        WritablePaths = WritablePaths,
        ReadOnlyPaths = ReadOnlyPaths,
        HiddenPaths = HiddenPaths,
        AllowNetwork = allow,
        TempDirectory = TempDirectory,
    };

    /// <summary>How a process runs in it, in a few words: <c>bubblewrap 0.8.0 (no network)</c>, or <c>not sandboxed: …</c>.</summary>
    /// <returns>The text.</returns>
    public string Describe() => IsAvailable
        ? $"{Backend}{(Version is null ? string.Empty : " " + Version)} ({(AllowNetwork ? "network allowed" : "no network")})"
        : $"not sandboxed: {UnavailableReason ?? "no sandbox backend"}";

    /// <inheritdoc />
    public override string ToString() => Describe();
}
