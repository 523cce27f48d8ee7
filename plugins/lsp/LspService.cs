using AgentHost.Plugins.Lsp.Protocol;
using AgentHost.Plugins.Lsp.Servers;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Lsp;

/// <summary>A file opened on its servers: the text they have and the servers that serve it.</summary>
internal sealed record OpenFile(string FullPath, string Relative, string Text, IReadOnlyList<LanguageServer> Servers, IReadOnlyList<string> Problems)
{
    public TextPositions Positions { get; } = new(Text);
}

/// <summary>What the tools and the middleware share: opening files on their servers, waiting for diagnostics.</summary>
internal sealed class LspService(ServerManager manager, LspSettings settings)
{
    /// <summary>The definitions, adding the configuration's problems to the list (set by the plugin).</summary>
    public Func<List<ServerProblem>, IReadOnlyList<ServerDefinition>> DefinitionsWithProblems { get; init; } = _ => manager.Definitions;

    /// <summary>The most a tool waits, after opening a document, for the server's first analysis of it.</summary>
    private static readonly TimeSpan FirstOpenWait = TimeSpan.FromSeconds(3);

    public ServerManager Manager { get; } = manager;

    public LspSettings Settings { get; } = settings;

    /// <summary>Resolves a tool's path inside the workspace, syncs the file to every server that serves it.</summary>
    /// <exception cref="ToolException">The path leaves the workspace, does not exist, or no server can serve it.</exception>
    public async Task<OpenFile> OpenAsync(WorkspacePaths paths, string path, CancellationToken cancellationToken)
    {
        var full = paths.Resolve(path) ?? throw new ToolException($"'{path}' is outside the project root {paths.Root}; give a path inside it.");
        if (!File.Exists(full))
        {
            throw new ToolException(Directory.Exists(full) ? $"'{path}' is a folder; give a file." : $"'{path}' does not exist.");
        }

        var relative = paths.Relative(full);
        if (!Manager.Serves(full))
        {
            var known = Manager.Definitions.SelectMany(d => d.Extensions).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
            throw new ToolException(known.Count == 0
                ? $"no language server is configured, so '{relative}' cannot be analysed. Load a language plugin (e.g. --plugin typescript, yaml, bash, terraform-ls) or define lsp.servers in the configuration (see docs/lsp.md)." + ConfigurationProblems()
                : $"no language server handles '{Path.GetExtension(full)}' files ('{relative}'); the loaded servers handle {string.Join(", ", known)}."
                + ConfigurationProblems());
        }

        var (servers, problems) = await Manager.ForFileAsync(full, paths.Root, cancellationToken).ConfigureAwait(false);
        if (servers.Count == 0)
        {
            throw new ToolException(string.Join(" ", problems));
        }

        var text = await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false);
        var firstAnalysis = new List<Task>();
        foreach (var server in servers)
        {
            var opening = server.OpenText(full) is null && server.Diagnostics.Generation(full) == 0;
            var limit = server.HasAnalysed ? TimeSpan.FromTicks(Math.Min(Settings.DiagnosticsTimeout.Ticks, FirstOpenWait.Ticks)) : ColdLimit;
            await server.SyncAsync(full, text, cancellationToken).ConfigureAwait(false);
            if (opening)
            {
                firstAnalysis.Add(SettledDiagnosticsAsync(server, full, 0, limit, cancellationToken));
            }
        }

        // A server answers requests about a document it has just opened before it has analysed it (tsserver loading
        // the project, bash-language-server parsing): its first diagnostics for the file say the analysis is done.
        // A cold server (its first file) may take seconds to load the project: it gets the cold-start limit.
        await Task.WhenAll(firstAnalysis).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new OpenFile(full, relative, text, servers, problems);
    }

    /// <summary>The configuration's problems, as a sentence to append to a message (empty when there are none).</summary>
    private string ConfigurationProblems()
    {
        var problems = new List<ServerProblem>();
        DefinitionsWithProblems(problems);
        return problems.Count == 0 ? string.Empty : " Configuration problems: " + string.Join(" ", problems.Select(p => p.Message));
    }

    /// <summary>The most a server that has not analysed anything yet may take for its first diagnostics.</summary>
    private TimeSpan ColdLimit => Settings.ColdStartTimeout > Settings.DiagnosticsTimeout ? Settings.ColdStartTimeout : Settings.DiagnosticsTimeout;

    /// <summary>
    /// Syncs a changed file and waits (bounded by the settings) for each server's settled diagnostics: pulled where the
    /// server answers on request, else the next published ones for the version sent (see <see cref="SettledDiagnosticsAsync"/>).
    /// </summary>
    /// <returns>Per server: its diagnostics, or <see langword="null"/> when none arrived within <c>Waited</c>; and problems (servers unavailable).</returns>
    public async Task<(List<(LanguageServer Server, IReadOnlyList<LspDiagnostic>? Items, TimeSpan Waited)> Results, List<string> Problems)> FreshDiagnosticsAsync(
        string fullPath, string workspaceRoot, CancellationToken cancellationToken)
    {
        var (servers, problems) = await Manager.ForFileAsync(fullPath, workspaceRoot, cancellationToken).ConfigureAwait(false);
        var results = new List<(LanguageServer, IReadOnlyList<LspDiagnostic>?, TimeSpan)>();
        if (servers.Count == 0 || !File.Exists(fullPath))
        {
            return (results, problems);
        }

        var text = await File.ReadAllTextAsync(fullPath, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(servers.Select(async server =>
        {
            var limit = server.HasAnalysed ? Settings.DiagnosticsTimeout : ColdLimit;
            await server.SyncAsync(fullPath, text, cancellationToken).ConfigureAwait(false);
            var items = await SettledDiagnosticsAsync(server, fullPath, server.GenerationAtSync(fullPath), limit, cancellationToken).ConfigureAwait(false);
            lock (results)
            {
                results.Add((server, items, limit));
            }
        })).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return (results, problems);
    }

    /// <summary>
    /// A synced document's settled diagnostics from one server, within <paramref name="limit"/>: pulled when the server
    /// answers on request (the answer is for the text it has now); otherwise the first published after generation
    /// <paramref name="before"/> that is not marked with an older document version than the one sent.
    /// </summary>
    /// <returns>The diagnostics, or <see langword="null"/> when none came in time.</returns>
    private static async Task<IReadOnlyList<LspDiagnostic>?> SettledDiagnosticsAsync(LanguageServer server, string path, long before, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        if (server.Pull != DiagnosticsPull.None)
        {
            try
            {
                return await server.PullDiagnosticsAsync(path, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (AgentHost.Common.JsonRpc.JsonRpcException)
            {
                // The server refused the request after all: its published diagnostics are the answer.
            }
        }

        return await server.Diagnostics.WaitAsync(path, before, timeout.Token, server.DocumentVersion(path)).ConfigureAwait(false)
            ? server.Diagnostics.Get(path) ?? []
            : null;
    }
}
