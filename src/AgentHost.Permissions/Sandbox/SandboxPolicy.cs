using AgentHost.Hosting;
using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions.Sandbox;

/// <summary>
/// What the operating-system sandbox contains for one run: the <see cref="ProcessSandbox"/> handed to sandboxed tools
/// (the shell, its background jobs) and workflow shell nodes. Writable: the workspace, the extra folders and the
/// session's temporary folder. Read-only inside them, and kept from being made where absent (<see cref="SandboxPlaces"/>):
/// the git folder's redirecting files (<c>hooks/</c>, <c>info/</c>, <c>config</c>, <c>config.worktree</c>,
/// <c>commondir</c>), the agent's configuration (<c>.agent/</c>, <c>.agents/</c>, <c>.claude/</c>, <c>.mcp.json</c>),
/// project skill folders, <c>.husky/</c>, the <c>core.hooksPath</c> folder and every user-level protected place
/// (<see cref="ProtectedPaths"/>). Hidden: the credential stores the safety floor keeps (<see cref="CredentialStores"/>),
/// the agent's own records (<see cref="SandboxLayout"/>; on a server also its data folder, socket and other roots) and
/// the <c>.env</c> files no read rule allows. No network, unless every part of the command matches
/// a <c>sandbox.network</c> rule — or, with <c>sandbox.network_domains</c>, only those domains, through the host's
/// filtering proxy (<see cref="SandboxNetworkProxy"/>, started at the first command that uses it).
/// </summary>
/// <remarks>
/// Thread-safe; computed once per run (the folders are looked up when it is made). <see cref="Dispose"/> stops the
/// network proxy (the session's end); a process's end stops it too (it is a socket of the host's process).
/// </remarks>
public sealed class SandboxPolicy : IDisposable
{
    /// <summary>The proxy socket's file name in the session's temporary folder.</summary>
    public const string ProxySocketName = "proxy.sock";

    private readonly PermissionEngine? _network;
    private readonly Lock _proxyGate = new();
    private SandboxNetworkProxy? _proxy;
    private string? _proxyFailure;
    private bool _disposed;
    private readonly ProcessSandbox? _paths;
    private readonly Lazy<Task<ProcessSandbox>>? _sandbox;

    /// <summary>Creates the policy.</summary>
    /// <param name="settings">The <c>sandbox</c> settings.</param>
    /// <param name="probe">
    /// Finds the backend (only its backend fields are read), called once, at the first sandboxed call (so a run that runs
    /// nothing pays nothing); not called when the mode is off. <see langword="null"/>: no backend.
    /// </param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="homeDirectory">The home directory.</param>
    /// <param name="extraDirectories">More writable folders (<c>permissions.extra_dirs</c>, absolute).</param>
    /// <param name="protectedPaths">The user's protected places (kept read-only).</param>
    /// <param name="tempDirectory">
    /// The session's temporary folder, or <see langword="null"/>: created (owner-only) at the first call that runs in the
    /// sandbox, so a session that runs nothing sandboxed leaves nothing in the system's temporary folder.
    /// </param>
    /// <param name="layout">
    /// The agent's own places to hide (<see cref="SandboxLayout.ForAgent"/>: its records and key store; on a server
    /// <see cref="SandboxLayout.ForServer"/>: also its data folder, socket and other roots), or <see langword="null"/>.
    /// </param>
    public SandboxPolicy(
        SandboxSettings settings,
        Func<CancellationToken, Task<ProcessSandbox>>? probe,
        string workspaceRoot,
        string homeDirectory,
        IEnumerable<string>? extraDirectories = null,
        ProtectedPaths? protectedPaths = null,
        string? tempDirectory = null,
        SandboxLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(workspaceRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(homeDirectory);
        Settings = settings;
        if (settings.Mode == SandboxMode.Off)
        {
            return;
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspaceRoot));
        var home = Path.TrimEndingDirectorySeparator(Path.GetFullPath(homeDirectory));
        List<string> writable = [root, .. (extraDirectories ?? []).Select(directory => Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory, root)))];
        _paths = new ProcessSandbox
        {
            Backend = "none",
            Required = settings.Mode == SandboxMode.Required,
            WritablePaths = writable,
            ReadOnlyPaths = [.. SandboxPlaces.ReadOnly(writable, home, protectedPaths ?? ProtectedPaths.Default(home), layout).Distinct(StringComparer.Ordinal)],
            HiddenPaths = [.. CredentialStores.HiddenBelow(home).Concat(layout?.HiddenFor(writable) ?? []).Distinct(StringComparer.Ordinal)],
            AbsentPaths = [.. SandboxPlaces.KeptAbsent(writable).Distinct(StringComparer.Ordinal)],
            TempDirectory = tempDirectory,
        };
        _sandbox = new Lazy<Task<ProcessSandbox>>(() => CompleteAsync(_paths, probe));
        _network = settings.Network.Rules.Count == 0 ? null : new PermissionEngine(settings.Network, root, home);
    }

    /// <summary>The settings.</summary>
    public SandboxSettings Settings { get; }

    /// <summary>
    /// The permission rules that decide, per file, whether a project's <c>.env</c> file stays visible to a sandboxed
    /// command: only when a rule allows reading it (<c>allow: [read(.env)]</c>) — the mode's default does not count.
    /// <see langword="null"/>: every <c>.env</c> file is hidden.
    /// </summary>
    public PermissionEngine? ReadRules { get; init; }

    /// <summary>
    /// Test-only: the network proxy lets loopback addresses through its private-address guard (so a test's server on
    /// 127.0.0.1 can stand for an allowed domain). Set by the host from the <c>AGENTHOST_TEST_SANDBOX_PROXY_LOOPBACK</c>
    /// environment variable, never from configuration.
    /// </summary>
    public bool NetworkProxyAllowsLoopback { get; init; }

    /// <summary>How many network requests the proxy refused so far (a mark for <see cref="NetworkRefusalsSince"/>).</summary>
    public int NetworkRefusalMark
    {
        get
        {
            lock (_proxyGate)
            {
                return _proxy?.RefusalCount ?? 0;
            }
        }
    }

    /// <summary>
    /// The proxy's refusals since <paramref name="mark"/>: those of every sandboxed command of the policy in that time
    /// (commands running at once share the proxy, so a refusal is not tied to one of them).
    /// </summary>
    /// <param name="mark">A <see cref="NetworkRefusalMark"/> read earlier.</param>
    /// <returns>The refusals, oldest first.</returns>
    public IReadOnlyList<SandboxNetworkRefusal> NetworkRefusalsSince(int mark)
    {
        lock (_proxyGate)
        {
            return _proxy?.RefusalsSince(mark) ?? [];
        }
    }

    /// <summary>
    /// Whether <see cref="Dispose"/> also removes the temporary folder with what its processes left there: set by the
    /// owner of a folder no other policy uses (an MCP servers' or a root's language servers'), never for a session's,
    /// whose background jobs may outlive one run's policy.
    /// </summary>
    public bool RemovesTempDirectory { get; init; }

    /// <summary>Stops the network proxy, if it was started (no listener is left), and removes an owned temporary folder.</summary>
    public void Dispose()
    {
        lock (_proxyGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _proxy?.Dispose();
        }

        if (RemovesTempDirectory && _paths?.TempDirectory is { } temp)
        {
            RemoveFolder(temp);
        }
    }

    private static void RemoveFolder(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the system's temporary-folder cleaning: a process that outlived its servers may still hold a file.
        }
    }

    /// <summary>Whether processes go into the sandbox at all (the mode is not off).</summary>
    public bool Enabled => _paths is not null;

    /// <summary>
    /// The sandbox without the network (the backend probed on first use), or <see langword="null"/> when the mode is off.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The sandbox.</returns>
    public async ValueTask<ProcessSandbox?> GetBaseAsync(CancellationToken cancellationToken = default)
    {
        if (_paths is null)
        {
            return null;
        }

        return await _sandbox!.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sandbox's paths with the probed backend (probed without the caller's cancellation: it is shared and bounded).</summary>
    private static async Task<ProcessSandbox> CompleteAsync(ProcessSandbox paths, Func<CancellationToken, Task<ProcessSandbox>>? probe)
    {
        var backend = probe is null ? null : await probe(CancellationToken.None).ConfigureAwait(false);
        if (backend is { UnavailableReason: null } && paths.TempDirectory is { } temp)
        {
            CreateOwnerOnly(temp);
        }

        return new ProcessSandbox
        {
            Backend = backend?.Backend ?? "none",
            ProgramPath = backend?.ProgramPath,
            Version = backend?.Version,
            UnavailableReason = backend is null ? "no sandbox backend on this platform" : backend.UnavailableReason,
            Required = paths.Required,
            WritablePaths = paths.WritablePaths,
            ReadOnlyPaths = paths.ReadOnlyPaths,
            HiddenPaths = paths.HiddenPaths,
            AbsentPaths = paths.AbsentPaths,
            TempDirectory = paths.TempDirectory,
        };
    }

    private static void CreateOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            // The folder that holds it (a server's agent-serve-PID) is owner-only too: made first, explicitly.
            const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            if (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path)) is { } parent && !Directory.Exists(parent))
            {
                Directory.CreateDirectory(parent, OwnerOnly);
            }

            Directory.CreateDirectory(path, OwnerOnly);
        }
    }

    /// <summary>
    /// The one-line notice for a sandbox that cannot run here when the mode is auto
    /// (<c>sandbox: bubblewrap is not available here (…); commands run unsandboxed, …</c>), else <see langword="null"/>.
    /// </summary>
    /// <param name="sandbox">A call's sandbox.</param>
    /// <returns>The notice.</returns>
    public static string? NoticeFor(ProcessSandbox? sandbox) => sandbox is { IsAvailable: false, Required: false }
        ? $"sandbox: {sandbox.Backend} is not available here ({sandbox.UnavailableReason}); commands run unsandboxed, decided by the permission rules only (sandbox.mode: auto)"
        : null;

    /// <summary>
    /// The sandbox a shell command line runs in: the network only when every part matches a <c>sandbox.network</c>
    /// rule; otherwise, with <c>sandbox.network_domains</c>, those domains through the host's proxy (bubblewrap only).
    /// </summary>
    /// <param name="command">The command line, or <see langword="null"/> when the call has none.</param>
    /// <param name="workingDirectory">Where it starts (relative to the root, or absolute), when not the root.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The sandbox, or <see langword="null"/> when the mode is off.</returns>
    public async ValueTask<ProcessSandbox?> ForAsync(string? command, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var sandbox = (await GetBaseAsync(cancellationToken).ConfigureAwait(false))?.WithNetwork(command is not null && AllowsNetwork(command, workingDirectory));
        if (sandbox is { IsAvailable: true, AllowNetwork: false } && Settings.NetworkDomains.Count > 0)
        {
            sandbox = WithDomains(sandbox);
        }

        return sandbox is { IsAvailable: true } ? WithEnvFilesHidden(sandbox) : sandbox;
    }

    /// <summary>
    /// The sandbox a program the host starts on its own runs in (a stdio MCP server, a language server): as
    /// <see cref="ForAsync"/> for its command line written as a shell line of its quoted words, so that a
    /// <c>sandbox.network</c> rule such as <c>shell(npx *)</c> gives it the network.
    /// </summary>
    /// <param name="program">The program as configured (<c>npx</c>, <c>/usr/bin/node</c>).</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The sandbox, or <see langword="null"/> when the mode is off.</returns>
    public ValueTask<ProcessSandbox?> ForProgramAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        return ForAsync(string.Join(' ', arguments.Prepend(program).Select(QuoteWord)), cancellationToken: cancellationToken);
    }

    private static string QuoteWord(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@+,%".Contains(c, StringComparison.Ordinal)) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The <c>.env</c> files in the writable folders now (<see cref="EnvFiles"/>) that no read rule allows.</summary>
    /// <returns>Their paths.</returns>
    public IReadOnlyList<string> HiddenEnvFiles()
    {
        if (_paths is null)
        {
            return [];
        }

        return [.. _paths.WritablePaths.SelectMany(EnvFiles.Under).Where(path => !RuleAllowsReading(path)).Distinct(StringComparer.Ordinal)];
    }

    private bool RuleAllowsReading(string path) =>
        ReadRules?.Decide(new PermissionCall("read", ToolEffect.Read, path), PermissionMode.Ask) is { Verdict: Verdict.Allow, Basis: DecisionBasis.Rule };

    private ProcessSandbox WithEnvFilesHidden(ProcessSandbox sandbox)
    {
        var hidden = HiddenEnvFiles();
        return hidden.Count == 0 ? sandbox : sandbox.WithHiddenPaths(hidden);
    }

    /// <summary>The sandbox reaching the configured domains through the proxy, or saying why it cannot (then: no network).</summary>
    private ProcessSandbox WithDomains(ProcessSandbox sandbox)
    {
        var domains = Settings.NetworkDomains;
        if (sandbox.Backend != AgentHost.Common.Processes.Bubblewrap.Name)
        {
            return sandbox.WithNetworkProxy(null, null, domains, $"{SandboxSettings.NetworkDomainsKey} is not supported by {sandbox.Backend} yet");
        }

        if (AgentHost.Common.Processes.ProgramSearch.Find("socat") is not { } bridge)
        {
            return sandbox.WithNetworkProxy(null, null, domains, $"{SandboxSettings.NetworkDomainsKey} needs socat, which is not on PATH (install Debian's socat package)");
        }

        var (socket, failure) = EnsureProxy(sandbox.TempDirectory);
        return socket is null ? sandbox.WithNetworkProxy(null, null, domains, failure) : sandbox.WithNetworkProxy(socket, bridge, domains);
    }

    /// <summary>The proxy's socket, started at the first call that needs it; or why it cannot start.</summary>
    private (string? Socket, string? Failure) EnsureProxy(string? temp)
    {
        lock (_proxyGate)
        {
            if (_proxy is not null || _proxyFailure is not null || _disposed)
            {
                return (_proxy?.SocketPath, _proxyFailure ?? (_proxy is null ? "the session has ended" : null));
            }

            var path = temp is null ? null : Path.Combine(temp, ProxySocketName);
            if (path is null || !Directory.Exists(temp))
            {
                _proxyFailure = "the network proxy needs the session's temporary folder, and there is none";
            }
            else if (path.Length > 100 || !path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-'))
            {
                // The bridge (socat) reads the path inside an address: only plain characters, and a Unix socket's length limit.
                _proxyFailure = $"the network proxy's socket path '{path}' is too long or has characters the bridge cannot take (set TMPDIR to a short plain folder)";
            }
            else
            {
                try
                {
                    _proxy = SandboxNetworkProxy.Start(path, Settings.NetworkDomains, NetworkProxyAllowsLoopback);
                }
                catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
                {
                    _proxyFailure = $"the network proxy could not listen on {path} ({ex.Message})";
                }
            }

            return (_proxy?.SocketPath, _proxyFailure);
        }
    }

    /// <summary>Whether every part of <paramref name="command"/> matches a <c>sandbox.network</c> rule (a line not fully understood never does).</summary>
    /// <param name="command">The command line.</param>
    /// <param name="workingDirectory">Where it starts, when not the root.</param>
    /// <returns>Whether it keeps the network.</returns>
    public bool AllowsNetwork(string command, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_network is not { } engine)
        {
            return false;
        }

        // Network rules name commands: the line's redirections (files, /dev/tcp) are the permission rules' business.
        var decision = engine.Decide(new PermissionCall("shell", ToolEffect.Execute, command) { WorkingDirectory = workingDirectory }, PermissionMode.AcceptEdits);
        return decision.Verdict == Verdict.Allow
            || (decision.Parts.Any(IsCommand) && decision.Parts.Where(IsCommand).All(part => part.Verdict == Verdict.Allow));
    }

    private static bool IsCommand(PermissionDecision part) => part.Kind == "command";

    /// <summary>
    /// <c>sandbox.auto_allow</c>'s decision, the one the session's gate and <c>agent permissions check</c> both apply: in
    /// <c>ask</c> and <c>accept-edits</c> modes a call that asks, of a sandboxed tool that the sandbox contains (its
    /// backend runs here and the command keeps no network), runs without the question when only the mode's default asked
    /// — every asking part decided by <see cref="DecisionBasis.Mode"/>, so an ask rule, a protected path, a path outside
    /// the workspace or a line not fully understood still asks. Deny rules and the safety floor decided before.
    /// </summary>
    /// <param name="autoAllow">Whether <c>sandbox.auto_allow</c> is on.</param>
    /// <param name="mode">The session's mode.</param>
    /// <param name="sandbox">The call's sandbox (<see langword="null"/> when the mode is off or the tool is not sandboxed).</param>
    /// <param name="decision">The rules' decision for the call.</param>
    /// <returns>The reason it runs without asking, or <see langword="null"/> when the decision stands.</returns>
    public static string? AutoAllowReason(bool autoAllow, PermissionMode mode, ProcessSandbox? sandbox, PermissionDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (!autoAllow || mode is not (PermissionMode.Ask or PermissionMode.AcceptEdits) || decision.Verdict != Verdict.Ask
            || sandbox is not { IsAvailable: true, AllowNetwork: false } || !OnlyTheModeAsks(decision))
        {
            return null;
        }

        return $"allowed without asking: the sandbox contains it ({sandbox.Describe()}; sandbox.auto_allow)";
    }

    /// <summary>The scope a decision of <see cref="AutoAllowReason"/> is audited and reported with.</summary>
    public const string AutoAllowScope = "sandbox-auto";

    private static bool OnlyTheModeAsks(PermissionDecision decision) => decision.Parts.Count == 0
        ? decision.Verdict != Verdict.Ask || decision.Basis == DecisionBasis.Mode
        : decision.Parts.All(OnlyTheModeAsks);

    /// <summary>Describes the sandbox a call gets, for events and the audit: <c>bubblewrap 0.8.0 (no network)</c>, <c>not sandboxed: …</c> or <c>off</c>.</summary>
    /// <param name="sandbox">The call's sandbox, or <see langword="null"/> when the mode is off.</param>
    /// <returns>The text.</returns>
    public static string Describe(ProcessSandbox? sandbox) => sandbox?.Describe() ?? "off (sandbox.mode: off)";
}
