namespace AgentHost.Installation;

/// <summary>A source whose candidates are all known up front (a folder on disk): listed once, then filtered.</summary>
internal abstract class ListedPluginSource(string name, string description, Action<string>? report)
    : PluginSource(name, description, report)
{
    private List<PluginCandidate>? _entries;

    protected override Task<IReadOnlyList<PluginCandidate>> FindCoreAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PluginCandidate>>(Entries().Where(e => e.Id == id).ToList());

    protected override Task<IReadOnlyList<string>> ListIdsCoreAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(Entries().Select(e => e.Id!).Distinct(StringComparer.Ordinal).ToList());

    protected override Task<IReadOnlyList<PluginCandidate>> SearchCoreAsync(string? term, bool includePrerelease, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PluginCandidate>>([.. Entries().Select(e => e.Description is null ? e with { Description = Describe(e) } : e).Where(e => Matches(e, term))]);

    /// <summary>The description of a candidate listed without one (read on demand, for searches); null when unknown.</summary>
    protected virtual string? Describe(PluginCandidate candidate) => null;

    /// <summary>Adds every candidate of the source to <paramref name="entries"/>; called once.</summary>
    protected abstract void Collect(List<PluginCandidate> entries);

    private List<PluginCandidate> Entries()
    {
        if (_entries is null)
        {
            var entries = new List<PluginCandidate>();
            Collect(entries);
            _entries = entries;
        }

        return _entries;
    }
}
