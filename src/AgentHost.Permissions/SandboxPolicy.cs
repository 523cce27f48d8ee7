using AgentHost.Hosting;
using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions;

/// <summary>
/// What the operating-system sandbox contains for one run: the <see cref="ProcessSandbox"/> handed to sandboxed tools
/// (the shell, its background jobs) and workflow shell nodes. Writable: the workspace, the extra folders and the
/// session's temporary folder. Read-only inside them: the git folder's <c>hooks</c> and <c>config</c>, the agent's
/// configuration (<c>.agent/</c>), project skill folders, <c>.husky/</c>, the <c>core.hooksPath</c> folder and every
/// user-level protected place (<see cref="ProtectedPaths"/>). Hidden: the credential stores the safety floor keeps
/// (<see cref="CredentialStores"/>) and the agent's own key store. No network, unless every part of the command matches
/// a <c>sandbox.network</c> rule.
/// </summary>
/// <remarks>Immutable and thread-safe; computed once per run (the folders are looked up when it is made).</remarks>
public sealed class SandboxPolicy
{
    private readonly PermissionEngine? _network;
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
    /// <param name="tempDirectory">The session's temporary folder, or <see langword="null"/>.</param>
    /// <param name="hiddenPaths">More files or folders to hide (the agent's key store).</param>
    public SandboxPolicy(
        SandboxSettings settings,
        Func<CancellationToken, Task<ProcessSandbox>>? probe,
        string workspaceRoot,
        string homeDirectory,
        IEnumerable<string>? extraDirectories = null,
        ProtectedPaths? protectedPaths = null,
        string? tempDirectory = null,
        IEnumerable<string>? hiddenPaths = null)
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
            ReadOnlyPaths = [.. ReadOnlyPlaces(writable, home, protectedPaths ?? ProtectedPaths.Default(home))],
            HiddenPaths = [.. CredentialStores.HiddenBelow(home).Concat(hiddenPaths ?? []).Distinct(StringComparer.Ordinal)],
            TempDirectory = tempDirectory,
        };
        _sandbox = new Lazy<Task<ProcessSandbox>>(() => CompleteAsync(_paths, probe));
        _network = settings.Network.Rules.Count == 0 ? null : new PermissionEngine(settings.Network, root, home);
    }

    /// <summary>The settings.</summary>
    public SandboxSettings Settings { get; }

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
            TempDirectory = paths.TempDirectory,
        };
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

    /// <summary>The sandbox a shell command line runs in: the network only when every part matches a <c>sandbox.network</c> rule.</summary>
    /// <param name="command">The command line, or <see langword="null"/> when the call has none.</param>
    /// <param name="workingDirectory">Where it starts (relative to the root, or absolute), when not the root.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The sandbox, or <see langword="null"/> when the mode is off.</returns>
    public async ValueTask<ProcessSandbox?> ForAsync(string? command, string? workingDirectory = null, CancellationToken cancellationToken = default) =>
        (await GetBaseAsync(cancellationToken).ConfigureAwait(false))?.WithNetwork(command is not null && AllowsNetwork(command, workingDirectory));

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

    /// <summary>Describes the sandbox a call gets, for events and the audit: <c>bubblewrap 0.8.0 (no network)</c>, <c>not sandboxed: …</c> or <c>off</c>.</summary>
    /// <param name="sandbox">The call's sandbox, or <see langword="null"/> when the mode is off.</param>
    /// <returns>The text.</returns>
    public static string Describe(ProcessSandbox? sandbox) => sandbox?.Describe() ?? "off (sandbox.mode: off)";

    private static IEnumerable<string> ReadOnlyPlaces(IReadOnlyList<string> writable, string home, ProtectedPaths protectedPaths)
    {
        foreach (var folder in writable)
        {
            foreach (var git in GitHooksPath.GitDirectories(folder))
            {
                yield return Path.Combine(git, "hooks");
                yield return Path.Combine(git, "config");
            }

            if (GitHooksPath.Read(folder, home) is { } hooksPath)
            {
                yield return hooksPath;
            }

            yield return Path.Combine(folder, ".agent");
            yield return Path.Combine(folder, ".husky");
            foreach (var skills in ProjectSkillFolders.All.Append(".claude"))
            {
                yield return Path.Combine(folder, skills);
            }
        }

        foreach (var area in protectedPaths.Areas)
        {
            yield return area.Path;
        }
    }
}
