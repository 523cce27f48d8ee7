using System.Collections.Concurrent;
using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
namespace AgentHost.Permissions.Gate;

/// <summary>The permission gate driven by rules and a mode (see docs/permissions.md).</summary>
/// <remarks>
/// Thread-safe. Interactive prompts arrive later: until then a call that would ask is denied with a reason that says
/// how to allow it (<c>--permission-mode</c> or an allow rule, with the narrowest rule suggested), so headless runs
/// never block. A request whose <see cref="ToolPermissionRequest.WorkspaceRoot"/> differs from the gate's root is
/// decided against its own root.
/// </remarks>
public sealed class RulePermissionGate : IToolPermissionGate
{
    private readonly string _home;
    private readonly Lock _narrowing = new();
    private volatile PermissionEngine _engine;
    private readonly IReadOnlyList<string> _extraDirectories;
    private readonly ConcurrentDictionary<string, PermissionEngine> _byRoot = new(StringComparer.Ordinal);

    /// <summary>Creates the gate.</summary>
    /// <param name="policy">The rules and settings.</param>
    /// <param name="mode">The mode of the run.</param>
    /// <param name="workspaceRoot">The sandbox root used when a request names none.</param>
    /// <param name="homeDirectory">The user's home directory.</param>
    /// <param name="extraDirectories">More directories inside the sandbox.</param>
    /// <param name="protectedPaths">The user's protected places; the home directory's defaults when <see langword="null"/>.</param>
    public RulePermissionGate(PermissionPolicy policy, PermissionMode mode, string workspaceRoot, string homeDirectory, IEnumerable<string>? extraDirectories = null, ProtectedPaths? protectedPaths = null)
    {
        _extraDirectories = [.. extraDirectories ?? []];
        _engine = new PermissionEngine(policy, workspaceRoot, homeDirectory, _extraDirectories, protectedPaths);
        _home = homeDirectory;
        Mode = mode;
    }

    /// <summary>The mode.</summary>
    public PermissionMode Mode { get; }

    /// <summary>The rules and settings in force, with the session layers added so far (<see cref="Narrow"/>).</summary>
    public PermissionPolicy Policy => _engine.Policy;

    /// <summary>
    /// Adds a session layer for every call decided from now on (a client narrowed an open session's policy): the
    /// policy can only get narrower this way (<see cref="PermissionPolicy.WithSession"/>).
    /// </summary>
    /// <param name="session">The layer.</param>
    public void Narrow(SessionPolicy session)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_narrowing)
        {
            var engine = _engine;
            _engine = new PermissionEngine(engine.Policy.WithSession(session), engine.Sandbox);
            _byRoot.Clear();
        }
    }

    /// <summary>The full decision for a request (the verdict, rule, parts and suggestion).</summary>
    /// <param name="request">The call.</param>
    /// <returns>The decision.</returns>
    public PermissionDecision Decide(ToolPermissionRequest request) => Decide(request, Mode);

    /// <summary>The full decision for a request in a given mode (a session's mode may change mid-session).</summary>
    /// <param name="request">The call.</param>
    /// <param name="mode">The mode.</param>
    /// <returns>The decision.</returns>
    public PermissionDecision Decide(ToolPermissionRequest request, PermissionMode mode)
    {
        ArgumentNullException.ThrowIfNull(request);
        return EngineFor(request.WorkspaceRoot).Decide(CallOf(request), mode);
    }

    /// <summary>The engine's call for a request.</summary>
    internal static PermissionCall CallOf(ToolPermissionRequest request) => new(request.Tool, request.Effect, request.Description.Subject)
    {
        Plugin = request.Plugin,
        Action = request.Description.Action,
        WorkingDirectory = request.Description.WorkingDirectory,
        Paths = request.Description.Paths,
    };

    /// <summary>The engine that decides requests naming <paramref name="workspaceRoot"/> (the gate's own when none).</summary>
    internal PermissionEngine EngineFor(string? workspaceRoot)
    {
        var engine = _engine;
        if (workspaceRoot is not { Length: > 0 } root || string.Equals(Path.GetFullPath(root), engine.Root, StringComparison.Ordinal))
        {
            return engine;
        }

        // An engine cached before a Narrow has the older, wider policy: it is replaced, never used.
        var cached = _byRoot.GetOrAdd(Path.GetFullPath(root), key => new PermissionEngine(engine.Policy, key, _home, _extraDirectories, engine.ProtectedPaths));
        return ReferenceEquals(cached.Policy, engine.Policy)
            ? cached
            : _byRoot[Path.GetFullPath(root)] = new PermissionEngine(engine.Policy, Path.GetFullPath(root), _home, _extraDirectories, engine.ProtectedPaths);
    }

    /// <inheritdoc />
    public ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(ToVerdict(Decide(request)));
    }

    /// <summary>Maps a decision to the pipeline's verdict: ask becomes a deny that says how to allow the call.</summary>
    /// <param name="decision">The decision.</param>
    /// <returns>The verdict.</returns>
    public static PermissionVerdict ToVerdict(PermissionDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var verdict = decision.Verdict switch
        {
            Verdict.Allow => PermissionVerdict.Allow(decision.Reason),
            Verdict.Deny => PermissionVerdict.Deny(decision.Reason),
            _ => PermissionVerdict.Deny(NeedsApproval(decision)),
        };
        return verdict with
        {
            Scope = decision.Verdict == Verdict.Ask ? "headless" : ScopeName(decision.Basis),
            AnsweredBy = decision.Verdict == Verdict.Ask ? "headless" : "config",
            Rule = decision.MatchedRule is { } rule ? $"{rule.ListName} {rule.Text} ({rule.Location})" : null,
            Mode = decision.Mode.ToDisplayName(),
            SuggestedRules = DenialAdvice.RulesThatAllow(decision),
            Fix = DenialAdvice.For(decision),
        };
    }

    /// <summary>The scope name of a configured decision: <c>rule</c>, <c>mode</c>, <c>safety-floor</c>, <c>sandbox</c>, <c>unparsed</c> or <c>parts</c>.</summary>
    /// <param name="basis">What decided.</param>
    /// <returns>The name.</returns>
    public static string ScopeName(DecisionBasis basis) => basis switch
    {
        DecisionBasis.SafetyFloor => "safety-floor",
        _ => basis.ToString().ToLowerInvariant(),
    };

    /// <summary>The deny reason for a call that needed approval nobody could give (how to allow it is the verdict's <see cref="PermissionVerdict.Fix"/>).</summary>
    /// <param name="decision">The asking decision.</param>
    /// <returns>The reason.</returns>
    public static string NeedsApproval(PermissionDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return $"needs approval: {decision.Reason}, and nobody can be asked in this run";
    }
}
