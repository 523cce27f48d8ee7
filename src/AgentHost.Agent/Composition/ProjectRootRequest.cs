using AgentHost.Hosting.Configuration;

namespace AgentHost.Agent.Composition;

/// <summary>
/// What a front end asks <see cref="ProjectRootFactory.OpenAsync"/> for: which project root, which plugins, which
/// providers load with them, what it attaches before any plugin loads, and whether the root gets a session service.
/// </summary>
/// <remarks>
/// Every front end (<c>agent run</c>, the chat, each engine of <c>agent serve</c>, <c>agent tool run</c>,
/// <c>agent mcp serve</c>) describes its root with one of these; the recipe itself is the factory's. Immutable; the
/// callbacks run on the opening call's flow, in the order their documentation states.
/// </remarks>
public sealed class ProjectRootRequest
{
    /// <summary>Creates a request for the project seen from <paramref name="directory"/>.</summary>
    /// <param name="directory">
    /// The directory whose project applies, and the root the sessions and the plugins' programs work in (it may lie
    /// below the project's root: a server engine's root).
    /// </param>
    public ProjectRootRequest(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
    }

    /// <summary>The directory whose project applies, and the root the sessions and the plugins' programs work in.</summary>
    public string Directory { get; }

    /// <summary>
    /// The configuration the front end resolved already (and checked, as it chose); <see langword="null"/> (default)
    /// resolves it for <see cref="Directory"/> (<see cref="ProjectRootFactory.ResolveConfiguration"/>) and refuses an
    /// invalid one (<see cref="ConfigurationChecks.ThrowIfInvalid"/>).
    /// </summary>
    public ConfigurationSnapshot? Configuration { get; init; }

    /// <summary>
    /// Whether the plugins' own programs (language servers) serve <see cref="Directory"/> rather than the project's root
    /// (<see cref="ProjectRootFactory.CreatePluginRuntime(ConfigurationSnapshot, string)"/>): a server engine's root.
    /// </summary>
    public bool PluginsServeDirectory { get; init; }

    /// <summary>
    /// Chooses the plugins once the runtime exists (<see cref="ProjectRoot.Runtime"/> knows what is installed): the ones asked for (<c>--plugin</c>,
    /// a resumed session's, an engine's key) and the defaults. <see langword="null"/> (default) loads none asked for
    /// and the configuration's <c>plugins.defaults</c>.
    /// </summary>
    public Func<ProjectRoot, ProjectRootPlugins>? Plugins { get; init; }

    /// <summary>The directory relative <c>--plugin</c> folders are read from; <see cref="Directory"/> when <see langword="null"/>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// Whether the provider plugins of <see cref="Models"/> load with the other plugins (they are on the way to the
    /// first model request). On by default; a front end that calls no model (<c>agent tool run</c>) turns it off.
    /// </summary>
    public bool PreloadProviders { get; init; } = true;

    /// <summary>
    /// The <c>provider/model</c> references whose provider plugins load with the plugins (when
    /// <see cref="PreloadProviders"/>), computed once the plugins are chosen; <see langword="null"/> (default) the
    /// configured model's.
    /// </summary>
    public Func<ConfigurationSnapshot, IEnumerable<string?>>? Models { get; init; }

    /// <summary>
    /// Attaches the front end to the root's runtime (<see cref="ProjectRoot.Runtime"/>) before any plugin loads (its renderer, the server's event log); what it
    /// returns is disposed with the root, after the session service and before the runtime.
    /// </summary>
    public Func<ProjectRoot, IDisposable?>? Attach { get; init; }

    /// <summary>Whether the root gets a permission broker and a session service (default); off for a root whose tools are called without a model.</summary>
    public bool SessionService { get; init; } = true;

    /// <summary>
    /// Attaches the front end to the permission broker (<see cref="ProjectRoot.Broker"/>) before any plugin loads (the terminal's prompter, the server's
    /// HTTP responder); what it returns is disposed with the root, after the session service.
    /// </summary>
    public Func<ProjectRoot, IDisposable?>? AttachBroker { get; init; }

    /// <summary>How long a permission request (and a question) waits for an answer before it is denied; the broker's default when <see langword="null"/>.</summary>
    public TimeSpan? AnswerTimeout { get; init; }

    /// <summary>
    /// Waited for after the plugins loaded and before the session service is composed (the front end's session store,
    /// opening on a worker thread meanwhile): the composition then resolves the opened store without blocking.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeService { get; init; }

    /// <summary>Whether closing the root delivers the events still queued to its subscribers before detaching them (a server's event log).</summary>
    public bool DrainEventsOnClose { get; init; }
}

/// <summary>The plugins a root loads (<see cref="ProjectRootRequest.Plugins"/>).</summary>
/// <param name="Requested">The plugins asked for by name (installed ids, catalog ids or folders).</param>
/// <param name="Defaults">The default plugins loaded besides them (<c>plugins.defaults</c>, unless left out).</param>
public sealed record ProjectRootPlugins(IReadOnlyList<string> Requested, IReadOnlyList<string> Defaults)
{
    /// <summary>
    /// What a session of the root records as its <c>plugins</c> setting, so that a resume anywhere loads them again: the
    /// requested ones, then the defaults that are not installed plugins (an installed plugin loads by being enabled).
    /// </summary>
    /// <param name="installed">The ids of the installed plugins.</param>
    /// <returns>The names to record, each once.</returns>
    public IReadOnlyList<string> Recorded(IReadOnlySet<string> installed)
    {
        ArgumentNullException.ThrowIfNull(installed);
        return [.. Requested.Concat(Defaults.Where(d => !installed.Contains(d))).Distinct(StringComparer.Ordinal)];
    }

    /// <summary><see cref="Recorded(IReadOnlySet{string})"/> with the installed plugins of <paramref name="runtime"/>.</summary>
    /// <param name="runtime">The root's runtime.</param>
    /// <returns>The names to record, each once.</returns>
    public IReadOnlyList<string> Recorded(Hosting.Plugins.Installed.PluginRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return Recorded(runtime.ListInstalled().Select(p => p.Locked.Id).ToHashSet(StringComparer.Ordinal));
    }
}
