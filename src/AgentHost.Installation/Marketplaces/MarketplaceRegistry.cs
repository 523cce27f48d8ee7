using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Text;
using AgentHost.Installation.Git;
using AgentHost.Installation.Store;

namespace AgentHost.Installation.Marketplaces;

/// <summary>A marketplace the user added.</summary>
/// <param name="Name">The name plugins are installed by (<c>plugin@name</c>).</param>
/// <param name="Kind"><c>folder</c> (read in place) or <c>git</c> (cloned under the data folder).</param>
/// <param name="Location">The folder, or the repository URL.</param>
/// <param name="Ref">The git ref asked for; <see langword="null"/> for the default branch or a folder.</param>
/// <param name="Commit">The commit of the cached clone (git only).</param>
/// <param name="AddedAt">When it was added.</param>
/// <param name="UpdatedAt">When it was last cloned or read by <c>add</c>/<c>update</c>.</param>
public sealed record RegisteredMarketplace(string Name, string Kind, string Location, string? Ref, string? Commit, DateTimeOffset AddedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Where it came from, for messages: the folder, or the URL with its ref.</summary>
    [JsonIgnore]
    public string Display => Ref is null ? Location : Location + "#" + Ref;
}

/// <summary>One marketplace as listed: its registration, and what its file offers (or why it could not be read).</summary>
/// <param name="Registration">The registration.</param>
/// <param name="Plugins">The entries, or <see langword="null"/> when the file could not be read.</param>
/// <param name="Error">Why it could not be read.</param>
public sealed record MarketplaceListing(RegisteredMarketplace Registration, IReadOnlyList<MarketplacePlugin>? Plugins, string? Error);

/// <summary>One plugin a marketplace lists, for listings.</summary>
/// <param name="Name">The plugin name.</param>
/// <param name="Description">Its description.</param>
/// <param name="Version">The version the entry states.</param>
/// <param name="Source">Where it comes from (<c>./plugins/x</c> or a URL).</param>
/// <param name="NotInstallable">Why the host cannot install it; <see langword="null"/> when it can.</param>
public sealed record MarketplacePlugin(string Name, string? Description, string? Version, string? Source, string? NotInstallable);

/// <summary>
/// The marketplaces the user added, kept in <c>marketplaces.json</c> in the data folder (<c>$AGENT_HOME</c>), git
/// marketplaces cloned under <c>marketplaces/&lt;name&gt;/</c> beside it. Only the user's explicit commands write
/// them; a project cannot add a marketplace (Claude Code's <c>extraKnownMarketplaces</c> is not read).
/// </summary>
/// <remarks>One instance per command; writes take the plugin store's lock.</remarks>
public sealed partial class MarketplaceRegistry
{
    private readonly PluginStore _store;
    private readonly GitCloner _cloner;
    private readonly TimeProvider _time;
    private readonly Action<string>? _report;

    /// <summary>Creates the registry of a plugin store.</summary>
    /// <param name="store">The plugin store (its data folder holds the registry).</param>
    /// <param name="environment">Where git is looked up, and the working folder relative paths start from.</param>
    /// <param name="time">The clock.</param>
    /// <param name="report">Progress lines.</param>
    public MarketplaceRegistry(PluginStore store, HostEnvironment environment, TimeProvider time, Action<string>? report = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(environment);
        _store = store;
        _cloner = new GitCloner(environment);
        _time = time;
        _report = report;
        WorkingDirectory = environment.CurrentDirectory;
    }

    /// <summary>The registry file.</summary>
    public string FilePath => Path.Combine(_store.Paths.DataDirectory, "marketplaces.json");

    /// <summary>The folder git marketplaces are cloned into.</summary>
    public string CacheDirectory => Path.Combine(_store.Paths.DataDirectory, "marketplaces");

    internal GitCloner Cloner => _cloner;

    private string WorkingDirectory { get; }

    /// <summary>The registered marketplaces, by name.</summary>
    /// <exception cref="AgentHostException">The registry file is not valid JSON.</exception>
    public IReadOnlyList<RegisteredMarketplace> Registered() => Load();

    /// <summary>Adds a marketplace from a folder (or its marketplace.json) or a git URL.</summary>
    /// <param name="target">The folder, file or git URL.</param>
    /// <param name="name">The name to register it under; the file's <c>name</c> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The registration and what it lists.</returns>
    /// <exception cref="AgentHostException">Not a marketplace, malformed, unreachable, or the name is taken.</exception>
    public async Task<MarketplaceListing> AddAsync(string target, string? name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (name is not null && !NamePattern().IsMatch(name))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--name '{name}' is not a usable marketplace name; use letters, digits, '.', '_' and '-'.");
        }

        using var storeLock = StoreLock.Acquire(_store);
        var registered = Load();
        var now = _time.GetUtcNow();
        if (GitUrl.Looks(target))
        {
            var url = GitUrl.Parse(target);
            Directory.CreateDirectory(CacheDirectory);
            var clone = Path.Combine(CacheDirectory, ".new-" + Guid.NewGuid().ToString("N"));
            try
            {
                _report?.Invoke($"cloning {url.Display}");
                var commit = await _cloner.CloneAsync(url, sha: null, clone, cancellationToken).ConfigureAwait(false);
                var marketplace = ReadNamed(clone, url.Display);
                var entry = new RegisteredMarketplace(name ?? marketplace.Name, "git", url.Url, url.Ref, commit, now, now);
                RefuseDuplicate(registered, entry);
                var cache = Path.Combine(CacheDirectory, entry.Name);
                InstallFiles.TryDelete(cache, _report);
                Directory.Move(clone, cache);
                Save([.. registered, entry]);
                return Listing(entry, marketplace with { Root = cache });
            }
            finally
            {
                InstallFiles.TryDelete(clone, _report);
            }
        }

        var full = Path.GetFullPath(target, WorkingDirectory);
        var root = MarketplaceFile.FindRoot(full) ?? throw NotAMarketplace(full);
        var read = MarketplaceFile.Read(root);
        var folder = new RegisteredMarketplace(name ?? read.Name, "folder", root, null, null, now, now);
        RefuseDuplicate(registered, folder);
        Save([.. registered, folder]);
        return Listing(folder, read);
    }

    /// <summary>Removes a marketplace and its cached clone; plugins installed from it stay installed.</summary>
    /// <exception cref="AgentHostException">No marketplace has that name.</exception>
    public RegisteredMarketplace Remove(string name)
    {
        using var storeLock = StoreLock.Acquire(_store);
        var registered = Load();
        var entry = FindOrThrow(registered, name);
        Save([.. registered.Where(r => r != entry)]);
        if (entry.Kind == "git")
        {
            InstallFiles.TryDelete(Path.Combine(CacheDirectory, entry.Name), _report);
        }

        return entry;
    }

    /// <summary>Clones git marketplaces again (folders are re-read) and records the new commit.</summary>
    /// <param name="name">One marketplace, or every one when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>One listing per marketplace (with <see cref="MarketplaceListing.Error"/> when it failed) and its previous commit.</returns>
    public async Task<IReadOnlyList<(MarketplaceListing Listing, string? PreviousCommit)>> UpdateAsync(string? name, CancellationToken cancellationToken = default)
    {
        using var storeLock = StoreLock.Acquire(_store);
        var registered = Load().ToList();
        var chosen = name is null ? registered.ToList() : [FindOrThrow(registered, name)];
        var results = new List<(MarketplaceListing, string?)>();
        foreach (var entry in chosen)
        {
            try
            {
                if (entry.Kind != "git")
                {
                    var updated = entry with { UpdatedAt = _time.GetUtcNow() };
                    var marketplace = MarketplaceFile.Read(entry.Location);
                    registered[registered.IndexOf(entry)] = updated;
                    results.Add((Listing(updated, marketplace), null));
                    continue;
                }

                var url = new GitUrl(entry.Location, entry.Ref);
                var clone = Path.Combine(CacheDirectory, ".new-" + Guid.NewGuid().ToString("N"));
                try
                {
                    _report?.Invoke($"cloning {url.Display}");
                    var commit = await _cloner.CloneAsync(url, sha: null, clone, cancellationToken).ConfigureAwait(false);
                    var read = ReadNamed(clone, url.Display);
                    var cache = Path.Combine(CacheDirectory, entry.Name);
                    InstallFiles.TryDelete(cache, _report);
                    Directory.Move(clone, cache);
                    var updated = entry with { Commit = commit, UpdatedAt = _time.GetUtcNow() };
                    registered[registered.IndexOf(entry)] = updated;
                    results.Add((Listing(updated, read with { Root = cache }), entry.Commit));
                }
                finally
                {
                    InstallFiles.TryDelete(clone, _report);
                }
            }
            catch (AgentHostException ex) when (name is null)
            {
                results.Add((new MarketplaceListing(entry, null, ex.Message), entry.Commit));
            }
        }

        Save(registered);
        return results;
    }

    /// <summary>Every marketplace with what its file offers now; one that cannot be read carries the reason.</summary>
    public IReadOnlyList<MarketplaceListing> List() =>
        [.. Load().Select(entry =>
        {
            try
            {
                return Listing(entry, Read(entry));
            }
            catch (AgentHostException ex)
            {
                return new MarketplaceListing(entry, null, ex.Message);
            }
        })];

    /// <summary>Reads a registered marketplace's file (a folder in place, a git marketplace from its clone).</summary>
    internal Marketplace Read(RegisteredMarketplace entry)
    {
        var root = entry.Kind == "git" ? Path.Combine(CacheDirectory, entry.Name) : entry.Location;
        if (entry.Kind == "git" && !Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"the clone of marketplace '{entry.Name}' is missing ({root}); run 'agent plugin marketplace update {entry.Name}' to clone it again.");
        }

        if (entry.Kind != "git" && !Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"marketplace '{entry.Name}' was added from {root}, which no longer exists; add it again from its new place ('agent plugin marketplace remove {entry.Name}', then 'add').");
        }

        return MarketplaceFile.Read(root);
    }

    /// <summary>Finds a registered marketplace by name (ignoring case).</summary>
    /// <exception cref="AgentHostException">None has that name: lists the ones that exist.</exception>
    internal RegisteredMarketplace FindOrThrow(string name) => FindOrThrow(Load(), name);


    private static RegisteredMarketplace FindOrThrow(List<RegisteredMarketplace> registered, string name) =>
        registered.FirstOrDefault(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new AgentHostException(
            ErrorKind.NotFound,
            registered.Count == 0
                ? $"no marketplace '{name}': none is added. Add one with 'agent plugin marketplace add <folder|git url>'."
                : $"no marketplace '{name}'.{CloseMatches.Hint(CloseMatches.Find(name, registered.Select(r => r.Name)))} Added: {string.Join(", ", registered.Select(r => r.Name))}.");

    private static MarketplaceListing Listing(RegisteredMarketplace entry, Marketplace marketplace) =>
        new(entry, [.. marketplace.Plugins.Select(p => new MarketplacePlugin(p.Name, p.Description, p.Version, p.Source?.Display, p.NotInstallable))], null);

    private static Marketplace ReadNamed(string root, string shown)
    {
        try
        {
            return MarketplaceFile.Read(root);
        }
        catch (AgentHostException ex)
        {
            throw new AgentHostException(ex.Kind, ex.Message.Replace(root, shown, StringComparison.Ordinal), ex);
        }
    }

    private static AgentHostException NotAMarketplace(string path) =>
        new(
            Directory.Exists(path) || File.Exists(path) ? ErrorKind.Plugin : ErrorKind.NotFound,
            Directory.Exists(path) || File.Exists(path)
                ? $"{path} is not a marketplace: it has no {MarketplaceFile.RelativePath}. Point at the folder whose .claude-plugin/ holds marketplace.json (to install a single plugin folder, use 'agent plugin install <folder>')."
                : $"{path} does not exist; give a marketplace folder, its .claude-plugin/marketplace.json, or a git URL (https://…, git@host:…, file://…).");

    private static void RefuseDuplicate(List<RegisteredMarketplace> registered, RegisteredMarketplace entry)
    {
        if (registered.FirstOrDefault(r => r.Name.Equals(entry.Name, StringComparison.OrdinalIgnoreCase)) is { } existing)
        {
            throw new AgentHostException(
                ErrorKind.Usage,
                $"a marketplace named '{existing.Name}' is already added (from {existing.Display}). Add this one under another name with --name <name>, or remove the other first ('agent plugin marketplace remove {existing.Name}'); 'agent plugin marketplace update {existing.Name}' refreshes it.");
        }
    }

    private List<RegisteredMarketplace> Load()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        try
        {
            var document = JsonSerializer.Deserialize(File.ReadAllText(FilePath), RegistryJsonContext.Default.RegistryDocument);
            return [.. (document?.Marketplaces ?? []).OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];
        }
        catch (JsonException ex)
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"{FilePath}:{(ex.LineNumber ?? 0) + 1}: the marketplace list is not valid JSON ({ex.Message}). Fix it, or delete it and add your marketplaces again.",
                ex);
        }
    }

    private void Save(IEnumerable<RegisteredMarketplace> marketplaces)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temp = FilePath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new RegistryDocument(1, [.. marketplaces.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)]), RegistryJsonContext.Default.RegistryDocument));
        File.Move(temp, FilePath, overwrite: true);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();
}

/// <summary>The registry file's JSON shape.</summary>
/// <param name="Version">The format version (1).</param>
/// <param name="Marketplaces">The marketplaces.</param>
internal sealed record RegistryDocument(int Version, List<RegisteredMarketplace> Marketplaces);

/// <summary>Source-generated serialisation for <c>marketplaces.json</c>.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegistryDocument))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
