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
                ? $"no language server is configured, so '{relative}' cannot be analysed. Load a language plugin (e.g. --plugin typescript, yaml, bash, terraform-ls) or define lsp.servers in the configuration (see docs/lsp.md)."
                : $"no language server handles '{Path.GetExtension(full)}' files ('{relative}'); the loaded servers handle {string.Join(", ", known)}.");
        }

        var (servers, problems) = await Manager.ForFileAsync(full, paths.Root, cancellationToken).ConfigureAwait(false);
        if (servers.Count == 0)
        {
            throw new ToolException(string.Join(" ", problems));
        }

        var text = await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false);
        var firstAnalysis = new List<Task<bool>>();
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        settle.CancelAfter(TimeSpan.FromTicks(Math.Min(Settings.DiagnosticsTimeout.Ticks, FirstOpenWait.Ticks)));
        foreach (var server in servers)
        {
            var opening = server.OpenText(full) is null && server.Diagnostics.Generation(full) == 0;
            await server.SyncAsync(full, text, cancellationToken).ConfigureAwait(false);
            if (opening)
            {
                firstAnalysis.Add(server.Diagnostics.WaitAsync(full, 0, settle.Token));
            }
        }

        // A server answers requests about a document it has just opened before it has analysed it (tsserver loading
        // the project, bash-language-server parsing): its first diagnostics for the file say the analysis is done.
        await Task.WhenAll(firstAnalysis).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new OpenFile(full, relative, text, servers, problems);
    }

    /// <summary>Syncs a changed file and waits (bounded by the settings) for each server's fresh diagnostics.</summary>
    /// <returns>Per server: its diagnostics, or <see langword="null"/> when none arrived in time; and problems (servers unavailable).</returns>
    public async Task<(List<(LanguageServer Server, IReadOnlyList<LspDiagnostic>? Items)> Results, List<string> Problems)> FreshDiagnosticsAsync(
        string fullPath, string workspaceRoot, CancellationToken cancellationToken)
    {
        var (servers, problems) = await Manager.ForFileAsync(fullPath, workspaceRoot, cancellationToken).ConfigureAwait(false);
        var results = new List<(LanguageServer, IReadOnlyList<LspDiagnostic>?)>();
        if (servers.Count == 0 || !File.Exists(fullPath))
        {
            return (results, problems);
        }

        var text = await File.ReadAllTextAsync(fullPath, cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Settings.DiagnosticsTimeout);
        await Task.WhenAll(servers.Select(async server =>
        {
            var before = server.Diagnostics.Generation(fullPath);
            var changed = await server.SyncAsync(fullPath, text, cancellationToken).ConfigureAwait(false);
            var fresh = !changed && before > 0 || await server.Diagnostics.WaitAsync(fullPath, before, timeout.Token).ConfigureAwait(false);
            lock (results)
            {
                results.Add((server, fresh ? server.Diagnostics.Get(fullPath) ?? [] : null));
            }
        })).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return (results, problems);
    }
}

