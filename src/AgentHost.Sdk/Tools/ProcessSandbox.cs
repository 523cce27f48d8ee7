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

    /// <summary>
    /// Folders and files the process cannot see (credential stores, the agent's own records, <c>.env</c> files, on a
    /// server the server's data folder and other users' roots): an empty folder or an empty file in their place.
    /// Writable and read-only paths inside a hidden folder stay reachable (the deepest place decides).
    /// </summary>
    public IReadOnlyList<string> HiddenPaths { get; init; } = [];

    /// <summary>
    /// Places inside <see cref="WritablePaths"/> that do not exist yet and must not be made by the process (a project's
    /// <c>.agent/</c>, <c>.mcp.json</c>, the git folder's <c>hooks/</c> or <c>commondir</c>). With bubblewrap a folder is
    /// kept absent by an empty read-only folder in its place (which stays behind as an empty folder), git's
    /// <c>commondir</c> and <c>config.worktree</c> by a read-only file of the content git reads as absent (<c>.</c>, and
    /// empty), and any other file cannot be (an empty file would change what the agent reads), so one the process made
    /// there is renamed aside (<c>NAME.sandbox-created</c>) by the launcher when the process ends; with sandbox-exec
    /// none can be made. Places that exist belong in <see cref="ReadOnlyPaths"/>.
    /// </summary>
    public IReadOnlyList<string> AbsentPaths { get; init; } = [];

    /// <summary>Whether the process keeps the host's network (otherwise it gets a network of its own with nothing in it).</summary>
    public bool AllowNetwork { get; init; }

    /// <summary>The session's own temporary folder (writable, and <c>TMPDIR</c> inside), when there is one.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>
    /// The host's filtering HTTP proxy's Unix socket (<c>sandbox.network_domains</c>), when the process without
    /// <see cref="AllowNetwork"/> reaches <see cref="NetworkDomains"/> through it: the backend bridges a port on the
    /// sandbox's own 127.0.0.1 to it (with <see cref="NetworkProxyBridge"/>) and sets <c>HTTP_PROXY</c>/<c>HTTPS_PROXY</c> inside.
    /// </summary>
    public string? NetworkProxySocket { get; init; }

    /// <summary>The program that bridges the sandbox's proxy port to <see cref="NetworkProxySocket"/> (<c>socat</c>'s absolute path).</summary>
    public string? NetworkProxyBridge { get; init; }

    /// <summary>The domains the proxy lets through (<c>github.com</c>, <c>*.npmjs.org</c>), for <see cref="Describe"/>.</summary>
    public IReadOnlyList<string> NetworkDomains { get; init; } = [];

    /// <summary>Why the configured domains are not reachable (no bridge program here), when they are configured but not bridged.</summary>
    public string? NetworkProxyUnavailableReason { get; init; }

    /// <summary>Whether the process reaches the network only through the host's filtering proxy.</summary>
    public bool UsesNetworkProxy => !AllowNetwork && NetworkProxySocket is not null && NetworkProxyBridge is not null;

    /// <summary>Whether the backend can run here.</summary>
    public bool IsAvailable => ProgramPath is not null;

    /// <summary>The same sandbox with or without the network.</summary>
    /// <param name="allow">Whether the network is kept.</param>
    /// <returns>The sandbox.</returns>
    public ProcessSandbox WithNetwork(bool allow) => allow == AllowNetwork ? this : Copy(allow, HiddenPaths, NetworkProxySocket, NetworkProxyBridge, NetworkDomains, NetworkProxyUnavailableReason);

    /// <summary>The same sandbox with more hidden paths.</summary>
    /// <param name="hidden">The paths to hide besides <see cref="HiddenPaths"/>.</param>
    /// <returns>The sandbox.</returns>
    public ProcessSandbox WithHiddenPaths(IEnumerable<string> hidden) =>
        Copy(AllowNetwork, [.. HiddenPaths, .. hidden ?? []], NetworkProxySocket, NetworkProxyBridge, NetworkDomains, NetworkProxyUnavailableReason);

    /// <summary>The same sandbox reaching <paramref name="domains"/> through the host's proxy (or, with <paramref name="unavailableReason"/>, saying why it cannot).</summary>
    /// <param name="socketPath">The proxy's Unix socket, or <see langword="null"/> when it is not bridged.</param>
    /// <param name="bridge">The bridge program's absolute path (<c>socat</c>), or <see langword="null"/>.</param>
    /// <param name="domains">The domains the proxy lets through.</param>
    /// <param name="unavailableReason">Why the domains are not reachable, when they are not.</param>
    /// <returns>The sandbox.</returns>
    public ProcessSandbox WithNetworkProxy(string? socketPath, string? bridge, IReadOnlyList<string> domains, string? unavailableReason = null) =>
        Copy(AllowNetwork, HiddenPaths, socketPath, bridge, domains ?? [], unavailableReason);

    private ProcessSandbox Copy(bool allow, IReadOnlyList<string> hidden, string? socket, string? bridge, IReadOnlyList<string> domains, string? proxyUnavailable) => new()
    {
        Backend = Backend,
        ProgramPath = ProgramPath,
        Version = Version,
        UnavailableReason = UnavailableReason,
        Required = Required,
        WritablePaths = WritablePaths,
        ReadOnlyPaths = ReadOnlyPaths,
        HiddenPaths = hidden,
        AbsentPaths = AbsentPaths,
        AllowNetwork = allow,
        TempDirectory = TempDirectory,
        NetworkProxySocket = socket,
        NetworkProxyBridge = bridge,
        NetworkDomains = domains,
        NetworkProxyUnavailableReason = proxyUnavailable,
    };

    /// <summary>
    /// How a process runs in it, in a few words: <c>bubblewrap 0.8.0 (no network)</c>,
    /// <c>bubblewrap 0.8.0 (network: github.com, *.npmjs.org only, through the host's proxy)</c>, or <c>not sandboxed: …</c>.
    /// </summary>
    /// <returns>The text.</returns>
    public string Describe() => IsAvailable
        ? $"{Backend}{(Version is null ? string.Empty : " " + Version)} ({NetworkText()})"
        : $"not sandboxed: {UnavailableReason ?? "no sandbox backend"}";

    private string NetworkText() =>
        AllowNetwork ? "network allowed"
        : UsesNetworkProxy ? $"network: {string.Join(", ", NetworkDomains)} only, through the host's proxy"
        : NetworkProxyUnavailableReason is { } reason ? $"no network: {reason}"
        : "no network";

    /// <inheritdoc />
    public override string ToString() => Describe();
}
