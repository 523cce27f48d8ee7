using System.Collections.Concurrent;
using AgentHost.Agent.Plugins;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Server.Users;
using AgentHost.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Server;

/// <summary>
/// The sessions of <c>agent serve</c>: created and stored at once (so they have an id), opened on first use and kept
/// open (each holds its session's lease, so another process cannot write it meanwhile) until closed, deleted or the
/// server stops; each runs in the warm engine of its root and plugins, which it holds while open (the last session of a
/// root to close lets its engine go). Thread-safe.
/// </summary>
internal sealed partial class SessionHub(ServerEngines engines, ISessionStore store, ServerDefaults defaults, TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, StartOnce<HostedSession>> _open = new(StringComparer.Ordinal);

    /// <summary>The owner of each session this server created or opened (known before its first event; for filtering event streams).</summary>
    private readonly ConcurrentDictionary<string, string?> _owners = new(StringComparer.Ordinal);

    public ISessionStore Store => store;

    public ServerDefaults Defaults => defaults;

    public ServerEngines Engines => engines;

    /// <summary>The id of a session's newest event on its stream (given with an accepted run: a stream resumed after it sees the run whole).</summary>
    public Func<string, CancellationToken, Task<long>> LastEventId { get; init; } = static (_, _) => Task.FromResult(0L);

    /// <summary>A session's events after an id, then each new one (its journal, which every node of a cluster writes and reads).</summary>
    public Func<string, long, CancellationToken, IAsyncEnumerable<Events.LoggedEvent>> SessionEvents { get; init; } = static (_, _, _) => AsyncEnumerable.Empty<Events.LoggedEvent>();

    /// <summary>
    /// Completes once this server's journal has written a run's <c>run.ended</c> (session, run; asked before it is
    /// published), or given up on it.
    /// </summary>
    public Func<string, string, CancellationToken, Task> WhenRunEndJournalled { get; init; } = static (_, _, _) => Task.CompletedTask;

    /// <summary>Where the hub logs what goes wrong in the background (a run's end it could not store).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>The workspace roots each user may use.</summary>
    public required ServerRoots Roots { get; init; }

    /// <summary>What a caller's request may name: plugins, files, permission modes.</summary>
    public required ServerInputs Inputs { get; init; }

    /// <summary>The per-user limits (runs at once).</summary>
    public required ServerLimiters Limiters { get; init; }

    /// <summary>The sessions open now.</summary>
    public IReadOnlyList<HostedSession> OpenSessions =>
        [.. _open.Values.Select(l => l.Started).OfType<HostedSession>()];

    /// <summary>Creates, stores and opens a session owned by <paramref name="caller"/> (refused for a viewer).</summary>
    /// <param name="caller">Who creates it.</param>
    /// <param name="request">What they asked for.</param>
    /// <param name="client">The <c>X-Agent-Client</c> header, if any (the body's <c>clientId</c> wins).</param>
    /// <param name="id">The new session's id (<see cref="NewSession.NewId"/>; a cluster chooses it before it knows the node).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<HostedSession> CreateAsync(ServerCaller caller, CreateSessionRequest request, string? client, string id, CancellationToken cancellationToken)
    {
        SessionAccess.CheckCanChange(caller, "create sessions");
        // The roots first: whether a folder outside them exists is none of the caller's business.
        Roots.Check(caller, request.Root is null ? defaults.Root : Path.GetFullPath(request.Root, defaults.Root), request.Root);
        var root = RootOf(request.Root);
        var name = request.Name is { } named ? SessionNames.Check(named) : null;
        var mode = request.PermissionMode is null ? (PermissionMode?)null : ParseMode(request.PermissionMode, "permissionMode");
        var settings = SessionSettingsPatch.Validate(request.Settings?.ToDictionary(s => s.Key, s => (string?)s.Value) ?? []);
        // What the request names passes the caller's checks before anything is loaded (docs/server.md "What a member can and cannot reach").
        if (mode is { } asked)
        {
            Inputs.CheckMode(caller, asked, "permissionMode");
        }

        CheckModes(caller, settings);
        Inputs.CheckPlugins(caller, request.Plugins ?? [], "plugins", root, Roots);
        if (SharedStateTools.AppliesTo(caller) && SharedStateTools.WithNames(Given(settings, SessionPolicySettings.DenyTools)) is { } denied)
        {
            // A non-admin's model may not act on what every session of the engine shares (SharedStateTools).
            settings = [.. settings.Where(s => s.Key != SessionPolicySettings.DenyTools), new(SessionPolicySettings.DenyTools, denied)];
        }

        // The model asked for is stored with the session (it holds after a restart); it wins over settings.model.
        var model = request.Model is { } modelName ? SessionSettingValues.Check(SessionSettings.Model, modelName, [SessionSettings.Model]).Value : null;
        if (model is not null)
        {
            settings = [.. settings.Where(s => s.Key != SessionSettings.Model)];
        }

        var clientId = ServerClients.Of(request.ClientId, client);
        var plugins = (request.Plugins ?? defaults.Plugins).Select(p => PluginNames.Recorded(p, root)).Order(StringComparer.Ordinal).Distinct(StringComparer.Ordinal).ToList();
        var engine = await engines.AcquireAsync(new ServerEngineKey(root, plugins, request.NoDefaultPlugins ?? defaults.NoDefaultPlugins), cancellationToken).ConfigureAwait(false);
        try
        {
            SessionSettingsPatch.CheckPolicy(settings, new Dictionary<string, string>(), PermissionPolicy.FromConfiguration(engine.Configuration));
            // A model id that names a file (the scripted provider's) is read inside the caller's roots only.
            model = CheckModel(caller, model, "model", engine);
            settings = CheckModelSetting(caller, settings, engine);
        }
        catch
        {
            await engines.ReleaseAsync(engine).ConfigureAwait(false);
            throw;
        }

        // The mode is stored with the session, so that after a restart it is opened (lazily, by its id) in the same mode.
        var stored = mode is { } chosen ? chosen : request.Interactive ? PermissionMode.Ask : (PermissionMode?)null;
        var initial = new Dictionary<string, string>(StringComparer.Ordinal);
        Record(initial, SessionSettings.PermissionMode, stored?.ToDisplayName());
        Record(initial, SessionSettings.Interactive, request.Interactive ? "true" : null);
        Record(initial, SessionSettings.Model, model);
        Record(initial, SessionSettings.Client, clientId);
        SessionInfo info;
        SessionLease lease;
        try
        {
            // Leased before the row exists, so another process opening the store meanwhile cannot take it for a dead run.
            (info, lease) = await store.CreateLeasedSessionAsync(new NewSession(root) { Settings = initial, Owner = caller.OwnerName, Id = id, Name = name }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await engines.ReleaseAsync(engine).ConfigureAwait(false);
            throw;
        }

        _owners[info.Id] = info.Owner;
        var opened = false;
        try
        {
            var options = new SessionOptions(root)
            {
                Model = model ?? settings.FirstOrDefault(s => s.Key == SessionSettings.Model).Value ?? defaults.Model,
                Plugins = engine.RecordedPlugins,
                PermissionMode = mode,
                Interactive = request.Interactive,
                SystemPrompt = Given(settings, SessionSettings.SystemPrompt),
                AppendSystemPrompt = Given(settings, SessionSettings.AppendSystemPrompt),
                Tools = SessionSettingValues.Names(Given(settings, SessionSettings.Tools)),
                McpServers = SessionSettingValues.Names(Given(settings, SessionSettings.McpServers)),
            };
            var session = await engine.Service.OpenAsync(lease, options, cancellationToken).ConfigureAwait(false);
            var hosted = new HostedSession(info.Id, session, engine).Touch(time.GetUtcNow());
            _open[info.Id] = new StartOnce<HostedSession>(hosted);
            opened = true;
            await SessionSettingsPatch.ApplyAsync(hosted, store, settings, cancellationToken).ConfigureAwait(false);
            if (options.Model is { } chosenModel)
            {
                await session.SetModelAsync(chosenModel, cancellationToken).ConfigureAwait(false);
            }

            return hosted;
        }
        catch
        {
            // Open, the close lets go of the engine; not yet open, nothing else holds it for this session.
            await (opened ? CloseAsync(info.Id) : engines.ReleaseAsync(engine).AsTask()).ConfigureAwait(false);
            await store.DeleteSessionAsync(info.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The open session <paramref name="id"/>, opened now (in the engine of its workspace and recorded plugins) if it is
    /// stored but not open. An open session another writer has taken over (this server had stopped renewing its lease)
    /// is let go and opened again, which is refused while the other writer holds it.
    /// </summary>
    /// <exception cref="AgentHostException">No such session, its workspace is gone, or another process holds it.</exception>
    public async Task<HostedSession> OpenAsync(string id, CancellationToken cancellationToken)
    {
        var lazy = _open.GetOrAdd(id, key => new StartOnce<HostedSession>(() => OpenStoredAsync(key)));
        HostedSession hosted;
        try
        {
            hosted = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted)
        {
            _open.TryRemove(new KeyValuePair<string, StartOnce<HostedSession>>(id, lazy));
            throw;
        }

        if (!hosted.Session.IsTakenOver || hosted.Current is not null)
        {
            return hosted.Touch(time.GetUtcNow());
        }

        if (_open.TryRemove(new KeyValuePair<string, StartOnce<HostedSession>>(id, lazy)))
        {
            await ReleaseAsync(hosted).ConfigureAwait(false);
        }

        return await OpenAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The session if the server has it open, without opening it.</summary>
    public HostedSession? FindOpen(string id) =>
        _open.TryGetValue(id, out var lazy) ? lazy.Started : null;

    /// <summary>The stored session, if <paramref name="caller"/> may see it (404 when there is none or they may not: the same answer).</summary>
    public async Task<SessionInfo> GetInfoAsync(ServerCaller caller, string id, CancellationToken cancellationToken)
    {
        var info = await store.FindSessionAsync(id, cancellationToken).ConfigureAwait(false);
        if (info is null || !SessionAccess.CanRead(caller, info.Owner))
        {
            throw SessionAccess.Hidden(id);
        }

        _owners[info.Id] = info.Owner;
        return info;
    }

    /// <summary>The stored session, if <paramref name="caller"/> may change it (404 as <see cref="GetInfoAsync"/>; 403 for a viewer).</summary>
    public async Task<SessionInfo> GetChangeableAsync(ServerCaller caller, string id, string what, CancellationToken cancellationToken)
    {
        var info = await GetInfoAsync(caller, id, cancellationToken).ConfigureAwait(false);
        SessionAccess.CheckCanChange(caller, what);
        return info;
    }

    /// <summary>Whether <paramref name="caller"/> may read the session <paramref name="id"/> as far as this server knows its owner (an unknown session: no).</summary>
    public bool CanRead(ServerCaller caller, string id) =>
        caller.Role != ServerRole.Member || (_owners.TryGetValue(id, out var owner) && SessionAccess.CanRead(caller, owner));

    /// <summary>Deletes a session: refused while it runs; otherwise closed (its lease released) and removed from the store.</summary>
    public async Task DeleteAsync(ServerCaller caller, string id, CancellationToken cancellationToken)
    {
        await GetChangeableAsync(caller, id, "delete sessions", cancellationToken).ConfigureAwait(false);
        if (FindOpen(id)?.Current is { } running)
        {
            throw new AgentHostException(ErrorKind.InUse, $"session {id} is running {running.Id}; cancel it (POST /v1/runs/{running.Id}/cancel) before deleting the session.");
        }

        await CloseAsync(id).ConfigureAwait(false);
        await store.DeleteSessionAsync(id, cancellationToken).ConfigureAwait(false);
        _owners.TryRemove(id, out _);
    }

    /// <summary>
    /// Closes a session: refused while it runs; otherwise its <see cref="AgentSession"/> is disposed (its lease
    /// released, so another process may write it) and its history stays. The next request for it opens it again.
    /// </summary>
    public async Task CloseSessionAsync(ServerCaller caller, string id, CancellationToken cancellationToken)
    {
        await GetChangeableAsync(caller, id, "close sessions", cancellationToken).ConfigureAwait(false);
        if (FindOpen(id)?.Current is { } running)
        {
            throw new AgentHostException(ErrorKind.InUse, $"session {id} is running {running.Id}; wait for it to end or cancel it (POST /v1/runs/{running.Id}/cancel) before closing the session.");
        }

        await CloseAsync(id).ConfigureAwait(false);
    }

    /// <summary>Copies a session the caller may see (up to a message) into a new stored session the caller owns.</summary>
    public async Task<SessionInfo> ForkAsync(ServerCaller caller, string id, string? atMessageId, CancellationToken cancellationToken)
    {
        await GetChangeableAsync(caller, id, "fork sessions", cancellationToken).ConfigureAwait(false);
        // A fork counts as one of the caller's runs while it copies (it spends no tokens: the budgets do not refuse it).
        var slot = await Limiters.TakeRunAsync(caller.OwnerName, RunKind.Fork, null, null, cancellationToken).ConfigureAwait(false);
        try
        {
            var fork = await store.Transfer.ForkAsync(id, atMessageId, cancellationToken).ConfigureAwait(false);
            if (caller.OwnerName is { } owner)
            {
                await store.Users.SetSessionOwnerAsync(fork.Id, owner, cancellationToken).ConfigureAwait(false);
            }

            return fork with { Owner = caller.OwnerName };
        }
        finally
        {
            if (slot is not null)
            {
                await slot.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Changes validated settings of a session (opening it first, so that an open session's turns see them).</summary>
    public async Task PatchAsync(ServerCaller caller, string id, IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        await GetChangeableAsync(caller, id, "change sessions", cancellationToken).ConfigureAwait(false);
        var valid = SessionSettingsPatch.Validate(settings);
        if (valid.FirstOrDefault(s => SessionSettingValues.Shape.Contains(s.Key)) is { Key: { } shaping })
        {
            // What the model sees is set up when the session opens (its prompt, tools and MCP servers): given at create.
            throw new AgentHostException(ErrorKind.Usage, $"settings.{shaping}: given when the session is created (POST /v1/sessions with settings.{shaping}) and kept for its life; create a new session (or fork this one) with another value.");
        }

        CheckModes(caller, valid);
        var hosted = await OpenAsync(id, cancellationToken).ConfigureAwait(false);
        valid = CheckModelSetting(caller, valid, hosted.Engine);
        await DenySharedStateToolsAsync(caller, hosted, cancellationToken).ConfigureAwait(false);
        SessionSettingsPatch.CheckPolicy(valid, await store.GetSettingsAsync(id, cancellationToken).ConfigureAwait(false), PermissionPolicy.FromConfiguration(hosted.Engine.Configuration));
        await SessionSettingsPatch.ApplyAsync(hosted, store, valid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Refuses the tools that act on what every session of an engine shares (<see cref="SharedStateTools"/>) in an open
    /// session a non-admin steers, if its stored <c>deny_tools</c> lacks any (created before, or by an admin): stored
    /// first (it holds after a restart and a PATCH cannot drop it: a policy only narrows), then in force for its next call.
    /// </summary>
    internal async Task DenySharedStateToolsAsync(ServerCaller caller, HostedSession hosted, CancellationToken cancellationToken)
    {
        if (!SharedStateTools.AppliesTo(caller) || hosted.SharedStateToolsDenied)
        {
            return;
        }

        var stored = await store.GetSettingsAsync(hosted.Id, cancellationToken).ConfigureAwait(false);
        if (SharedStateTools.WithNames(stored.GetValueOrDefault(SessionPolicySettings.DenyTools)) is { } denied)
        {
            await store.SetSettingAsync(hosted.Id, SessionPolicySettings.DenyTools, denied, cancellationToken).ConfigureAwait(false);
            hosted.Session.NarrowPolicy(SessionPolicySettings.FromSettings(new Dictionary<string, string>(StringComparer.Ordinal) { [SessionPolicySettings.DenyTools] = denied }));
        }

        hosted.SharedStateToolsDenied = true;
    }

    /// <summary>Lets a session go on this node unless it runs (a cluster node's grain of it is deactivated).</summary>
    public async Task ReleaseUnlessRunningAsync(string id)
    {
        if (FindOpen(id) is { Current: null })
        {
            await CloseAsync(id).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _idleSweep?.Dispose();
        await InterruptRunsAsync().ConfigureAwait(false);
        foreach (var id in _open.Keys)
        {
            await CloseAsync(id).ConfigureAwait(false);
        }
    }

    private async Task<HostedSession> OpenStoredAsync(string id)
    {
        var info = await store.GetSessionAsync(id, CancellationToken.None).ConfigureAwait(false);
        _owners[id] = info.Owner;
        CheckWorkspace(info);

        var engine = await engines.AcquireAsync(EngineKeyOf(info), CancellationToken.None).ConfigureAwait(false);
        // Opened as it was created: a session a client answers waits for answers again; a headless one never does.
        var options = new SessionOptions(info.Workspace)
        {
            Plugins = engine.RecordedPlugins,
            // Its own model (stored at create) holds; otherwise the server's --model, as for a new session.
            Model = info.Settings.ContainsKey(SessionSettings.Model) ? null : defaults.Model,
            Interactive = info.Settings.GetValueOrDefault(SessionSettings.Interactive) == "true",
        };
        HostedSession hosted;
        try
        {
            var session = await engine.Service.OpenAsync(id, options, CancellationToken.None).ConfigureAwait(false);
            hosted = new HostedSession(id, session, engine);
        }
        catch
        {
            await engines.ReleaseAsync(engine).ConfigureAwait(false);
            throw;
        }

        await EndLostRunsAsync(hosted).ConfigureAwait(false);
        return hosted;
    }

    /// <summary>
    /// The session's runs stored as running when this server opens it: the process that ran them is gone (this server
    /// holds the session's lease now: a crash, a killed node). Each is stored as interrupted, and the session's stream
    /// is told — events of the step in flight may be lost, then the run's <c>run.ended</c> — on whichever node reads it.
    /// </summary>
    private async Task EndLostRunsAsync(HostedSession hosted)
    {
        foreach (var stored in await store.Journal.FindRunningRunsAsync(hosted.Id, CancellationToken.None).ConfigureAwait(false))
        {
            if (await JournalledEndAsync(hosted.Id, StoredRuns.FromStored(stored)).ConfigureAwait(false) is { } ended)
            {
                // Its node journalled its end and died before storing it: the end its clients saw is the one kept.
                await store.Journal.SaveRunAsync(StoredRuns.ToStored(ended), CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            var view = StoredRuns.Interrupted(StoredRuns.FromStored(stored), stored.UpdatedAt);
            await store.Journal.SaveRunAsync(StoredRuns.ToStored(view), CancellationToken.None).ConfigureAwait(false);
            var now = time.GetUtcNow();
            hosted.Engine.Runtime.Events.Publish(new SessionEventsLostEvent(
                hosted.Id,
                view.Id,
                $"the server that ran {view.Id} stopped while it was in flight: events of its last step may be missing from this stream",
                $"read the session's history (GET /v1/sessions/{hosted.Id}/messages): every completed step is there") { Timestamp = now });
            hosted.Engine.Runtime.Events.Publish(new RunEndedEvent(hosted.Id, view.Id, view.Status, view.Reason) { Timestamp = now });
        }
    }

    /// <summary>The run as its journalled <c>run.ended</c> says it ended, or <see langword="null"/> when the journal has none.</summary>
    private async Task<RunView?> JournalledEndAsync(string id, RunView run)
    {
        var after = run.EventsAfter;
        while (true)
        {
            var events = await store.Journal.ReadEventsAsync(id, after, 1000, CancellationToken.None).ConfigureAwait(false);
            if (events.Count == 0)
            {
                return null;
            }

            foreach (var logged in events)
            {
                if (logged.Type == "run.ended" && Events.RunIds.Of(logged.Json) == run.Id)
                {
                    using var ended = System.Text.Json.JsonDocument.Parse(logged.Json);
                    var root = ended.RootElement;
                    return run with
                    {
                        Status = root.TryGetProperty("status", out var status) ? status.GetString() ?? "completed" : "completed",
                        Reason = root.TryGetProperty("reason", out var reason) ? reason.GetString() : null,
                        ErrorKind = root.TryGetProperty("errorKind", out var kind) ? kind.GetString() : null,
                        EndedAt = logged.At,
                    };
                }
            }

            after = events[^1].Id;
        }
    }

    private async Task CloseAsync(string id)
    {
        if (_open.TryRemove(id, out var lazy) && lazy.Started is { } hosted)
        {
            await ReleaseAsync(hosted).ConfigureAwait(false);
        }
    }

    /// <summary>Disposes a session no longer open (its lease released) and lets go of its engine.</summary>
    private async Task ReleaseAsync(HostedSession hosted)
    {
        try
        {
            await hosted.Session.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await engines.ReleaseAsync(hosted.Engine).ConfigureAwait(false);
        }
    }

    private static string? Given(IReadOnlyList<KeyValuePair<string, string?>> settings, string key) => settings.FirstOrDefault(s => s.Key == key).Value;

    private static void Record(Dictionary<string, string> settings, string key, string? value)
    {
        if (value is not null)
        {
            settings[key] = value;
        }
    }

    private string RootOf(string? requested)
    {
        if (requested is null)
        {
            return defaults.Root;
        }

        var root = Path.GetFullPath(requested, defaults.Root);
        return Directory.Exists(root)
            ? root
            : throw new AgentHostException(ErrorKind.Usage, $"root {requested}: no such directory on the server ({root}); give an existing folder, or leave root out to use {defaults.Root}.");
    }

    internal static PermissionMode ParseMode(string text, string field) =>
        PermissionModes.TryParse(text, out var mode)
            ? mode
            : throw new AgentHostException(ErrorKind.Usage, $"{field}: '{text}' is not a permission mode; use one of {string.Join(", ", PermissionModes.Names)}.");
}
