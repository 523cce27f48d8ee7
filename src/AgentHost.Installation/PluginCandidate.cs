using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using NuGet.Versioning;

namespace AgentHost.Installation;

/// <summary>How a candidate's content is obtained.</summary>
public enum CandidateKind
{
    /// <summary>A local folder holding <c>plugin.yaml</c>; copied.</summary>
    Folder,

    /// <summary>A local <c>.nupkg</c> file; extracted.</summary>
    Package,

    /// <summary>A <c>.nupkg</c> on an HTTP feed; downloaded, then extracted.</summary>
    RemotePackage,
}

/// <summary>One installable plugin version found in a source.</summary>
/// <param name="Id">The plugin id (lowercase); <see langword="null"/> for an explicit path until its manifest is read.</param>
/// <param name="Version">The version; <see langword="null"/> for an explicit path until its manifest is read.</param>
/// <param name="Source">The lockfile source: <c>catalog</c>, <c>feed:&lt;name&gt;</c>, <c>folder</c>, <c>nupkg</c>, <c>git</c> or <c>marketplace:&lt;name&gt;</c>.</param>
/// <param name="Origin">The folder, file or URL the content comes from.</param>
/// <param name="Kind">How the content is obtained.</param>
public sealed record PluginCandidate(string? Id, NuGetVersion? Version, string Source, string Origin, CandidateKind Kind)
{
    /// <summary>The version as written in folder names and the lockfile (normalized, e.g. <c>1.2.0</c>), when known.</summary>
    public string? VersionText => Version?.ToNormalizedString();

    /// <summary>The plugin's description, when the source gives one (manifest or package metadata).</summary>
    public string? Description { get; init; }

    /// <summary>The git repository and commit the content was cloned from; <see langword="null"/> when not from git.</summary>
    public GitPin? Git { get; init; }

    /// <summary>
    /// The name a plugin without a manifest name (Claude Code's default layout) takes: the marketplace entry's, or the
    /// repository's; <see langword="null"/>: the folder's own name.
    /// </summary>
    public string? DefaultName { get; init; }

    /// <summary>The plugin parts a marketplace entry defines itself, written into the staged copy's <c>plugin.json</c> (<see cref="Marketplaces.EntryManifest"/>).</summary>
    internal Marketplaces.EntryDefinition? Definition { get; init; }
}
