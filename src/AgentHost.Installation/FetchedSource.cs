using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Installation.Git;
using AgentHost.Installation.Marketplaces;
using AgentHost.Installation.Store;

namespace AgentHost.Installation;

/// <summary>
/// A plugin folder obtained for one install: a git clone (deleted when the install ends) or a folder inside a
/// marketplace. Its content is checked and staged exactly like a folder given on the command line
/// (<see cref="PathSource"/>), so every plugin format a folder install accepts works here too; only the lockfile's
/// source and origin say where it came from.
/// </summary>
internal sealed class FetchedSource : PluginSource, IDisposable
{
    private readonly string _root;
    private readonly string? _cleanup;
    private readonly Action<string>? _report;

    private FetchedSource(string root, string? cleanup, PluginCandidate candidate, Action<string>? report)
        : base(candidate.Source, candidate.Origin, report)
    {
        _root = root;
        _cleanup = cleanup;
        _report = report;
        Candidate = candidate;
    }

    /// <summary>The one candidate this source offers.</summary>
    public PluginCandidate Candidate { get; }

    public override bool CanListIds => false;

    /// <summary>Clones a repository into the staging folder and offers the plugin folder inside it.</summary>
    /// <param name="cloner">The git runner.</param>
    /// <param name="url">The repository and ref.</param>
    /// <param name="sha">A pinned commit, or <see langword="null"/>.</param>
    /// <param name="subPath">The plugin's folder inside the repository, or <see langword="null"/> for its root.</param>
    /// <param name="stagingDirectory">Where the clone goes (cleaned by the next install if this one is interrupted).</param>
    /// <param name="source">The lockfile source (<c>git</c> or <c>marketplace:&lt;name&gt;</c>).</param>
    /// <param name="origin">The lockfile origin; the URL with its ref when <see langword="null"/>.</param>
    /// <param name="report">Progress lines.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <param name="definition">The parts a marketplace entry defines itself, when it does (the folder then need not be a plugin yet).</param>
    /// <param name="defaultName">The name of a plugin without a manifest name (the marketplace entry's); else the repository's or path's last part.</param>
    /// <returns>The source; dispose it to delete the clone.</returns>
    public static async Task<FetchedSource> CloneAsync(
        GitCloner cloner, GitUrl url, string? sha, string? subPath, string stagingDirectory, string source, string? origin, Action<string>? report, CancellationToken cancellationToken, EntryDefinition? definition = null, string? defaultName = null)
    {
        Directory.CreateDirectory(stagingDirectory);
        var clone = Path.Combine(stagingDirectory, Guid.NewGuid().ToString("N") + ".clone");
        try
        {
            report?.Invoke($"cloning {url.Display}");
            var commit = await cloner.CloneAsync(url, sha, clone, cancellationToken).ConfigureAwait(false);
            var path = RepositoryPath.Normalize(subPath, url.Display);
            var root = path is null ? clone : Inside(clone, path, url.Display);
            if (!Directory.Exists(root))
            {
                throw new AgentHostException(ErrorKind.NotFound, $"{url.Display} has no folder '{path}' (at commit {commit[..Math.Min(12, commit.Length)]}); check the path to the plugin inside the repository.");
            }

            if (definition is null)
            {
                Check(root, url.Display + (path is null ? string.Empty : $" (path {path})"));
            }

            var candidate = new PluginCandidate(null, null, source, origin ?? url.Display, CandidateKind.Folder)
            {
                Git = new GitPin(url.Url, url.Ref, path, commit) { Sha = sha },
                Definition = definition,
                DefaultName = defaultName ?? LastSegment(path ?? url.Url),
            };
            return new FetchedSource(root, clone, candidate, report);
        }
        catch
        {
            InstallFiles.TryDelete(clone, report);
            throw;
        }
    }

    /// <summary>Offers a plugin folder that already exists (a relative-path entry of a marketplace).</summary>
    /// <param name="definition">The parts the marketplace entry defines itself, when it does (the folder then need not be a plugin yet).</param>
    /// <param name="defaultName">The name of a plugin without a manifest name: the marketplace entry's.</param>
    public static FetchedSource Folder(string root, string source, string origin, string shown, Action<string>? report, EntryDefinition? definition = null, string? defaultName = null)
    {
        if (definition is null)
        {
            Check(root, shown);
        }

        var candidate = new PluginCandidate(null, null, source, origin, CandidateKind.Folder) { Definition = definition, DefaultName = defaultName };
        return new FetchedSource(root, null, candidate, report);
    }

    /// <summary>A repository's or path's last part without <c>.git</c>: <c>https://host/o/notes.git</c> → <c>notes</c>.</summary>
    private static string LastSegment(string urlOrPath)
    {
        var last = urlOrPath.TrimEnd('/').Split('/', ':').Last();
        return last.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? last[..^4] : last;
    }

    /// <summary>
    /// The full path of a relative folder inside <paramref name="root"/>, refusing a symbolic link on the way: a
    /// repository could otherwise point its plugin folder at the user's own files, which the install would copy.
    /// </summary>
    /// <exception cref="AgentHostException">A part of the path is a link.</exception>
    public static string Inside(string root, string relative, string where)
    {
        var current = root;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            var info = new DirectoryInfo(current);
            if (info.Exists && (info.LinkTarget is not null || info.Attributes.HasFlag(FileAttributes.ReparsePoint)))
            {
                throw new AgentHostException(ErrorKind.Plugin, $"the plugin folder '{relative}' in {where} goes through a symbolic link ({part} → {info.LinkTarget}); plugins are installed only from real folders. Nothing was installed.");
            }
        }

        return Path.GetFullPath(current);
    }

    public void Dispose()
    {
        if (_cleanup is not null)
        {
            InstallFiles.TryDelete(_cleanup, _report);
        }
    }

    protected override Task<IReadOnlyList<PluginCandidate>> FindCoreAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PluginCandidate>>([Candidate]);

    protected override Task StageCoreAsync(PluginCandidate candidate, string destination, CancellationToken cancellationToken)
    {
        InstallFiles.CopyDirectory(_root, destination, cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>Runs the folder-install check (<see cref="PathSource.Create"/>), naming the folder as the user knows it.</summary>
    private static void Check(string root, string shown)
    {
        try
        {
            _ = PathSource.Create(root, report: null);
        }
        catch (AgentHostException ex)
        {
            throw new AgentHostException(ex.Kind, ex.Message.Replace(root, shown, StringComparison.Ordinal), ex);
        }
    }
}
