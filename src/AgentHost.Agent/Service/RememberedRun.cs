using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Sessions;

namespace AgentHost.Agent.Service;

/// <summary>
/// What a stored session remembers of its runs: the model and the plugins its latest run used (the session's
/// <c>model</c> and <c>plugins</c> settings). A front end reads it before a resumed run loads its plugins, so that
/// <c>agent run --session ID</c> and <c>--continue</c> get the same model and tools as before unless told otherwise.
/// </summary>
/// <param name="SessionId">The session's full id.</param>
/// <param name="Workspace">The project root the session works in.</param>
/// <param name="Model">The remembered <c>provider/model</c>, or <see langword="null"/> for a session written before models were recorded.</param>
/// <param name="Plugins">The remembered plugins, or <see langword="null"/> for a session written before plugins were recorded.</param>
public sealed record RememberedRun(string SessionId, string Workspace, string? Model, IReadOnlyList<string>? Plugins)
{
    /// <summary>Reads what the session <paramref name="idOrPrefix"/> remembers, or the newest session of <paramref name="workspaceRoot"/> when no id is given (<c>--continue</c>).</summary>
    /// <param name="store">The session store.</param>
    /// <param name="idOrPrefix">A session id or unique prefix; <see langword="null"/> for the newest session of the workspace.</param>
    /// <param name="workspaceRoot">The workspace whose newest session <c>--continue</c> resumes.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session's id and what it remembers.</returns>
    /// <exception cref="AgentHostException">No such session, or the workspace has none yet (<see cref="ErrorKind.NotFound"/>).</exception>
    public static async Task<RememberedRun> FindAsync(ISessionStore store, string? idOrPrefix, string workspaceRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(workspaceRoot);
        SessionInfo session;
        if (idOrPrefix is not null)
        {
            session = await store.GetSessionAsync(await store.ResolveIdAsync(idOrPrefix, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var latest = await store.ListSessionsAsync(workspaceRoot, 1, cancellationToken).ConfigureAwait(false);
            session = latest.Count > 0 ? latest[0] : throw AgentSessionService.NoSessionToContinue(workspaceRoot);
        }

        var settings = await store.GetSettingsAsync(session.Id, cancellationToken).ConfigureAwait(false);
        return new RememberedRun(
            session.Id,
            session.Workspace,
            settings.GetValueOrDefault(SessionSettings.Model) is { Length: > 0 } model ? model : null,
            settings.TryGetValue(SessionSettings.Plugins, out var plugins) ? ParsePlugins(plugins) : null);
    }

    /// <summary>The stored form of a plugin list: the names, comma-separated.</summary>
    /// <param name="plugins">The plugin ids or folders.</param>
    /// <returns>The setting's value.</returns>
    public static string FormatPlugins(IEnumerable<string> plugins) => string.Join(", ", plugins);

    /// <summary>Reads a stored plugin list (<see cref="FormatPlugins"/>).</summary>
    /// <param name="text">The setting's value.</param>
    /// <returns>The names, in order; empty for an empty value.</returns>
    public static IReadOnlyList<string> ParsePlugins(string text) =>
        [.. (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The form of a model a session remembers: <c>provider/model</c> as selected, except that a model id naming a file
    /// relative to the working directory (the scripted provider's script) is stored as its absolute path, so that the
    /// session resumes from any directory.
    /// </summary>
    /// <param name="model">The selected model.</param>
    /// <param name="environment">The process environment (its current directory).</param>
    /// <returns>The reference to remember.</returns>
    internal static string ReferenceOf(SelectedModel model, HostEnvironment environment)
    {
        var id = model.ModelId;
        if (!Path.IsPathRooted(id) && LooksLikePath(id))
        {
            try
            {
                var full = Path.GetFullPath(id, environment.CurrentDirectory);
                if (File.Exists(full))
                {
                    id = full;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                // Not a path after all: remembered as written.
            }
        }

        return model.ProviderName + "/" + id;
    }

    private static bool LooksLikePath(string id) =>
        id.Contains('/', StringComparison.Ordinal) || id.Contains('\\', StringComparison.Ordinal) ||
        Path.GetExtension(id) is ".yaml" or ".yml" or ".json";
}
