using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Manifests;
using NuGet.Versioning;

namespace AgentHost.Installation;

/// <summary>What to install.</summary>
/// <param name="Target">A plugin id, a folder holding <c>plugin.yaml</c>, a <c>.nupkg</c> file, a git URL or <c>plugin@marketplace</c>.</param>
public sealed record InstallRequest(string Target)
{
    /// <summary>An exact version to install (ids only); the highest available when <see langword="null"/>.</summary>
    public NuGetVersion? Version { get; init; }

    /// <summary>Only this source (ids only): a configured feed's name, a feed URL or a folder feed path.</summary>
    public string? Source { get; init; }

    /// <summary>Whether prerelease versions may be picked.</summary>
    public bool IncludePrerelease { get; init; }

    /// <summary>Whether to replace an installed copy of the same version whose content differs.</summary>
    public bool Force { get; init; }

    /// <summary>The plugin's folder inside a git repository (git URLs only); the repository root when <see langword="null"/>.</summary>
    public string? Path { get; init; }
}

/// <summary>What an install is about to do; shown to the user for confirmation.</summary>
/// <param name="Manifest">The validated manifest of the staged plugin.</param>
/// <param name="Candidate">Where it comes from.</param>
/// <param name="Hash">The content hash that the lockfile will record.</param>
/// <param name="Previous">The installed entry it replaces, if any.</param>
public sealed record InstallPlan(PluginManifest Manifest, PluginCandidate Candidate, string Hash, LockedPlugin? Previous)
{
    /// <summary>The package signature check; <see langword="null"/> when the plugin did not come from a package.</summary>
    public PackageSignature? Signature { get; init; }
}

/// <summary>How an install ended.</summary>
public enum InstallOutcome
{
    /// <summary>The plugin was installed (or replaced a previous version).</summary>
    Installed,

    /// <summary>The same version with the same content was already installed; nothing changed.</summary>
    AlreadyInstalled,

    /// <summary>The confirmation callback declined; nothing changed.</summary>
    Declined,
}

/// <summary>The result of an install.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Plugin">The lockfile entry written (for <see cref="InstallOutcome.Declined"/>, the one that would have been).</param>
/// <param name="Previous">The entry that was installed before, if any.</param>
public sealed record InstallResult(InstallOutcome Outcome, LockedPlugin Plugin, LockedPlugin? Previous);

/// <summary>How updating one plugin ended.</summary>
public enum UpdateOutcome
{
    /// <summary>A higher version was installed.</summary>
    Updated,

    /// <summary>No higher version exists.</summary>
    UpToDate,

    /// <summary>The plugin's source cannot be updated (a folder or a package file, or a feed no longer configured).</summary>
    Skipped,

    /// <summary>The confirmation callback declined.</summary>
    Declined,

    /// <summary>The update failed; the installed version is unchanged.</summary>
    Failed,
}

/// <summary>The result of updating one plugin.</summary>
/// <param name="Id">The plugin id.</param>
/// <param name="InstalledVersion">The version installed before the update.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="NewVersion">The version installed or offered, if any.</param>
/// <param name="Message">Why it was skipped or failed.</param>
public sealed record UpdateResult(string Id, string InstalledVersion, UpdateOutcome Outcome, string? NewVersion = null, string? Message = null);

/// <summary>The state of an installed plugin's files.</summary>
public enum VerifyStatus
{
    /// <summary>The content matches the lockfile hash.</summary>
    Ok,

    /// <summary>The content changed since install.</summary>
    Changed,

    /// <summary>The plugin folder is missing.</summary>
    Missing,
}

/// <summary>The result of verifying one installed plugin.</summary>
/// <param name="Plugin">The lockfile entry.</param>
/// <param name="Status">What was found.</param>
/// <param name="Directory">The plugin folder.</param>
/// <param name="ActualHash">The hash found on disk (when the folder exists).</param>
public sealed record VerifyResult(LockedPlugin Plugin, VerifyStatus Status, string Directory, string? ActualHash);

/// <summary>One plugin a source offers (its highest version there), for <c>agent plugin search</c>.</summary>
/// <param name="Id">The plugin id (lowercase).</param>
/// <param name="Version">The highest version the source has (stable unless prereleases were asked for).</param>
/// <param name="Description">The description, when the source gives one.</param>
/// <param name="Source">The source as the lockfile records it: <c>catalog</c> or <c>feed:&lt;name&gt;</c>.</param>
/// <param name="SourceDescription">The source for messages, e.g. <c>the catalog</c>.</param>
public sealed record AvailablePlugin(string Id, string Version, string? Description, string Source, string SourceDescription)
{
    /// <summary>What to pass to <c>agent plugin install</c> when it is not the id (<c>plugin@marketplace</c>); <see langword="null"/> for the id, or when it cannot be installed.</summary>
    public string? InstallName { get; init; }
}

/// <summary>A source a search could not read, and why.</summary>
/// <param name="Source">The source for messages.</param>
/// <param name="Reason">What went wrong.</param>
public sealed record UnreadableSource(string Source, string Reason);

/// <summary>What <see cref="PluginInstaller.SearchAsync"/> found.</summary>
/// <param name="Plugins">The matching plugins, in source order (the catalog first), then by id.</param>
/// <param name="Unreadable">The sources that could not be read (reported, not fatal).</param>
public sealed record PluginSearchResult(IReadOnlyList<AvailablePlugin> Plugins, IReadOnlyList<UnreadableSource> Unreadable);
