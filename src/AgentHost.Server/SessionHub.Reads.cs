using AgentHost.Agent.Plugins;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Server.Users;
using AgentHost.Sessions;

namespace AgentHost.Server;

/// <content>Reads of a session's catalog that neither open nor lease it.</content>
internal sealed partial class SessionHub
{
    /// <summary>
    /// Reads the engine a session runs in (its tools, skills, models, language servers) without opening the session: an
    /// open session's own engine, else the engine of its workspace and recorded plugins, held only for the read. The
    /// session stays as it was (closed and unleased, or open elsewhere: no 409 for a session another node holds).
    /// </summary>
    /// <param name="caller">Who reads (404 for a session they may not see, as for none).</param>
    /// <param name="id">The session.</param>
    /// <param name="read">The read.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What the read gave.</returns>
    public async Task<T> ReadEngineAsync<T>(ServerCaller caller, string id, Func<ServerEngine, Task<T>> read, CancellationToken cancellationToken)
    {
        var info = await GetInfoAsync(caller, id, cancellationToken).ConfigureAwait(false);
        if (FindOpen(id) is { } open)
        {
            return await read(open.Engine).ConfigureAwait(false);
        }

        CheckWorkspace(info);

        var engine = await engines.AcquireAsync(EngineKeyOf(info), cancellationToken).ConfigureAwait(false);
        try
        {
            return await read(engine).ConfigureAwait(false);
        }
        finally
        {
            await engines.ReleaseAsync(engine).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The engine an action on a session's engine applies to (<c>POST /v1/lsp/{name}/{action}?session=</c>) without
    /// opening or leasing the session: an open session's own engine, else the started engine of its workspace and
    /// recorded plugins. A closed session whose engine is not started runs no language servers: that is a clear 400.
    /// </summary>
    /// <param name="caller">Who acts (404 for a session they may not see, as for none).</param>
    /// <param name="id">The session.</param>
    /// <param name="what">What the caller does, for the message (<c>start language server 'x'</c>).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<ServerEngine> StartedEngineOfAsync(ServerCaller caller, string id, string what, CancellationToken cancellationToken)
    {
        var info = await GetInfoAsync(caller, id, cancellationToken).ConfigureAwait(false);
        if (FindOpen(id) is { } open)
        {
            return open.Engine;
        }

        var key = EngineKeyOf(info);
        return engines.Started.FirstOrDefault(e => e.Key.Equals(key))
            ?? throw new AgentHostException(
                ErrorKind.Usage,
                $"session: session {id} is not open on this server and no engine of its workspace ({info.Workspace}) with its plugins is started, so it runs no language servers; cannot {what}. Act without ?session= (every started engine), or send the session a prompt first, which opens it.");
    }

    /// <summary>The started engines whose root is one of <paramref name="caller"/>'s roots or inside one (an admin: every engine).</summary>
    public IReadOnlyList<ServerEngine> VisibleEngines(ServerCaller caller) =>
        caller.Role == ServerRole.Admin ? engines.Started : [.. engines.Started.Where(e => Roots.Allows(caller, e.Key.Root))];

    /// <summary>Refuses to run or read a session whose workspace is gone.</summary>
    private static void CheckWorkspace(SessionInfo info)
    {
        if (!Directory.Exists(info.Workspace))
        {
            throw new AgentHostException(ErrorKind.Configuration, $"session {info.Id} works in {info.Workspace}, which no longer exists; fork it into another root or delete it.");
        }
    }

    /// <summary>The engine a stored session runs in: its workspace with the plugins it recorded (its default plugins included), like <c>agent run --session</c>.</summary>
    private ServerEngineKey EngineKeyOf(SessionInfo info)
    {
        var recorded = info.Settings.GetValueOrDefault(SessionSettings.Plugins) is { } text ? RememberedRun.ParsePlugins(text) : null;
        return recorded is null
            ? new ServerEngineKey(info.Workspace, [.. defaults.Plugins.Select(p => PluginNames.Recorded(p, info.Workspace)).Order(StringComparer.Ordinal)], defaults.NoDefaultPlugins)
            : new ServerEngineKey(info.Workspace, [.. recorded.Order(StringComparer.Ordinal)], NoDefaultPlugins: true);
    }
}
