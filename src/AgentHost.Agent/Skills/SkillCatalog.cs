using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Skills;

/// <summary>
/// The skills under a list of roots (see <see cref="SkillLocations"/>), kept current without a restart: every read of
/// <see cref="Current"/> re-lists the roots' <c>SKILL.md</c> files (a folder walk, no parsing) and re-parses only files
/// that were added or changed since the last scan, so a skill added or edited while a host runs is picked up on the next use.
/// </summary>
/// <remarks>
/// Precedence follows the order of the roots; within a root, paths sort ordinally. A later skill with a name already
/// taken is <see cref="SkillStatus.Shadowed"/>, with a warning naming both files. Problems are published once each as
/// <see cref="WarningEvent"/>s (source <c>skills</c>). Thread-safe.
/// </remarks>
public sealed class SkillCatalog
{
    private readonly IEventBus? _events;
    private readonly SkillScanLimits _limits;
    private readonly Lock _lock = new();
    private readonly Dictionary<SkillFileStamp, (SkillParseResult Result, string? Hash)> _parsed = [];
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);
    private bool _summarised;
    private bool _unpublished;
    private List<SkillFileStamp>? _stamps;
    private SkillSnapshot? _snapshot;
    private int _scans;

    /// <summary>Creates a catalog; nothing is read until <see cref="Current"/>.</summary>
    /// <param name="roots">The folders to search, highest precedence first.</param>
    /// <param name="events">Where problems are published, when anywhere.</param>
    /// <param name="limits">Search caps; the defaults when <see langword="null"/>.</param>
    public SkillCatalog(IEnumerable<SkillRoot> roots, IEventBus? events = null, SkillScanLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(roots);
        Roots = [.. roots];
        _events = events;
        _limits = limits ?? new SkillScanLimits();
    }

    /// <summary>The folders searched, highest precedence first.</summary>
    public IReadOnlyList<SkillRoot> Roots { get; }

    /// <summary>The names that are <see cref="SkillStatus.Disabled"/> wherever found (<c>skills.disabled</c>; <see cref="SkillLocations.Disabled"/>).</summary>
    public IReadOnlySet<string> Disabled { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Where parse results are kept between runs (<see cref="SkillParseCache"/>): a file unchanged since a run parsed it is
    /// not parsed again. <see langword="null"/> (the default) parses every file once per catalog.
    /// </summary>
    internal SkillParseCache? ParseCache { get; init; }

    /// <summary>The skills as they are on disk now (re-scanned on every read; unchanged files are not parsed again).</summary>
    public SkillSnapshot Current => Read(publish: true);

    /// <summary>
    /// Scans and parses the roots ahead of the first <see cref="Current"/> (a session does this on a pool thread when it
    /// opens, so the system prompt's catalog is ready when the first request is built). Publishes nothing: the
    /// snapshot's problems are published by the next read of <see cref="Current"/>, exactly as without the prefetch.
    /// </summary>
    public void Prefetch() => Read(publish: false);

    /// <summary>How many times the roots were walked (each read of <see cref="Current"/> and each prefetch is one walk).</summary>
    internal int Scans => Volatile.Read(ref _scans);

    /// <summary><see cref="Prefetch"/>, returning the snapshot it read (its problems are published by <see cref="PublishPending"/> or the next <see cref="Current"/>).</summary>
    /// <returns>The skills as they are on disk now.</returns>
    internal SkillSnapshot ReadAhead() => Read(publish: false);

    /// <summary>Publishes the problems of the last snapshot when a prefetch read it and nothing has published them since.</summary>
    internal void PublishPending()
    {
        lock (_lock)
        {
            if (_unpublished && _snapshot is not null)
            {
                _unpublished = false;
                Publish(_snapshot);
            }
        }
    }

    private SkillSnapshot Read(bool publish)
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _scans);
            var notes = new List<string>();
            var scanning = Hosting.StartupActivities.Start("skills.scan");
            var realFolders = new Dictionary<string, string>(OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
            var scanned = Roots.Select(root => (root, SkillScanner.Scan(root.Path, _limits, notes, realFolders))).ToList();
            var stamps = new List<SkillFileStamp>();
            foreach (var (_, files) in scanned)
            {
                stamps.AddRange(files); // not SelectMany(...).ToList(): LINQ's builder over this struct is compiled at run time
            }

            scanning?.Dispose();
            if (_snapshot is not null && _stamps is not null && stamps.SequenceEqual(_stamps))
            {
                if (publish && _unpublished)
                {
                    _unpublished = false;
                    Publish(_snapshot);
                }

                return _snapshot;
            }

            _stamps = stamps;
            using (Hosting.StartupActivities.Start("skills.build"))
            {
                _snapshot = Build(scanned, notes);
            }

            ParseCache?.SaveIfChanged();

            _unpublished = !publish;
            if (publish)
            {
                Publish(_snapshot);
            }

            return _snapshot;
        }
    }

    private SkillSnapshot Build(List<(SkillRoot Root, List<SkillFileStamp> Files)> scanned, List<string> notes)
    {
        var comparer = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var seenFiles = new HashSet<string>(comparer);
        var winners = new Dictionary<string, Skill>(StringComparer.Ordinal);
        var all = new List<Skill>();
        var used = new HashSet<SkillFileStamp>();
        foreach (var (root, files) in scanned)
        {
            foreach (var stamp in files)
            {
                if (!seenFiles.Add(stamp.RealPath))
                {
                    continue;
                }

                used.Add(stamp);
                if (!_parsed.TryGetValue(stamp, out var parsed))
                {
                    parsed.Result = ParseCache is { } cache
                        ? cache.Parse(stamp, root.PluginDirectory, out parsed.Hash)
                        : SkillParser.ParseFile(stamp.Path, root.PluginDirectory, out parsed.Hash);
                    _parsed[stamp] = parsed;
                }

                var (result, hash) = parsed;
                var directory = Path.GetDirectoryName(stamp.Path)!;
                var skill = new Skill(result.Document?.Name ?? Path.GetFileName(directory), directory, stamp.Path, root, result.Document, result.Problems) { ContentHash = hash };
                if (skill.IsUsable && Disabled.Contains(skill.Name))
                {
                    skill = skill with { Status = SkillStatus.Disabled };
                }
                else if (skill.IsUsable && winners.TryGetValue(skill.Name, out var winner))
                {
                    var shadowed = Shadowed(SkillSeverity.Warning, stamp.Path, skill.Name, winner.File, winner.Root.Label);
                    skill = skill with { Status = SkillStatus.Shadowed, ShadowedBy = winner.File, Problems = [.. skill.Problems, shadowed] };
                }
                else if (skill.IsUsable)
                {
                    winners[skill.Name] = skill;
                }

                all.Add(skill);
            }
        }

        foreach (var stale in _parsed.Keys.Where(k => !used.Contains(k)).ToList())
        {
            _parsed.Remove(stale);
        }

        return new SkillSnapshot(all, notes);
    }

    private void Publish(SkillSnapshot snapshot)
    {
        if (_events is null)
        {
            return;
        }

        // Problems of skills in other tools' folders are not ours to fix one by one in every run: one line, once.
        if (!_summarised && ThirdPartySummary(snapshot) is { } summary)
        {
            _summarised = true;
            _events.Publish(new WarningEvent("skills", summary));
        }

        foreach (var message in snapshot.All.Where(s => !s.Root.ThirdParty && s.Root.Source != SkillSource.Plugin).SelectMany(s => s.Problems).Select(p => p.ToString()).Concat(snapshot.Notes))
        {
            if (_published.Add(message))
            {
                _events.Publish(new WarningEvent("skills", message));
            }
        }

        // An installed plugin's skills are its author's to fix ('agent skill lint' lists them): details, not warnings.
        foreach (var message in snapshot.All.Where(s => !s.Root.ThirdParty && s.Root.Source == SkillSource.Plugin).SelectMany(s => s.Problems).Select(p => p.ToString()))
        {
            if (_published.Add(message))
            {
                _events.Publish(new AgentHost.Hosting.Events.DetailEvent("skills", message));
            }
        }
    }

    /// <summary>
    /// The one line that stands for the problems of skills found in other tools' folders (<see cref="SkillRoot.ThirdParty"/>):
    /// <c>3 skills in other tools' folders have problems; run 'agent skill lint' for details</c>, or <see langword="null"/> when none has any.
    /// </summary>
    /// <param name="snapshot">The skills.</param>
    /// <returns>The line, or <see langword="null"/>.</returns>
    public static string? ThirdPartySummary(SkillSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var count = snapshot.All.Count(s => s.Root.ThirdParty && s.Problems.Count > 0);
        return count == 0 ? null
            : count == 1 ? "1 skill in another tool's folder has problems; run 'agent skill lint' for details"
            : $"{count} skills in other tools' folders have problems; run 'agent skill lint' for details";
    }

    /// <summary>The problem recorded on a skill that a skill of the same name with higher precedence shadows (the same text for <c>agent skill list</c> and <c>agent skill lint</c>).</summary>
    /// <param name="severity">Warning for the catalog; error for linting a folder.</param>
    /// <param name="file">The shadowed <c>SKILL.md</c>.</param>
    /// <param name="name">The skill name.</param>
    /// <param name="winner">The <c>SKILL.md</c> that wins.</param>
    /// <param name="winnerSource">Where the winner was found (<c>project (.claude/skills)</c>, <c>user</c>, …).</param>
    /// <returns>The problem.</returns>
    internal static SkillProblem Shadowed(SkillSeverity severity, string file, string name, string winner, string winnerSource) =>
        new(severity, file, null, $"skill '{name}' is shadowed by {winner} ({winnerSource}), which takes precedence; rename one of them to use both");
}
