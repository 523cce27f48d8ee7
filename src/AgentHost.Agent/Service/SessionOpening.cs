using AgentHost.Agent.Hooks;
using AgentHost.Agent.Mcp;
using AgentHost.Agent.Memory;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Skills;
using AgentHost.Hosting;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;

namespace AgentHost.Agent.Service;

/// <summary>
/// A session's opening stage: what it read when it was opened (its stored settings, the user's trust, the permission
/// policy), and the parts it starts then and the session waits for later, each at a named point: project memory
/// (<see cref="MemoryAsync"/>), the skills catalog (<see cref="SkillsAsync"/>), the hooks (<see cref="HooksAsync"/>),
/// the MCP servers (<see cref="McpServersAsync"/>) and the skills' baseline (<see cref="BaselineAsync"/>, begun once
/// the first answer has begun). Each point is a phase of the startup trace of its name (<see cref="StartupActivities"/>):
/// <c>session.memory.wait</c>, <c>session.skills.wait</c>, <c>session.hooks.wait</c>, <c>session.mcp.wait</c>,
/// <c>session.baseline.wait</c>. Why each part runs where it runs, and what each wait costs:
/// docs/decisions/0020-session-opening-stage.md.
/// </summary>
/// <remarks>
/// Thread-safe. <see cref="DisposeAsync"/> ends what was started: the hooks' SessionEnd (once the session has begun,
/// <see cref="MarkBegun"/>) and the MCP servers. Memory, skills and hooks hold nothing to release: a session closed
/// before its first turn leaves their reads to finish on their own.
/// </remarks>
internal sealed class SessionOpening : IAsyncDisposable
{
    private readonly Task<LoadedProjectMemory?> _memory;
    private readonly Task<SkillSession?> _skills;
    private readonly Task<SessionHooks?> _hooks;
    private readonly Task<McpSessionServers> _mcp;

    /// <summary>The skills once read (written before <see cref="_skills"/> completes), for the points that must not wait.</summary>
    private SkillSession? _readSkills;

    private int _begun;
    private int _disposed;

    private SessionOpening(SessionServiceParts parts, SessionOptions options, string? existingId, IReadOnlyDictionary<string, string> settings)
    {
        var (runtime, configuration, environment) = (parts.Runtime, parts.Configuration, parts.Environment);
        ExistingId = existingId;
        Settings = settings;
        // Started in this order, on these threads (docs/decisions/0020-session-opening-stage.md): memory on the pool,
        // skills and hooks each on a thread of its own, then trust and policy on this thread, then the MCP servers.
        _memory = Task.Run(() => ProjectMemoryRun.Load(configuration, environment, options.WorkspaceRoot));
        _skills = OnOwnThread(() => _readSkills = SkillSession.Create(runtime, configuration, environment, options.WorkspaceRoot, parts.Time));
        _hooks = OnOwnThread(() =>
        {
            using var reading = StartupActivities.Start("session.open.hooks");
            return SessionHookSetup.Create(runtime, configuration, options.WorkspaceRoot, parts.Scrubber, parts.Time);
        });
        // Trust is read once per open session; the policy, the gate and the reference expander all use this copy.
        Trust = ProjectTrust.Load(AgentPaths.Resolve(environment), parts.Time);
        Policy = SessionPolicyLayer.Apply(PermissionPolicy.FromConfiguration(configuration, Trust), settings, configuration, runtime.Events);
        // In parallel and in the background, each server within its start timeout.
        _mcp = RunMcpServers.Start(runtime, configuration, environment, Trust, Policy, options.WorkspaceRoot, options.Sandbox, SessionShape.McpServers(options, settings, configuration), parts.ProcessEnvironment, parts.SandboxLayout, options.AddedMcpServers);
    }

    /// <summary>The stored session, or <see langword="null"/> for a new one (created at the first turn).</summary>
    public string? ExistingId { get; }

    /// <summary>The stored session's settings (empty for a new one), read once.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The user's trusted projects, read once.</summary>
    public ProjectTrust Trust { get; }

    /// <summary>The permission policy under that trust, as read at the open (the session narrows its own copy).</summary>
    public PermissionPolicy Policy { get; }

    /// <summary>The skills if their read is done, without waiting (<see langword="null"/> while it runs, or when skills are off).</summary>
    public SkillSession? SkillsIfRead => _skills.IsCompletedSuccessfully ? Volatile.Read(ref _readSkills) : null;

    /// <summary>Whether the skills are read and their baseline is not begun yet (the first answer begins it: <see cref="BeginBaseline"/>).</summary>
    public bool BaselinePending => SkillsIfRead is { Active.BaselineBegun: false };

    /// <summary>Starts a session's opening: reads what it needs now and starts its parts in the background.</summary>
    /// <param name="parts">The service's parts.</param>
    /// <param name="options">The session's options.</param>
    /// <param name="existingId">The stored session's id, or <see langword="null"/> for a new one.</param>
    /// <param name="settings">The stored session's settings (empty for a new one).</param>
    /// <returns>The opening; dispose it when the session closes.</returns>
    public static SessionOpening Start(SessionServiceParts parts, SessionOptions options, string? existingId, IReadOnlyDictionary<string, string> settings) =>
        new(parts, options, existingId, settings);

    /// <summary>Project memory (<see langword="null"/> when there is none to load).</summary>
    /// <param name="cancellationToken">Stops waiting (not the read).</param>
    /// <returns>The loaded memory.</returns>
    public async Task<LoadedProjectMemory?> MemoryAsync(CancellationToken cancellationToken = default)
    {
        using var waiting = StartupActivities.Start("session.memory.wait");
        return await _memory.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The skills catalog of the session (<see langword="null"/> when skills are turned off).</summary>
    /// <param name="cancellationToken">Stops waiting (not the read).</param>
    /// <returns>The session's skills.</returns>
    public async Task<SkillSession?> SkillsAsync(CancellationToken cancellationToken = default)
    {
        using var waiting = StartupActivities.Start("session.skills.wait");
        return await _skills.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The session's hooks (docs/hooks.md): <see langword="null"/> when none is active.</summary>
    /// <param name="cancellationToken">Stops waiting (not the read).</param>
    /// <returns>The hooks.</returns>
    public async Task<SessionHooks?> HooksAsync(CancellationToken cancellationToken = default)
    {
        using var waiting = StartupActivities.Start("session.hooks.wait");
        return await _hooks.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The session's MCP servers, once each has started, failed or been left to start in the background.</summary>
    /// <param name="cancellationToken">Stops waiting (not the servers' start).</param>
    /// <returns>The servers (<see cref="McpSessionServers.Empty"/> without any).</returns>
    public async Task<McpSessionServers> McpServersAsync(CancellationToken cancellationToken = default)
    {
        using var waiting = StartupActivities.Start("session.mcp.wait");
        return await _mcp.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The MCP servers if they have started, without waiting (<see langword="null"/> while they start).</summary>
    /// <returns>The servers, or <see langword="null"/>.</returns>
    public async ValueTask<McpSessionServers?> McpServersIfStartedAsync() =>
        _mcp.IsCompletedSuccessfully ? await _mcp.ConfigureAwait(false) : null;

    /// <summary>
    /// Begins taking the skills' baseline in the background if it is not begun (the first answer of the session calls
    /// it); nothing happens before the skills are read.
    /// </summary>
    public void BeginBaseline() => SkillsIfRead?.Active.BeginBaseline();

    /// <summary>
    /// The skills' baseline (every skill as it was before any tool of the session ran): no tool may run, and no skill
    /// be activated, before it is taken. Asked before every tool call: once taken it returns at once and records no
    /// phase; before, it waits (begins the baseline if nothing has).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (not the baseline).</param>
    /// <returns>The wait.</returns>
    public ValueTask BaselineAsync(CancellationToken cancellationToken = default) =>
        _skills.IsCompletedSuccessfully && SkillsIfRead is not { Active.BaselineTaken: false } ? ValueTask.CompletedTask : WaitForBaselineAsync(cancellationToken);

    /// <summary>The session has begun (its first turn built its run context): its hooks' SessionEnd runs when the opening is disposed.</summary>
    public void MarkBegun() => Volatile.Write(ref _begun, 1);

    /// <summary>Ends what the opening started: the hooks' SessionEnd (once the session has begun), then the MCP servers.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (Volatile.Read(ref _begun) == 1 && await _hooks.ConfigureAwait(false) is { } hooks)
        {
            await hooks.SessionEndAsync("other").ConfigureAwait(false);
        }

        await (await _mcp.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask WaitForBaselineAsync(CancellationToken cancellationToken)
    {
        using var waiting = StartupActivities.Start("session.baseline.wait");
        if (await _skills.WaitAsync(cancellationToken).ConfigureAwait(false) is { } skills)
        {
            await skills.Active.WaitForBaselineAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="read"/> on a thread of its own, not the pool's (docs/decisions/0020-session-opening-stage.md).</summary>
    private static Task<T> OnOwnThread<T>(Func<T> read) =>
        Task.Factory.StartNew(read, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
