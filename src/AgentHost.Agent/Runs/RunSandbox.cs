using System.Globalization;
using AgentHost.Agent.Credentials;
using AgentHost.Common.Processes;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Permissions;
using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Runs;

/// <summary>
/// Builds a run's <see cref="SandboxPolicy"/> from the configuration (<c>sandbox.*</c>), the permission policy's extra
/// folders, the user's protected places, the agent's places to hide (<see cref="SandboxLayout"/>: the user's records and
/// key store, or a server's layout) and the session's own temporary folder; the backend is probed
/// by the one process launcher (<see cref="SandboxProbe"/>) at the first sandboxed call.
/// </summary>
/// <remarks>Stateless.</remarks>
public static class RunSandbox
{
    /// <summary>
    /// Creates the policy with the permission policy's extra folders, and its rules deciding which of the project's
    /// <c>.env</c> files a sandboxed command may see (<see cref="SandboxPolicy.ReadRules"/>).
    /// </summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="environment">The environment (home directory, the agent's folders).</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="permissions">The run's permission policy.</param>
    /// <param name="sessionId">The session, whose temporary folder is writable (none when <see langword="null"/>).</param>
    /// <param name="modeOverride">The mode for this run (<c>--sandbox</c>, the session's setting), when given.</param>
    /// <param name="events">Where problems are reported.</param>
    /// <param name="serverSessions">Whether it is a shared server's session's (<c>sandbox.hooks</c>, <c>sandbox.mcp_servers</c> and <c>sandbox.lsp_servers</c> default to on).</param>
    /// <param name="layout">The agent's places to hide (a server's, <see cref="SandboxLayout.ForServer"/>); the user's own (<see cref="LayoutOf"/>) when <see langword="null"/>.</param>
    /// <returns>The policy.</returns>
    public static SandboxPolicy Create(
        ConfigurationSnapshot configuration,
        HostEnvironment environment,
        string workspaceRoot,
        PermissionPolicy permissions,
        string? sessionId,
        SandboxMode? modeOverride,
        IEventBus events,
        bool serverSessions = false,
        SandboxLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(events);
        var readRules = new PermissionEngine(permissions, workspaceRoot, environment.HomeDirectory, protectedPaths: ProtectedPaths.FromEnvironment(environment));
        return Build(configuration, environment, workspaceRoot, permissions.ExtraDirectories, sessionId, modeOverride, events, readRules, serverSessions, layout);
    }

    /// <summary>
    /// The agent's places every sandbox of one user hides (<see cref="SandboxLayout.ForAgent"/>): the records in its data
    /// folder (sessions database and journal files, logs, chat history) and its key store.
    /// </summary>
    /// <param name="environment">The environment (the agent's folders).</param>
    /// <returns>The layout.</returns>
    public static SandboxLayout LayoutOf(HostEnvironment environment) =>
        SandboxLayout.ForAgent(AgentPaths.Resolve(environment), [StoredKeys.FilePath(environment)]);

    /// <summary>
    /// The layout of a server's sessions (<see cref="SandboxLayout.ForServer"/>): the server's data and configuration
    /// folders, its key store, every workspace root (each session keeps its own) and its socket hidden; installed plugins
    /// and the user skill folders readable.
    /// </summary>
    /// <param name="environment">The server's environment.</param>
    /// <param name="roots">Every workspace root of the server.</param>
    /// <param name="socket">The server's Unix socket, when it listens on one.</param>
    /// <returns>The layout.</returns>
    public static SandboxLayout ServerLayoutOf(HostEnvironment environment, IEnumerable<string> roots, string? socket)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var readable = UserSkillFolders.Resolve(environment).Select(folder => folder.Path);
        return SandboxLayout.ForServer(AgentPaths.Resolve(environment), [StoredKeys.FilePath(environment)], roots, socket, readable);
    }

    /// <summary>
    /// The sandbox of a session's hooks before the session's own policy exists (its first turn's UserPromptSubmit and
    /// SessionStart hooks run before it is made), when <c>sandbox.hooks</c> is on (by default for a server's sessions); <see langword="null"/> otherwise.
    /// Built the same way as the session's (which replaces it once made); its configuration problems are left to the
    /// session's to report.
    /// </summary>
    internal static SandboxPolicy? ForHooks(ConfigurationSnapshot configuration, HostEnvironment environment, string workspaceRoot, PermissionPolicy permissions, string sessionId, SandboxMode? modeOverride, bool serverSessions, SandboxLayout? layout = null) =>
        OptedIn(settings => settings.Hooks, configuration, environment, workspaceRoot, () => permissions, sessionId, modeOverride, serverSessions, layout);

    /// <summary>
    /// The sandbox of a session's stdio MCP servers when <c>sandbox.mcp_servers</c> is on (by default for a server's
    /// sessions); <see langword="null"/> otherwise. Its temporary folder (<c>agent-sandbox-mcpPID…</c>) is these servers'
    /// alone — never another session's, so two members' servers share no writable folder — and is removed with the
    /// policy, which the session's servers own (<see cref="Mcp.McpSessionServers"/>).
    /// </summary>
    internal static SandboxPolicy? ForMcpServers(ConfigurationSnapshot configuration, HostEnvironment environment, string workspaceRoot, PermissionPolicy permissions, SandboxMode? modeOverride, bool serverSessions, SandboxLayout? layout = null) =>
        OptedIn(settings => settings.McpServers, configuration, environment, workspaceRoot, () => permissions, "mcp" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..16], modeOverride, serverSessions, layout, ownsTemp: true);

    /// <summary>
    /// The sandbox of the language servers of one root when <c>sandbox.lsp_servers</c> is on (by default for a server's
    /// sessions); <see langword="null"/> otherwise. One language server serves every session of its root, so the sandbox
    /// is the root's, not a session's: writable are the root, <c>permissions.extra_dirs</c> and a temporary folder of the
    /// root's own (<c>agent-sandbox-lspPID…</c>, named after the root, so two roots never share one; removed with the
    /// policy); the rest as a
    /// session's (<paramref name="layout"/>: on a server its data folder, socket and other roots hidden). It follows
    /// <c>sandbox.mode</c>, not a session's <c>--sandbox</c> or <c>session.sandbox</c>.
    /// </summary>
    /// <param name="configuration">The root's configuration.</param>
    /// <param name="environment">The environment (home directory, the agent's folders).</param>
    /// <param name="root">The root the language servers serve.</param>
    /// <param name="permissions">Gives the root's permission policy (its extra folders, its rules for <c>.env</c> files); called only when the setting is on.</param>
    /// <param name="serverSessions">Whether they serve a shared server's sessions (on by default).</param>
    /// <param name="layout">The agent's places to hide (a server's); the user's own when <see langword="null"/>.</param>
    /// <returns>The policy (the caller disposes it with the runtime), or <see langword="null"/>.</returns>
    public static SandboxPolicy? ForLanguageServers(ConfigurationSnapshot configuration, HostEnvironment environment, string root, Func<PermissionPolicy> permissions, bool serverSessions, SandboxLayout? layout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(permissions);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var tag = Convert.ToHexStringLower(Common.Hashing.Sha256.HashData(System.Text.Encoding.UTF8.GetBytes(full)))[..16];
        return OptedIn(settings => settings.LspServers, configuration, environment, full, permissions, "lsp" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + tag, modeOverride: null, serverSessions, layout, ownsTemp: true);
    }

    private static SandboxPolicy? OptedIn(
        Func<SandboxSettings, bool> optedIn, ConfigurationSnapshot configuration, HostEnvironment environment, string workspaceRoot, Func<PermissionPolicy> permissions, string ownerId, SandboxMode? modeOverride, bool serverSessions, SandboxLayout? layout, bool ownsTemp = false)
    {
        var settings = SandboxSettings.FromConfiguration(configuration, modeOverride, serverSessions);
        if (!optedIn(settings) || settings.Mode == SandboxMode.Off)
        {
            return null;
        }

        var policy = permissions();
        var readRules = new PermissionEngine(policy, workspaceRoot, environment.HomeDirectory, protectedPaths: ProtectedPaths.FromEnvironment(environment));
        return Build(configuration, environment, workspaceRoot, policy.ExtraDirectories, ownerId, modeOverride, events: null, readRules, serverSessions, layout, ownsTemp);
    }

    /// <summary>Creates the policy; malformed <c>sandbox.network</c> rules are published as warnings (and ignored).</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="environment">The environment (home directory, the agent's folders).</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="extraDirectories">More writable folders (<c>permissions.extra_dirs</c> that apply).</param>
    /// <param name="sessionId">The session, whose temporary folder is writable (none when <see langword="null"/>).</param>
    /// <param name="modeOverride">The mode for this run (<c>--sandbox</c>, the session's setting), when given.</param>
    /// <param name="events">Where problems are reported.</param>
    /// <returns>The policy.</returns>
    public static SandboxPolicy Create(
        ConfigurationSnapshot configuration,
        HostEnvironment environment,
        string workspaceRoot,
        IEnumerable<string>? extraDirectories,
        string? sessionId,
        SandboxMode? modeOverride,
        IEventBus events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return Build(configuration, environment, workspaceRoot, extraDirectories, sessionId, modeOverride, events, readRules: null, serverSessions: false, layout: null);
    }

    private static SandboxPolicy Build(
        ConfigurationSnapshot configuration,
        HostEnvironment environment,
        string workspaceRoot,
        IEnumerable<string>? extraDirectories,
        string? sessionId,
        SandboxMode? modeOverride,
        IEventBus? events,
        PermissionEngine? readRules,
        bool serverSessions,
        SandboxLayout? layout,
        bool ownsTemp = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var settings = SandboxSettings.FromConfiguration(configuration, modeOverride, serverSessions);
        foreach (var problem in events is null ? [] : settings.Problems)
        {
            events!.Publish(new WarningEvent("sandbox", problem.ToString()));
        }

        var places = layout ?? LayoutOf(environment);
        return new SandboxPolicy(
            settings,
            cancellationToken => SandboxProbe.ProbeAsync(settings.Program, [workspaceRoot], cancellationToken: cancellationToken),
            workspaceRoot,
            environment.HomeDirectory,
            extraDirectories,
            ProtectedPaths.FromEnvironment(environment),
            settings.Mode == SandboxMode.Off || sessionId is null ? null : places.TemporaryFolderOf(sessionId),
            places)
        {
            ReadRules = readRules,
            NetworkProxyAllowsLoopback = environment.Get(TestLoopbackVariable) == "1",
            RemovesTempDirectory = ownsTemp,
        };
    }

    /// <summary>
    /// Test-only: <c>1</c> lets the sandbox's network proxy reach loopback addresses (a test's server on 127.0.0.1 stands
    /// for an allowed domain). An environment variable of the agent's process, not a configuration key: no file sets it.
    /// </summary>
    public const string TestLoopbackVariable = "AGENTHOST_TEST_SANDBOX_PROXY_LOOPBACK";

    /// <summary>
    /// The temporary folder of a session of one user (the CLI's): <c>agent-sandbox-SESSION</c> in the system's temporary
    /// folder, owner-only, made by the policy at the session's first sandboxed call (not here). A server's sessions get
    /// theirs inside the server's own folder (<see cref="SandboxLayout.TemporaryFolderOf"/>).
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>Its path.</returns>
    public static string TempDirectory(string sessionId) => Path.Combine(Path.GetTempPath(), SandboxLayout.FolderName(sessionId));
}
