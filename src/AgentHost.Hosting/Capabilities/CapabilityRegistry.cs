using System.Collections.Concurrent;
using System.Collections.Immutable;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;

namespace AgentHost.Hosting.Capabilities;

/// <summary>What changed in the registry.</summary>
/// <param name="Added">Capabilities added.</param>
/// <param name="Removed">Capabilities removed.</param>
public sealed record CapabilityChange(IReadOnlyList<RegisteredCapability> Added, IReadOnlyList<RegisteredCapability> Removed);

/// <summary>All capabilities contributed by loaded plugins, keyed by kind and name, with provenance.</summary>
/// <remarks>
/// Thread-safe. Every capability is reachable by its qualified name <c>plugin-id/name</c>. The plain name resolves
/// to the contributor whose plugin id sorts first (ordinal), whatever the load order, so the result is deterministic;
/// a clash publishes a <see cref="WarningEvent"/> (not for skill folders, which are all read whatever their names). Enumeration is ordered by kind, name, then plugin id.
/// </remarks>
public sealed class CapabilityRegistry
{
    // Keyed by a struct with its own comparer, not a value tuple: EqualityComparer<ValueTuple<…>>.Default is made by
    // reflection at run time, so its code (and LINQ's over such keys) was JIT-compiled on the way to the first request.
    private readonly ConcurrentDictionary<Key, ImmutableArray<RegisteredCapability>> _byName = new(KeyComparer.Instance);
    private readonly IEventBus? _events;
    private readonly Lock _writeLock = new();

    /// <summary>Creates a registry.</summary>
    /// <param name="events">Where clash warnings are published, when any.</param>
    public CapabilityRegistry(IEventBus? events = null) => _events = events;

    /// <summary>Raised after capabilities are added or removed.</summary>
    public event EventHandler<CapabilityChange>? Changed;

    /// <summary>Adds all capabilities of one plugin at once.</summary>
    /// <param name="pluginId">The plugin id.</param>
    /// <param name="pluginVersion">The plugin version.</param>
    /// <param name="capabilities">The capabilities.</param>
    /// <returns>The registered entries.</returns>
    public IReadOnlyList<RegisteredCapability> AddRange(string pluginId, string pluginVersion, IEnumerable<Capability> capabilities)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pluginId);
        ArgumentNullException.ThrowIfNull(capabilities);
        var added = capabilities.Select(c => new RegisteredCapability(c, pluginId, pluginVersion)).ToList();
        var clashes = new List<string>();
        lock (_writeLock)
        {
            foreach (var entry in added)
            {
                var key = new Key(entry.Kind, entry.Name);
                var existing = _byName.GetValueOrDefault(key, []);
                if (existing.Any(e => e.PluginId == pluginId))
                {
                    throw new AgentHostException(
                        ErrorKind.Plugin,
                        $"plugin '{pluginId}' registered {entry.Kind} '{entry.Name}' twice; capability names must be unique per plugin and kind.");
                }

                if (existing.Length > 0 && Clashes(entry.Kind))
                {
                    clashes.Add(Describe(entry, existing));
                }

                _byName[key] = existing.Add(entry).Sort(static (a, b) => string.CompareOrdinal(a.PluginId, b.PluginId));
            }
        }

        foreach (var clash in clashes)
        {
            _events?.Publish(new WarningEvent(pluginId, clash));
        }

        Changed?.Invoke(this, new CapabilityChange(added, []));
        return added;
    }

    /// <summary>
    /// Replaces every capability of a plugin with <paramref name="capabilities"/> in one change (a lazily activated
    /// plugin's real tools taking the place of their stand-ins): no reader sees the plugin without its tools.
    /// </summary>
    /// <param name="pluginId">The plugin id.</param>
    /// <param name="pluginVersion">The plugin version.</param>
    /// <param name="capabilities">The new capabilities.</param>
    /// <returns>The registered entries.</returns>
    public IReadOnlyList<RegisteredCapability> ReplacePlugin(string pluginId, string pluginVersion, IEnumerable<Capability> capabilities)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pluginId);
        ArgumentNullException.ThrowIfNull(capabilities);
        var added = capabilities.Select(c => new RegisteredCapability(c, pluginId, pluginVersion)).ToList();
        if (FirstRepeated(added) is { } twice)
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"plugin '{pluginId}' registered {twice.Kind} '{twice.Name}' twice; capability names must be unique per plugin and kind.");
        }

        var removed = new List<RegisteredCapability>();
        var clashes = new List<string>();
        lock (_writeLock)
        {
            var next = new Dictionary<Key, ImmutableArray<RegisteredCapability>>(KeyComparer.Instance);
            foreach (var (key, entries) in _byName)
            {
                if (entries.Any(e => e.PluginId == pluginId))
                {
                    removed.AddRange(entries.Where(e => e.PluginId == pluginId));
                    next[key] = entries.RemoveAll(e => e.PluginId == pluginId);
                }
            }

            foreach (var entry in added)
            {
                var key = new Key(entry.Kind, entry.Name);
                var existing = next.TryGetValue(key, out var kept) ? kept : _byName.GetValueOrDefault(key, []);
                if (existing.Length > 0 && Clashes(entry.Kind) && !removed.Any(r => r.Kind == entry.Kind && r.Name == entry.Name))
                {
                    clashes.Add(Describe(entry, existing));
                }

                next[key] = existing.Add(entry).Sort(static (a, b) => string.CompareOrdinal(a.PluginId, b.PluginId));
            }

            // Additions first, removals last: a reader sees the old or the new entry of every name, never neither.
            foreach (var (key, entries) in next.Where(e => !e.Value.IsEmpty))
            {
                _byName[key] = entries;
            }

            foreach (var (key, _) in next.Where(e => e.Value.IsEmpty))
            {
                _byName.TryRemove(key, out _);
            }
        }

        foreach (var clash in clashes)
        {
            _events?.Publish(new WarningEvent(pluginId, clash));
        }

        Changed?.Invoke(this, new CapabilityChange(added, removed));
        return added;
    }

    /// <summary>Removes every capability of a plugin.</summary>
    /// <param name="pluginId">The plugin id.</param>
    /// <returns>The removed entries.</returns>
    public IReadOnlyList<RegisteredCapability> RemovePlugin(string pluginId)
    {
        var removed = new List<RegisteredCapability>();
        lock (_writeLock)
        {
            foreach (var (key, entries) in _byName)
            {
                var kept = entries.RemoveAll(e => e.PluginId == pluginId);
                if (kept.Length == entries.Length)
                {
                    continue;
                }

                removed.AddRange(entries.Where(e => e.PluginId == pluginId));
                if (kept.IsEmpty)
                {
                    _byName.TryRemove(key, out _);
                }
                else
                {
                    _byName[key] = kept;
                }
            }
        }

        if (removed.Count > 0)
        {
            Changed?.Invoke(this, new CapabilityChange([], removed));
        }

        return removed;
    }

    /// <summary>Finds a capability by plain or qualified (<c>plugin-id/name</c>) name.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="name">The name.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public RegisteredCapability? Find(CapabilityKind kind, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return _byName.TryGetValue(new Key(kind, name), out var entries) && !entries.IsEmpty ? entries[0] : null;
        }

        var plugin = name[..slash];
        return _byName.TryGetValue(new Key(kind, name[(slash + 1)..]), out var all)
            ? all.FirstOrDefault(e => e.PluginId == plugin)
            : null;
    }

    /// <summary>All entries, ordered by kind, name and plugin id.</summary>
    /// <returns>The entries.</returns>
    public IReadOnlyList<RegisteredCapability> All() => Sorted(static _ => true);

    /// <summary>All entries of one kind, ordered by name and plugin id.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The entries.</returns>
    public IReadOnlyList<RegisteredCapability> OfKind(CapabilityKind kind) => Sorted(e => e.Kind == kind);

    /// <summary>All entries contributed by one plugin.</summary>
    /// <param name="pluginId">The plugin id.</param>
    /// <returns>The entries.</returns>
    public IReadOnlyList<RegisteredCapability> OfPlugin(string pluginId) => Sorted(e => e.PluginId == pluginId);

    /// <summary>The entries <paramref name="include"/> accepts, ordered by kind, name and plugin id (unique per entry).</summary>
    private List<RegisteredCapability> Sorted(Func<RegisteredCapability, bool> include)
    {
        var list = new List<RegisteredCapability>();
        foreach (var (_, entries) in _byName)
        {
            foreach (var entry in entries)
            {
                if (include(entry))
                {
                    list.Add(entry);
                }
            }
        }

        list.Sort(static (a, b) =>
        {
            var byKind = ((int)a.Kind).CompareTo((int)b.Kind);
            if (byKind != 0)
            {
                return byKind;
            }

            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.PluginId, b.PluginId);
        });
        return list;
    }

    /// <summary>The first entry (in order) whose kind and name another entry repeats, or <see langword="null"/>.</summary>
    private static RegisteredCapability? FirstRepeated(List<RegisteredCapability> entries)
    {
        var counts = new Dictionary<Key, int>(KeyComparer.Instance);
        foreach (var entry in entries)
        {
            var key = new Key(entry.Kind, entry.Name);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        foreach (var entry in entries)
        {
            if (counts[new Key(entry.Kind, entry.Name)] > 1)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether two plugins' capabilities of one name and this kind are a clash worth a warning. Skill folders are not:
    /// every plugin's skill folder is read (none is chosen by its plain name), and every Claude Code plugin names its
    /// folder <c>skills</c>, so a warning there would only repeat the plugin list on every run.
    /// </summary>
    private static bool Clashes(CapabilityKind kind) => kind != CapabilityKind.SkillDirectory;

    private static string Describe(RegisteredCapability entry, ImmutableArray<RegisteredCapability> existing)
    {
        var owners = existing.Add(entry).Select(e => e.PluginId).Order(StringComparer.Ordinal).ToList();
        return $"{entry.Kind} '{entry.Name}' is contributed by {string.Join(", ", owners)}; '{entry.Name}' refers to {owners[0]}/{entry.Name}. " +
               $"Use the qualified names ({string.Join(", ", owners.Select(o => $"{o}/{entry.Name}"))}) to choose.";
    }

    /// <summary>A capability's kind and name.</summary>
    private readonly record struct Key(CapabilityKind Kind, string Name);

    /// <summary>Compares keys by kind and ordinal name (the registry's dictionaries are given it explicitly).</summary>
    private sealed class KeyComparer : IEqualityComparer<Key>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(Key x, Key y) => x.Kind == y.Kind && string.Equals(x.Name, y.Name, StringComparison.Ordinal);

        public int GetHashCode(Key key) => HashCode.Combine((int)key.Kind, StringComparer.Ordinal.GetHashCode(key.Name));
    }
}
