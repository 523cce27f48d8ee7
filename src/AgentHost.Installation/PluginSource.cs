using AgentHost.Hosting;
using AgentHost.Installation.Store;

namespace AgentHost.Installation;

/// <summary>A place plugins are installed from: the bundled catalog, a feed, or an explicit path.</summary>
/// <remarks>Instances live for one command; they cache what they read and are not thread-safe.</remarks>
internal abstract class PluginSource
{
    private readonly Action<string>? _report;

    protected PluginSource(string name, string description, Action<string>? report)
    {
        Name = name;
        Description = description;
        _report = report;
    }

    /// <summary>The source as recorded in the lockfile: <c>catalog</c>, <c>feed:&lt;name&gt;</c>, <c>folder</c> or <c>nupkg</c>.</summary>
    public string Name { get; }

    /// <summary>The source for messages, e.g. <c>the catalog</c> or <c>feed 'corp' (https://…)</c>.</summary>
    public string Description { get; }

    /// <summary>Whether <see cref="ListIdsAsync"/> can enumerate the source (HTTP feeds cannot).</summary>
    public virtual bool CanListIds => true;

    /// <summary>Finds every version of a plugin in this source.</summary>
    /// <param name="id">The plugin id (compared ignoring case).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The candidates; empty when the source does not have the plugin.</returns>
    public Task<IReadOnlyList<PluginCandidate>> FindAsync(string id, CancellationToken cancellationToken = default) =>
        FindCoreAsync(id.ToLowerInvariant(), cancellationToken);

    /// <summary>Lists the plugin ids in this source (for "did you mean" hints); empty when it cannot be listed.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The ids.</returns>
    public Task<IReadOnlyList<string>> ListIdsAsync(CancellationToken cancellationToken = default) =>
        CanListIds ? ListIdsCoreAsync(cancellationToken) : Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>
    /// Lists the plugins this source offers whose id or description contains <paramref name="term"/> (every plugin
    /// when it is <see langword="null"/> or empty), every version.
    /// </summary>
    /// <param name="term">The text to look for, ignoring case.</param>
    /// <param name="includePrerelease">Whether prerelease versions are listed (sources that search remotely use it).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The candidates, with descriptions where the source has them.</returns>
    /// <exception cref="AgentHostException">The source could not be read or cannot be listed.</exception>
    public Task<IReadOnlyList<PluginCandidate>> SearchAsync(string? term, bool includePrerelease, CancellationToken cancellationToken = default) =>
        SearchCoreAsync(string.IsNullOrWhiteSpace(term) ? null : term.Trim(), includePrerelease, cancellationToken);

    /// <summary>Whether a candidate matches a search term (its id or description contains it, ignoring case).</summary>
    /// <param name="candidate">The candidate.</param>
    /// <param name="term">The term; every candidate matches <see langword="null"/>.</param>
    /// <returns>Whether it matches.</returns>
    public static bool Matches(PluginCandidate candidate, string? term) =>
        term is null
        || (candidate.Id?.Contains(term, StringComparison.OrdinalIgnoreCase) ?? false)
        || (candidate.Description?.Contains(term, StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>Copies or extracts a candidate's content into <paramref name="destination"/>, which must not exist yet.</summary>
    /// <param name="candidate">A candidate this source returned.</param>
    /// <param name="destination">The staging folder to create.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the content is in place.</returns>
    public Task StageAsync(PluginCandidate candidate, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        LastSignature = null;
        return StageCoreAsync(candidate, destination, cancellationToken);
    }

    /// <summary>The signature check of the package last staged; <see langword="null"/> when it was not a package.</summary>
    public PackageSignature? LastSignature { get; private set; }

    protected abstract Task<IReadOnlyList<PluginCandidate>> FindCoreAsync(string id, CancellationToken cancellationToken);

    protected virtual Task<IReadOnlyList<PluginCandidate>> SearchCoreAsync(string? term, bool includePrerelease, CancellationToken cancellationToken) =>
        throw new AgentHostException(ErrorKind.Plugin, $"{Description} cannot be listed.");

    protected virtual Task<IReadOnlyList<string>> ListIdsCoreAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>Stages local folders and packages; sources with remote content override this.</summary>
    protected virtual async Task StageCoreAsync(PluginCandidate candidate, string destination, CancellationToken cancellationToken)
    {
        switch (candidate.Kind)
        {
            case CandidateKind.Folder:
                InstallFiles.CopyDirectory(candidate.Origin, destination, cancellationToken);
                break;
            case CandidateKind.Package:
                await ExtractPackageAsync(candidate.Origin, destination, candidate.Origin, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new InvalidOperationException($"{GetType().Name} cannot stage a {candidate.Kind} candidate.");
        }
    }

    /// <summary>Checks a package's signature (refusing an invalid one), then extracts it.</summary>
    protected async Task ExtractPackageAsync(string nupkg, string destination, string display, CancellationToken cancellationToken)
    {
        var signature = await PackageSignatures.VerifyAsync(nupkg, display, cancellationToken).ConfigureAwait(false);
        Report($"signature: {signature}");
        NupkgExtractor.Extract(nupkg, destination, display, cancellationToken: cancellationToken);
        LastSignature = signature;
    }

    /// <summary>Reports a warning or progress line through the installer's callback.</summary>
    protected void Report(string message) => _report?.Invoke(message);
}
