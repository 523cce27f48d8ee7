using AgentHost.Agent.Composition;
using AgentHost.Agent.Plugins;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Acp;

/// <summary>
/// One project root the editor's sessions work in (a session's <c>cwd</c>), opened by the one recipe
/// (<see cref="ProjectRootFactory.OpenAsync"/>) with <c>agent acp</c>'s plugins, a permission responder (the editor
/// answers through <c>session/request_permission</c>) and one lossless subscription to the root's events that hands
/// each session's events to its <see cref="AcpSession"/>. Kept open while <c>agent acp</c> runs.
/// </summary>
internal sealed class AcpRoot : IAsyncDisposable
{
    private readonly ProjectRoot _root;
    private readonly IDisposable _events;
    private readonly Lock _sync = new();
    private IDisposable? _questions;

    private AcpRoot(ProjectRoot root, IReadOnlyList<string> recordedPlugins, IDisposable events)
    {
        _root = root;
        RecordedPlugins = recordedPlugins;
        _events = events;
    }

    /// <summary>The opened root (configuration, runtime, broker, service).</summary>
    public ProjectRoot Root => _root;

    /// <summary>What a session of this root records as its <c>plugins</c> setting (so a resume anywhere loads them again).</summary>
    public IReadOnlyList<string> RecordedPlugins { get; }

    /// <summary>Opens <paramref name="directory"/>'s root.</summary>
    /// <param name="roots">The composition root's factory.</param>
    /// <param name="directory">The session's working directory.</param>
    /// <param name="options">The command line's plugins and model.</param>
    /// <param name="route">Receives each event of the root's bus (on the subscription's thread, one at a time).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The root.</returns>
    public static async Task<AcpRoot> OpenAsync(ProjectRootFactory roots, string directory, AcpOptions options, Func<AgentEvent, CancellationToken, ValueTask> route, CancellationToken cancellationToken)
    {
        IDisposable? events = null;
        var plugins = options.Plugins.Select(p => PluginNames.Recorded(p, directory)).Distinct(StringComparer.Ordinal).ToList();
        var root = await roots.OpenAsync(
            new ProjectRootRequest(directory)
            {
                WorkingDirectory = directory,
                // Lossless: the editor sees every chunk and tool call, in order; a prompt's answer waits for them (DrainAsync).
                Attach = opening => events = opening.Runtime.Events.Subscribe(typeof(AgentEvent), route, EventDelivery.Lossless, "acp"),
                // The editor answers permission requests (session/request_permission) for as long as agent acp runs.
                AttachBroker = opening => opening.Broker!.AddResponder(AcpPermissions.Responder),
                // A client that never answers holds no turn for ever: the request is denied after this (as agent serve's
                // server.permission_timeout default); when the editor goes away, the pending ones are denied at once.
                AnswerTimeout = AcpPermissions.AnswerTimeout,
                Plugins = opening => new ProjectRootPlugins(plugins, options.NoDefaultPlugins ? [] : opening.Configuration.DefaultPlugins),
                Models = configuration => [options.Model ?? configuration.Model],
                DrainEventsOnClose = true,
            },
            cancellationToken).ConfigureAwait(false);
        return new AcpRoot(root, (root.Plugins with { Requested = plugins }).Recorded(root.Runtime), events ?? throw new InvalidOperationException("the root's events were not attached."));
    }

    /// <summary>
    /// From now on <c>ask_user</c> questions of this root's sessions wait for the editor (it announced form
    /// elicitation); until then they end at once unanswered, as in a headless run. Called when such an editor opens a
    /// session here (the root may have been opened before <c>initialize</c>, by the warm-up).
    /// </summary>
    public void AnswerQuestions()
    {
        lock (_sync)
        {
            _questions ??= _root.Service.Questions.AddResponder(AcpPermissions.Responder);
        }
    }

    /// <summary>Waits until every event published so far has been handed to its session (and so sent to the editor).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the queues are empty.</returns>
    public Task DrainAsync(CancellationToken cancellationToken) => _root.Runtime.Events.DrainAsync(cancellationToken);

    /// <summary>Closes the root's sessions (releasing their leases), then unloads its plugins.</summary>
    public async ValueTask DisposeAsync()
    {
        // The last responder leaving ends the pending questions unanswered.
        _questions?.Dispose();
        await _root.DisposeAsync().ConfigureAwait(false);
        _events.Dispose();
    }
}
