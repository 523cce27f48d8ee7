using AgentHost.Agent.Hooks;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Hooks;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Sessions;

namespace AgentHost.Agent.Service;

/// <summary>
/// A session's hooks from its first turn's start, before its run context is built (docs/hooks.md): once the hooks
/// are read (in the background since the session opened), the dispatcher gets the session's id (a new session's is
/// reserved here and the session is stored under it), its permission mode and its hooks' sandbox as the run context
/// will decide them, so that UserPromptSubmit hooks see them too; and the SessionStart hooks start on a thread of their
/// own, beside the turn's preparation (references, UserPromptSubmit, the model, the store, MCP servers, the tool set),
/// instead of after most of it (docs/decisions/0020-session-opening-stage.md).
/// </summary>
internal sealed class SessionStartHooks
{
    private SessionStartHooks(string sessionId, Task<SessionHooks?> ready, Task<string?> context)
    {
        SessionId = sessionId;
        Ready = ready;
        Context = context;
    }

    /// <summary>The stored session's id, or the id reserved for a new one (stored under it when it has hooks).</summary>
    public string SessionId { get; }

    /// <summary>The session's hooks with their dispatcher readied, or <see langword="null"/> when none is active.</summary>
    public Task<SessionHooks?> Ready { get; }

    /// <summary>The SessionStart hooks' context for the model, or <see langword="null"/>.</summary>
    public Task<string?> Context { get; }

    /// <summary>Whether they failed or were cancelled, the read of the hooks included (a later first turn starts them again).</summary>
    public bool Failed => Context.IsFaulted || Context.IsCanceled;

    /// <summary>Readies the dispatcher and starts the SessionStart hooks once the session's hooks are read.</summary>
    /// <param name="parts">The service's parts.</param>
    /// <param name="options">The session's options.</param>
    /// <param name="opening">What the session read when it was opened (its hooks among them, being read).</param>
    /// <param name="policy">The session's permission policy (narrowed since the open).</param>
    /// <param name="cancellationToken">Ends the hooks (the session's lifetime: a turn's cancellation stops waiting for them, not them).</param>
    /// <returns>The started hooks.</returns>
    public static SessionStartHooks Start(SessionServiceParts parts, SessionOptions options, SessionOpening opening, PermissionPolicy policy, CancellationToken cancellationToken)
    {
        var sessionId = opening.ExistingId ?? NewSession.NewId(parts.Time);
        var ready = ReadyAsync(parts, options, opening, policy, sessionId);
        return new SessionStartHooks(sessionId, ready, RunAsync(ready, opening.ExistingId is not null ? "resume" : "startup", cancellationToken));
    }

    private static async Task<SessionHooks?> ReadyAsync(SessionServiceParts parts, SessionOptions options, SessionOpening opening, PermissionPolicy policy, string sessionId)
    {
        if (await opening.HooksAsync().ConfigureAwait(false) is not { } hooks)
        {
            return null;
        }

        var mode = SessionRunContextBuilder.ModeOf(parts, options, opening, policy, warnings: null);
        hooks.Dispatcher.SessionId = sessionId;
        hooks.Dispatcher.PermissionMode = () => HookDispatcher.ClaudeModeName(mode.ToDisplayName());
        // sandbox.hooks: built as the session's own will be (which then replaces it); its problems are the session's to report.
        hooks.Dispatcher.Sandbox = RunSandbox.ForHooks(
            parts.Configuration, parts.Environment, options.WorkspaceRoot, policy, sessionId, SessionRunContextBuilder.SandboxModeOf(parts, options, opening, policy, warnings: null), parts.ProcessEnvironment.IsServer, parts.SandboxLayout);
        // A server's hooks get its allow-list environment; the CLI's keep the user's.
        hooks.Dispatcher.ProcessEnvironment = parts.ProcessEnvironment.ForConfigured;
        return hooks;
    }

    private static async Task<string?> RunAsync(Task<SessionHooks?> ready, string source, CancellationToken cancellationToken)
    {
        if (await ready.ConfigureAwait(false) is not { } hooks || !hooks.Dispatcher.Has(HookEventNames.SessionStart))
        {
            return null;
        }

        // On a thread of their own, not the pool's: the run's first child process pays the runtime's one-time set-up
        // (docs/decisions/0020-session-opening-stage.md).
        return await Task.Factory.StartNew(
            () =>
            {
                using var starting = StartupActivities.Start("session.hooks.start");
                return hooks.SessionStartAsync(source, cancellationToken);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap().ConfigureAwait(false);
    }
}
