using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Installation;

/// <summary>
/// Which id an install takes, and the collisions it refuses: a plugin from a marketplace is installed as
/// <c>name@marketplace</c> (<see cref="PluginIds"/>), so marketplaces never take each other's names or a plain id;
/// an id reserved for the kernel or a first-party plugin of the bundled catalog is refused from any other source; and
/// a plugin installed from one source is not replaced by another source's plugin of the same id unless asked
/// (<c>--force</c>). Every refusal names both origins and changes nothing.
/// </summary>
/// <param name="store">The plugin store (its catalog decides the first-party ids).</param>
/// <param name="resolver">The sources (the catalog listing, packages included).</param>
internal sealed class InstallIdentity(PluginStore store, PluginResolver resolver)
{
    private const string MarketplacePrefix = "marketplace:";

    /// <summary>The id a staged plugin is installed under: its manifest's, or <c>name@marketplace</c> for a marketplace's plugin.</summary>
    public static string IdOf(PluginManifest manifest, PluginCandidate candidate) =>
        candidate.Source.StartsWith(MarketplacePrefix, StringComparison.Ordinal)
            ? PluginIds.ForMarketplace(manifest.Id, candidate.Source[MarketplacePrefix.Length..])
            : manifest.Id;

    /// <summary>
    /// The installed entry an install replaces: the one of the same id, or — for a marketplace's plugin — the same
    /// marketplace entry locked under its plain name before ids were namespaced (it is then moved to the new id).
    /// </summary>
    public static LockedPlugin? Previous(PluginLockFile lockFile, string id, PluginCandidate candidate) =>
        lockFile.Find(id)
        ?? (candidate.Source.StartsWith(MarketplacePrefix, StringComparison.Ordinal)
            ? lockFile.Plugins.FirstOrDefault(p => p.Source == candidate.Source && p.Id == PluginIds.NameOf(id) && string.Equals(p.Origin, candidate.Origin, StringComparison.OrdinalIgnoreCase))
            : null);

    /// <summary>Refuses an id reserved for the kernel or a first-party plugin, unless the plugin comes from the bundled catalog.</summary>
    /// <exception cref="AgentHostException">The id is reserved; the message names its owner and the plugin's origin.</exception>
    public async Task RefuseReservedAsync(PluginManifest manifest, PluginCandidate candidate, CancellationToken cancellationToken)
    {
        if (candidate.Source == "catalog")
        {
            return;
        }

        var id = manifest.Id;
        var owner = store.ReservedBy(id);
        if (owner is null && (await resolver.Catalog.FindAsync(id, cancellationToken).ConfigureAwait(false)) is [var listed, ..])
        {
            owner = $"the first-party plugin '{id}' bundled with agent ({listed.Origin})";
        }

        if (owner is not null)
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"{candidate.Source}: {candidate.Origin} is a plugin named '{id}', but '{id}' is reserved for {owner}; a plugin from elsewhere cannot be installed under it, " +
                $"because it would replace that one. Nothing was changed. Its author can rename it (the 'id' of its plugin.yaml, or the 'name' of its .claude-plugin/plugin.json); " +
                "a marketplace's plugin of that name is installed as name@marketplace ('agent plugin install <name>@<marketplace>').");
        }
    }

    /// <summary>Refuses to replace a plugin installed from another source (or git repository) unless <paramref name="force"/>.</summary>
    /// <exception cref="AgentHostException">It would replace another source's plugin; the message names both origins and the fix.</exception>
    public static void RefuseOtherOrigin(LockedPlugin? previous, PluginManifest manifest, PluginCandidate candidate, bool force)
    {
        if (previous is null || force || SameOrigin(previous, candidate))
        {
            return;
        }

        throw new AgentHostException(
            ErrorKind.Plugin,
            $"plugin '{manifest.Id}' is already installed from {Describe(previous.Source, previous.Origin)} (version {previous.Version}); {Describe(candidate.Source, candidate.Origin)} " +
            $"has a plugin of the same id (version {manifest.Version.ToNormalizedString()}), which would replace it. Nothing was changed. " +
            $"To replace the installed one with it, pass --force; or remove it first ('agent plugin remove {manifest.Id}').");
    }

    /// <summary>
    /// Whether the candidate comes from where the installed plugin came from: the same source (<c>catalog</c>, one feed,
    /// one marketplace, a folder or a package file), and for git the same repository and folder.
    /// </summary>
    private static bool SameOrigin(LockedPlugin previous, PluginCandidate candidate)
    {
        if (previous.Source != candidate.Source)
        {
            return false;
        }

        return previous.Source != "git" || (previous.Git is { } installed && candidate.Git is { } fetched
            && string.Equals(installed.Url, fetched.Url, StringComparison.Ordinal)
            && string.Equals(installed.Path, fetched.Path, StringComparison.Ordinal));
    }

    private static string Describe(string source, string origin) => source == origin ? source : $"{source} ({origin})";
}
