using AgentHost.Agent.Credentials;
using AgentHost.Common.Processes;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Runs;

/// <summary>
/// Builds a run's <see cref="SandboxPolicy"/> from the configuration (<c>sandbox.*</c>), the permission policy's extra
/// folders, the user's protected places and key store, and the session's own temporary folder; the backend is probed
/// by the one process launcher (<see cref="SandboxProbe"/>) at the first sandboxed call.
/// </summary>
/// <remarks>Stateless.</remarks>
public static class RunSandbox
{
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
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(events);
        var settings = SandboxSettings.FromConfiguration(configuration, modeOverride);
        foreach (var problem in settings.Problems)
        {
            events.Publish(new WarningEvent("sandbox", problem.ToString()));
        }

        return new SandboxPolicy(
            settings,
            cancellationToken => SandboxProbe.ProbeAsync(settings.Program, [workspaceRoot], cancellationToken: cancellationToken),
            workspaceRoot,
            environment.HomeDirectory,
            extraDirectories,
            ProtectedPaths.FromEnvironment(environment),
            settings.Mode == SandboxMode.Off || sessionId is null ? null : TempDirectory(sessionId),
            [StoredKeys.FilePath(environment)]);
    }

    /// <summary>The session's temporary folder (<c>agent-sandbox-SESSION</c> in the system's temporary folder, owner-only), created when missing.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>Its path.</returns>
    public static string TempDirectory(string sessionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        var path = Path.Combine(Path.GetTempPath(), "agent-sandbox-" + string.Concat(sessionId.Where(char.IsAsciiLetterOrDigit)));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
