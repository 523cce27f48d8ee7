using System.Collections.Concurrent;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Text;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Skills;

/// <summary>
/// The skills activated in one session (by the <c>skill</c> tool, <c>agent run --skill</c>, or found in a resumed
/// history), and what they pre-approve: calls their <c>allowed-tools</c> rules allow, and reads inside their folders.
/// </summary>
/// <remarks>
/// Pre-approval only turns a call that would <em>ask</em> into an allow (or the matching deny of dont-ask mode): it never
/// passes a deny rule, an ask rule, the safety floor or an unparsable command, and in plan mode it allows only reads.
/// The <c>allowed-tools</c> of project skills apply only in a trusted project. Thread-safe.
/// The skills a turn sees (the catalog in its system prompt, <c>--skill</c>, a resumed history's activations) are read
/// once per turn (<see cref="BeginTurn"/>): a skill added or edited during a turn is seen by the next one. Activating a
/// skill for the model reads it as it is on disk then.
/// </remarks>
public sealed partial class ActiveSkills : ISkillApprovals
{
    private readonly ConcurrentDictionary<string, Skill> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Name, bool Rules), RulePermissionGate> _matchers = new();

    /// <summary>The skills that were new or changed when activated: their <c>allowed-tools</c> pre-approve nothing.</summary>
    private readonly ConcurrentDictionary<string, bool> _untrusted = new(StringComparer.Ordinal);

    /// <summary>
    /// Every skill as it was when the session (this run) started, before any of its tools ran: a skill that is new or
    /// changed since may not pre-approve tools. Taken once, when first asked for (<see cref="BeginBaseline"/>, or the
    /// first wait or check); never faults (a baseline that cannot be taken trusts no skill).
    /// </summary>
    private readonly Lazy<Task<SkillBaseline>> _baseline;

    /// <summary>The baseline once taken: written before <see cref="_baseline"/>'s task completes, so whoever awaited that reads it here.</summary>
    private SkillBaseline? _taken;

    private readonly string _homeDirectory;
    private readonly Lock _turnLock = new();

    /// <summary>
    /// How soon after the session opened its first turn must begin to take the opening read even when that read is done:
    /// a headless run's first turn begins just after the open (reading again would walk every skill folder a second
    /// time on the way to the first request); a chat's begins when a person has typed, and reads again.
    /// </summary>
    internal static readonly TimeSpan OpeningReadKeptFor = TimeSpan.FromSeconds(2);

    /// <summary>The session's opening read of the catalog, until its first turn takes it (or finds it done and stale, and reads again).</summary>
    private SkillOpeningRead? _opening;

    private readonly TimeProvider _time = TimeProvider.System;
    private readonly DateTimeOffset _openedAt;

    private SkillOpeningRead? _turnPending;
    private SkillSnapshot? _turnSnapshot;
    private bool _inTurn;

    /// <summary>Creates the active skills of a session; the baseline is the catalog as it is now (read on this thread).</summary>
    /// <param name="catalog">Where skills are looked up.</param>
    /// <param name="homeDirectory">The user's home directory (for <c>~/</c> in rules).</param>
    public ActiveSkills(SkillCatalog catalog, string homeDirectory)
    {
        Catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _homeDirectory = homeDirectory;
        _taken = TakeBaseline(catalog.Current.All);
        _baseline = new Lazy<Task<SkillBaseline>>(Task.FromResult(_taken));
    }

    /// <summary>
    /// Creates the active skills of a session whose catalog is being read in the background: <paramref name="opening"/>
    /// completes with that read (or <see langword="null"/> when it failed); <paramref name="takeBaseline"/> takes the
    /// baseline (after that read), once, when it is first asked for, on a thread of its own. Nothing of the session may
    /// run a tool or activate a skill before <see cref="WaitForBaselineAsync"/> completes.
    /// </summary>
    /// <param name="time">The clock <see cref="OpeningReadKeptFor"/> is measured on.</param>
    internal ActiveSkills(SkillCatalog catalog, string homeDirectory, SkillOpeningRead opening, Func<Task<SkillBaseline>> takeBaseline, TimeProvider time)
    {
        Catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        ArgumentNullException.ThrowIfNull(takeBaseline);
        _homeDirectory = homeDirectory;
        _opening = opening;
        _baseline = new Lazy<Task<SkillBaseline>>(
            () => KeepAsync(Task.Factory.StartNew(takeBaseline, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()),
            LazyThreadSafetyMode.ExecutionAndPublication);
        _time = time;
        _openedAt = time.GetUtcNow();
    }

    /// <summary>The catalog.</summary>
    public SkillCatalog Catalog { get; }

    /// <summary>Whether the baseline has been taken (the session's tools wait for it).</summary>
    internal bool BaselineTaken => _baseline.IsValueCreated && _baseline.Value.IsCompleted;

    /// <summary>Whether the baseline has been begun (<see cref="BeginBaseline"/>, or a wait or check that needed it).</summary>
    internal bool BaselineBegun => _baseline.IsValueCreated;

    /// <summary>Whether the <c>allowed-tools</c> of project skills may pre-approve calls (the project is trusted).</summary>
    public bool TrustProjectSkills { get; set; } = true;

    /// <summary>The active skills, sorted by name.</summary>
    public IReadOnlyList<Skill> Active => _active.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    /// <summary>Whether a skill is active.</summary>
    /// <param name="name">The skill name.</param>
    /// <returns>Whether it is.</returns>
    public bool IsActive(string name) => _active.ContainsKey(name);

    /// <summary>
    /// The skills as the current turn reads them: read once, at the turn's first use (the session's first turn takes
    /// the read begun when the session opened, if it was still under way when the turn began or the turn began within
    /// <see cref="OpeningReadKeptFor"/> of the open), and kept until the turn ends; between turns, the catalog as it is now.
    /// </summary>
    internal SkillSnapshot Snapshot
    {
        get
        {
            lock (_turnLock)
            {
                if (!_inTurn)
                {
                    return Catalog.Current;
                }

                if (_turnSnapshot is null)
                {
                    var opened = _turnPending?.Join();
                    _turnPending = null;
                    if (opened is not null)
                    {
                        // The opening read published nothing: its problems are published now, as a read of Current would.
                        Catalog.PublishPending();
                    }

                    _turnSnapshot = opened ?? Catalog.Current;
                }

                return _turnSnapshot;
            }
        }
    }

    /// <summary>Starts a turn: its reads of the skills share one read of the catalog (<see cref="Snapshot"/>); nothing when one is started.</summary>
    internal void BeginTurn()
    {
        lock (_turnLock)
        {
            if (_inTurn)
            {
                return;
            }

            _inTurn = true;
            _turnSnapshot = null;
            _turnPending = _opening is { } opening && (!opening.IsCompleted || _time.GetUtcNow() - _openedAt < OpeningReadKeptFor) ? opening : null;
            _opening = null;
        }
    }

    /// <summary>Ends a turn: the next one reads the skills again.</summary>
    internal void EndTurn()
    {
        lock (_turnLock)
        {
            _inTurn = false;
            _turnSnapshot = null;
            _turnPending = null;
            _opening = null;
        }
    }

    /// <summary>Completes when the baseline has been taken: before a tool of the session runs, nothing it does can change a skill.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The wait.</returns>
    internal ValueTask WaitForBaselineAsync(CancellationToken cancellationToken) =>
        _baseline.Value is { IsCompleted: true } ? ValueTask.CompletedTask : new ValueTask(_baseline.Value.WaitAsync(cancellationToken));

    /// <summary>
    /// Begins taking the baseline in the background, if it is not begun: when the model has begun its first answer,
    /// so that the fingerprinting (every skill folder listed) is neither on the way to the first request nor competing
    /// with it for the CPU, and is done before the answer's first tool call can need it
    /// (docs/decisions/0020-session-opening-stage.md). Whatever needs the baseline first begins it otherwise.
    /// </summary>
    internal void BeginBaseline() => _ = _baseline.Value;

    /// <summary>The baseline <paramref name="taking"/> takes, kept in <see cref="_taken"/> before the returned task completes.</summary>
    private async Task<SkillBaseline> KeepAsync(Task<SkillBaseline> taking)
    {
        var taken = await taking.ConfigureAwait(false);
        Volatile.Write(ref _taken, taken);
        return taken;
    }

    /// <summary>Activates a skill for the model (the <c>skill</c> tool).</summary>
    /// <param name="name">The skill name.</param>
    /// <returns>The activation text, or a short note when it is already active.</returns>
    /// <exception cref="SkillActivationException">No such usable skill, or it is not for the model.</exception>
    public string ActivateForModel(string name)
    {
        // A tool call: the skill as it is on disk now (what it renders is what its fingerprint is checked against).
        var skill = Lookup(name, Catalog.Current);
        if (skill.Document!.DisableModelInvocation)
        {
            throw new SkillActivationException($"skill '{skill.Name}' can only be run by the user (disable-model-invocation: true); do not try to activate it");
        }

        return _active.TryAdd(skill.Name, skill)
            ? Render(skill)
            : $"Skill '{skill.Name}' is already active: its instructions are earlier in this conversation. Follow them; do not activate it again.";
    }

    /// <summary>Activates a skill a person asked for (<c>agent run --skill</c>).</summary>
    /// <param name="name">The skill name.</param>
    /// <returns>The activation text, or <see langword="null"/> when it was already active.</returns>
    /// <exception cref="SkillActivationException">No such usable skill, or it is not user-invocable.</exception>
    public string? ActivateForUser(string name)
    {
        var skill = CheckUserInvocable(name);
        return _active.TryAdd(skill.Name, skill) ? Render(skill) : null;
    }

    /// <summary>The skill a person may run, by name.</summary>
    /// <param name="name">The skill name.</param>
    /// <returns>The skill.</returns>
    /// <exception cref="SkillActivationException">No such usable skill, or it is not user-invocable.</exception>
    public Skill CheckUserInvocable(string name)
    {
        var skill = Lookup(name, Snapshot);
        return skill.Document!.UserInvocable
            ? skill
            : throw new SkillActivationException($"skill '{skill.Name}' is not user-invocable (user-invocable: false in {skill.File}); the model activates it when it applies");
    }

    /// <summary>Marks the skills activated earlier in a resumed history as active again (skills no longer found are skipped).</summary>
    /// <param name="history">The messages.</param>
    /// <param name="cancellationToken">Stops the wait for the baseline the skills are checked against.</param>
    /// <returns>A task.</returns>
    public async Task RestoreAsync(IEnumerable<ChatMessage> history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        var names = history.SelectMany(m => m.Contents).Select(content => content switch
        {
            TextContent t => t.Text,
            FunctionResultContent r => ToolJson.ResultToText(r.Result),
            _ => null,
        }).SelectMany(text => SkillContent.Find(text)).Select(found => found.Name).ToList();
        if (names.Count == 0)
        {
            return; // Nothing to restore: the catalog is not read.
        }

        var snapshot = Snapshot;
        foreach (var name in names)
        {
            if (snapshot.Find(name) is { IsUsable: true } skill && _active.TryAdd(skill.Name, skill))
            {
                await WaitForBaselineAsync(cancellationToken).ConfigureAwait(false);
                Check(skill);
            }
        }
    }

    /// <summary>
    /// The tools the active skills' <c>allowed-tools</c> name (<c>git_commit</c>, <c>git/git_commit</c>,
    /// <c>mcp__github__*</c>): deferred tools among them are loaded up front (docs/agent-loop.md).
    /// </summary>
    /// <returns>The tool parts of their tool rules, as written (a plugin id and <c>*</c> included).</returns>
    public IReadOnlyList<string> NamedTools()
    {
        var names = new List<string>();
        foreach (var skill in Active)
        {
            foreach (var text in skill.Document!.AllowedTools)
            {
                if (PermissionRuleParser.TryParse(RuleList.Allow, text, out var rule, out _) && rule!.Target == RuleTarget.Tool && !names.Contains(rule.ToolName))
                {
                    names.Add(rule.ToolName);
                }
            }
        }

        return names;
    }

    /// <summary>Reads a file bundled with an active skill.</summary>
    /// <param name="name">The skill name.</param>
    /// <param name="file">The path relative to the skill folder.</param>
    /// <returns>The file text.</returns>
    /// <exception cref="SkillActivationException">The skill is not active, or the file is outside its folder, missing or binary.</exception>
    public string ReadFile(string name, string file)
    {
        if (!_active.TryGetValue(name.Trim(), out var skill))
        {
            throw new SkillActivationException($"skill '{name}' is not active; call skill with name '{name}' first, then read its files");
        }

        var paths = new Sdk.Tools.WorkspacePaths(skill.Directory);
        var full = paths.Resolve(file.Trim());
        if (full is null)
        {
            throw new SkillActivationException($"'{file}' is outside the folder of skill '{skill.Name}'; give a path from its file list, relative to {skill.Directory}");
        }

        if (!File.Exists(full))
        {
            var files = SkillContent.BundledFiles(skill.Directory, out _);
            throw new SkillActivationException($"skill '{skill.Name}' has no file '{file}'.{CloseMatches.Hint(CloseMatches.Find(file, files))} Its files: {(files.Count == 0 ? "none" : string.Join(", ", files))}");
        }

        var bytes = File.ReadAllBytes(full);
        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            throw new SkillActivationException($"'{file}' of skill '{skill.Name}' is a binary file ({bytes.Length} bytes); run it or use a tool that reads that format instead");
        }

        return System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
    }

    /// <summary>
    /// Whether an active skill pre-approves a call the configured rules would ask about: every asking part is allowed
    /// by one skill's <c>allowed-tools</c> (not in plan mode) or is a read inside that skill's folder.
    /// </summary>
    /// <param name="request">The call.</param>
    /// <param name="asking">The configured rules' decision in ask mode.</param>
    /// <param name="mode">The session's mode.</param>
    /// <returns>The allowing verdict (scope <c>skill</c>, answered by <c>skill:NAME</c>), or <see langword="null"/>.</returns>
    public PermissionVerdict? Approve(ToolPermissionRequest request, PermissionDecision asking, PermissionMode mode)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(asking);
        if (asking.Verdict != Verdict.Ask || _active.IsEmpty)
        {
            return null;
        }

        IReadOnlyList<PermissionDecision> asked = asking.Parts.Count > 0 ? asking.Parts : [asking];
        foreach (var skill in Active)
        {
            var rules = mode != PermissionMode.Plan && (TrustProjectSkills || !skill.Root.FromProject) && skill.Document!.AllowedTools.Count > 0 && !IsChangedSinceStart(skill.Name);
            var matcher = _matchers.GetOrAdd((skill.Name, rules), key => CreateMatcher(skill, key.Rules));
            var granted = matcher.Decide(request, PermissionMode.DontAsk);
            IReadOnlyList<PermissionDecision> answers = granted.Parts.Count > 0 ? granted.Parts : [granted];
            if (answers.Count == asked.Count && Covers(asked, answers, out var via))
            {
                return PermissionVerdict.Allow($"pre-approved by active skill '{skill.Name}' ({via})") with
                {
                    Scope = "skill",
                    AnsweredBy = "skill:" + skill.Name,
                    Rule = via.StartsWith("allowed-tools ", StringComparison.Ordinal)
                        ? $"allow {via["allowed-tools ".Length..]} (skill {skill.Name}: {skill.File})"
                        : $"read {skill.Directory} (folder of skill {skill.Name})",
                    Mode = mode.ToDisplayName(),
                };
            }
        }

        return null;
    }

    /// <summary>Compares the skill with the session's start; returns and remembers whether it is new or changed.</summary>
    private bool Check(Skill skill)
    {
        // Activations come from tools, --skill and resumed histories, each of which waits for the baseline first.
        var baseline = Volatile.Read(ref _taken) ?? throw new InvalidOperationException("a skill was activated before the session's skill baseline was taken; await WaitForBaselineAsync first.");
        if (baseline.IsUnchanged(skill))
        {
            return false;
        }

        _untrusted[skill.Name] = true;
        return true;
    }

    private static bool Covers(IReadOnlyList<PermissionDecision> asked, IReadOnlyList<PermissionDecision> answers, out string via)
    {
        via = string.Empty;
        for (var i = 0; i < asked.Count; i++)
        {
            if (asked[i].Verdict == Verdict.Allow)
            {
                continue;
            }

            // Only what the mode or the sandbox asks about: never an explicit ask rule, a deny, the floor or an unparsed command.
            // A read the skill's gate allows is inside its folder: a file there, or a 'cd' into it (a command to the project's gate).
            if (asked[i].Verdict != Verdict.Ask || asked[i].Basis is not (DecisionBasis.Mode or DecisionBasis.Sandbox))
            {
                return false;
            }

            if (answers[i] is { Verdict: Verdict.Allow, Basis: DecisionBasis.Rule, MatchedRule: { } rule })
            {
                via = via.Length == 0 ? "allowed-tools " + rule.Text : via;
            }
            else if (answers[i] is { Verdict: Verdict.Allow, Basis: DecisionBasis.Mode, Kind: "read" } && asked[i].Basis is DecisionBasis.Sandbox or DecisionBasis.Mode)
            {
                via = via.Length == 0 ? "a read inside its folder" : via;
            }
            else
            {
                return false;
            }
        }

        return via.Length > 0;
    }

    private RulePermissionGate CreateMatcher(Skill skill, bool withRules)
    {
        var rules = new List<PermissionRule>();
        if (withRules)
        {
            foreach (var text in skill.Document!.AllowedTools)
            {
                if (PermissionRuleParser.TryParse(RuleList.Allow, text, out var rule, out _))
                {
                    // Paths in a skill's shell patterns are relative to its folder (docs/skills.md).
                    rules.Add(rule! with { Origin = $"skill {skill.Name} allowed-tools", Anchor = skill.Directory });
                }
            }
        }

        return new RulePermissionGate(new PermissionPolicy(rules, safetyFloor: false), PermissionMode.DontAsk, skill.Directory, _homeDirectory, [skill.Directory]);
    }

    private static Skill Lookup(string name, SkillSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (snapshot.Find(name) is { } skill)
        {
            return skill;
        }

        var broken = snapshot.All.FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.Ordinal) && !s.IsUsable);
        if (broken is { Status: SkillStatus.Disabled })
        {
            throw new SkillActivationException($"skill '{broken.Name}' is disabled: skills.disabled in the configuration names it ('agent config get skills.disabled'); take it off that list to use it");
        }

        if (broken is not null)
        {
            throw new SkillActivationException($"skill '{name}' cannot be used: {string.Join("; ", broken.Problems.Where(p => p.IsError).Select(p => p.ToString()))}");
        }

        var names = snapshot.Available.Select(s => s.Name).ToList();
        throw new SkillActivationException($"no skill named '{name}'.{CloseMatches.Hint(CloseMatches.Find(name, names))} " +
            (names.Count == 0 ? "No skills are installed." : $"Available: {string.Join(", ", names)}"));
    }

    /// <summary>Takes the baseline of the catalog's skills (<c>skills.baseline</c> on the startup timeline).</summary>
    /// <param name="skills">Every skill of the catalog.</param>
    /// <param name="useContentHashes">Whether the skills' content hashes stand for their files (<see cref="SkillBaseline.Take(IEnumerable{Skill}, bool)"/>).</param>
    /// <returns>The baseline.</returns>
    internal static SkillBaseline TakeBaseline(IEnumerable<Skill> skills, bool useContentHashes = false)
    {
        using (Hosting.StartupActivities.Start("skills.baseline"))
        {
            return SkillBaseline.Take(skills, useContentHashes);
        }
    }
}

/// <summary>A skill could not be activated or read; the message says why and what to do.</summary>
internal sealed class SkillActivationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SkillActivationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public SkillActivationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SkillActivationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
