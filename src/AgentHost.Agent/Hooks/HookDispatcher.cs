using System.Text.Json.Nodes;
using AgentHost.Agent.Telemetry;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Text;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Events;
using AgentHost.Hosting.Hooks;
using AgentHost.Permissions;

namespace AgentHost.Agent.Hooks;

/// <summary>What the hooks of one event answered together.</summary>
/// <param name="Answers">Each hook's answer, in configuration order.</param>
public sealed record HookOutcome(IReadOnlyList<HookAnswer> Answers)
{
    /// <summary>No hook ran.</summary>
    public static HookOutcome None { get; } = new([]);

    /// <summary>Whether any hook blocks.</summary>
    public bool Blocks => Answers.Any(a => a.Blocks);

    /// <summary>The reasons of the blocking hooks, one per line.</summary>
    public string? BlockReason => Join(Answers.Where(a => a.Blocks).Select(a => a.Reason));

    /// <summary>The strongest permission decision: deny, then ask, then allow (as Claude Code orders them).</summary>
    public HookAnswer? Decision =>
        Answers.FirstOrDefault(a => a.PermissionDecision == "deny")
        ?? Answers.FirstOrDefault(a => a.PermissionDecision == "ask")
        ?? Answers.FirstOrDefault(a => a.PermissionDecision == "allow");

    /// <summary>The last replacement input any hook gave.</summary>
    public JsonObject? UpdatedInput => Answers.LastOrDefault(a => a.UpdatedInput is not null)?.UpdatedInput;

    /// <summary>The hooks' context for the model, one block per hook.</summary>
    public string? AdditionalContext => Join(Answers.Select(a => a.AdditionalContext), "\n\n");

    /// <summary>The hook that asked the agent to stop (<c>"continue": false</c>), if any.</summary>
    public HookAnswer? Stop => Answers.FirstOrDefault(a => a.StopsAgent);

    private static string? Join(IEnumerable<string?> parts, string separator = "\n")
    {
        var list = parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()).ToList();
        return list.Count == 0 ? null : string.Join(separator, list);
    }
}

/// <summary>
/// A session's hooks: selects the hooks of an event that match, runs them in parallel (identical commands once), and
/// publishes a <see cref="HookRanEvent"/> for each and a <see cref="WarningEvent"/> for each non-blocking problem.
/// </summary>
/// <remarks>Thread-safe. Never throws for a hook that fails; cancellation ends the hooks and throws.</remarks>
public sealed class HookDispatcher
{
    private const int MaxReasonCharacters = 2000;
    private readonly IEventBus _events;
    private readonly SecretScrubber _scrubber;
    private readonly TimeProvider _time;

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="configuration">The hooks.</param>
    /// <param name="projectRoot">The project root (working directory of every hook).</param>
    /// <param name="events">Where hook runs are published.</param>
    /// <param name="scrubber">Redacts secrets from what is published.</param>
    /// <param name="time">The clock.</param>
    public HookDispatcher(HookConfiguration configuration, string projectRoot, IEventBus events, SecretScrubber scrubber, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(projectRoot);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(scrubber);
        Configuration = configuration;
        ProjectRoot = projectRoot;
        _events = events;
        _scrubber = scrubber;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The hooks.</summary>
    public HookConfiguration Configuration { get; }

    /// <summary>The project root.</summary>
    public string ProjectRoot { get; }

    /// <summary>Where each hook's span goes (<c>hook EVENT</c>).</summary>
    public AgentTelemetry Telemetry { get; init; } = AgentTelemetry.Shared;

    /// <summary>The session id given to hooks (set once the session is stored).</summary>
    public string SessionId { get; set; } = string.Empty;

    /// <summary>
    /// The sandbox hook commands run in (<c>sandbox.hooks: true</c>): each gets the policy's sandbox for its command line
    /// (<see cref="SandboxPolicy.ForAsync"/>: the network only when a <c>sandbox.network</c> rule matches it);
    /// <see langword="null"/>: hooks run unsandboxed.
    /// </summary>
    public SandboxPolicy? Sandbox { get; set; }

    /// <summary>
    /// The complete environment hook commands start from (a shared server's allow-list,
    /// <see cref="Engine.SessionProcessEnvironment.ForConfigured"/>); <see langword="null"/>: the user's own (the CLI).
    /// </summary>
    public IReadOnlyDictionary<string, string>? ProcessEnvironment { get; set; }

    /// <summary>The session's permission mode in Claude Code's words (<c>default</c>, <c>acceptEdits</c>, …).</summary>
    public Func<string> PermissionMode { get; set; } = static () => "default";

    /// <summary>Whether any active hook is configured for <paramref name="hookEvent"/>.</summary>
    /// <param name="hookEvent">The event.</param>
    /// <returns>Whether one is.</returns>
    public bool Has(string hookEvent) => Configuration.Hooks.Any(h => h.Active && h.Event == hookEvent);

    /// <summary>The active hooks of an event that match a target (a tool name and its alias, a source, a trigger).</summary>
    /// <param name="hookEvent">The event.</param>
    /// <param name="targets">What the matcher is tried against.</param>
    /// <returns>
    /// The hooks, identical commands once: one text that names the plugin's folder in two plugins' hook files
    /// (<c>${CLAUDE_PLUGIN_ROOT}/hooks/start.sh</c>) is two commands, since each runs with its own plugin's folder.
    /// </returns>
    public IReadOnlyList<HookDefinition> Select(string hookEvent, params string?[] targets)
    {
        var ignores = HookEventNames.IgnoresMatcher(hookEvent);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. Configuration.Hooks
            .Where(h => h.Active && h.Event == hookEvent && (ignores || h.CompiledMatcher.Matches(targets)))
            .Where(h => seen.Add(PluginRootReferences.Mentioned(h.Command) && h.PluginRoot is { } root ? root + "\0" + h.Command : h.Command))];
    }

    /// <summary>Runs the matching hooks of an event.</summary>
    /// <param name="hookEvent">The event.</param>
    /// <param name="fields">The event's own input fields (tool_name, prompt, …); the common ones are added.</param>
    /// <param name="targets">What matchers are tried against.</param>
    /// <param name="tool">The tool, for events about one (shown in events).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The answers.</returns>
    public async Task<HookOutcome> RunAsync(string hookEvent, JsonObject fields, IReadOnlyList<string?> targets, string? tool = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(targets);
        var hooks = Select(hookEvent, [.. targets]);
        if (hooks.Count == 0)
        {
            return HookOutcome.None;
        }

        var composing = Hosting.StartupActivities.Start("hook.compose");
        var input = Input(hookEvent, fields);
        composing?.Dispose();
        var answers = await Task.WhenAll(hooks.Select(hook => hook.RunsInBackground ? InBackground(hook, input, tool) : RunOneAsync(hook, input, tool, cancellationToken))).ConfigureAwait(false);
        return new HookOutcome(answers);
    }

    /// <summary>The JSON a hook reads: the common fields, then the event's.</summary>
    /// <param name="hookEvent">The event.</param>
    /// <param name="fields">The event's fields.</param>
    /// <returns>The JSON text.</returns>
    public string Input(string hookEvent, JsonObject fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var input = new JsonObject
        {
            ["session_id"] = SessionId,
            ["transcript_path"] = null,
            ["cwd"] = ProjectRoot,
            ["permission_mode"] = PermissionMode(),
            ["hook_event_name"] = hookEvent,
        };
        foreach (var (key, value) in fields)
        {
            input[key] = value?.DeepClone();
        }

        return input.ToJsonString();
    }

    /// <summary>
    /// Starts an <c>"async": true</c> hook and answers at once (it decides nothing); its <see cref="HookRanEvent"/> is
    /// published when it ends. It is not cancelled with the call that raised the event, only by its time limit and the host's exit.
    /// </summary>
    private Task<HookAnswer> InBackground(HookDefinition hook, string input, string? tool)
    {
        _ = Task.Run(() => RunOneAsync(hook, input, tool, CancellationToken.None));
        return Task.FromResult(new HookAnswer(hook, new HookProcessResult(null, string.Empty, string.Empty, TimeSpan.Zero) { Backgrounded = true }) { Outcome = "background" });
    }

    private async Task<HookAnswer> RunOneAsync(HookDefinition hook, string input, string? tool, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartHook(hook.Event, tool);
        var sandbox = Sandbox is { } policy ? await policy.ForAsync(hook.Command, cancellationToken: cancellationToken).ConfigureAwait(false) : null;
        var result = await HookRunner.RunAsync(hook, input, ProjectRoot, sandbox, ProcessEnvironment, cancellationToken).ConfigureAwait(false);
        var answer = HookAnswer.Read(hook, result);
        activity?.SetTag("agenthost.hook.outcome", answer.Outcome);
        activity?.SetTag("agenthost.hook.exit_code", result.ExitCode);
        activity?.SetTag("agenthost.hook.decision", answer.DecisionName);
        var reason = answer.Reason ?? answer.StopReason ?? answer.Warning;
        _events.Publish(new HookRanEvent(SessionId, hook.Event, hook.Label, _scrubber.Scrub(hook.Command), answer.Outcome, result.Duration.TotalMilliseconds)
        {
            ExitCode = result.ExitCode,
            Tool = tool,
            Decision = answer.DecisionName,
            Reason = reason is null ? null : TextCaps.HeadAndTail(_scrubber.Scrub(reason), MaxReasonCharacters, out _),
            Truncated = result.Truncated,
            Timestamp = _time.GetUtcNow(),
        });
        if (answer.Warning is { } warning)
        {
            _events.Publish(new WarningEvent("hooks", _scrubber.Scrub($"{hook.Event} hook {Describe(hook)}: {TextCaps.HeadAndTail(warning, MaxReasonCharacters, out _)}")) { Timestamp = _time.GetUtcNow() });
        }

        if (answer.SystemMessage is { Length: > 0 } message)
        {
            _events.Publish(new WarningEvent("hooks", _scrubber.Scrub($"{hook.Event} hook {Describe(hook)}: {TextCaps.HeadAndTail(message, MaxReasonCharacters, out _)}")) { Timestamp = _time.GetUtcNow() });
        }

        return answer;
    }

    /// <summary>The hook as warnings name it: its command (cut) and where it is configured.</summary>
    private static string Describe(HookDefinition hook) =>
        $"'{TextCaps.HeadAndTail(hook.Command, 80, out _)}' ({hook.Label})";

    /// <summary>The permission mode in Claude Code's words.</summary>
    /// <param name="mode">The host's mode name (<c>ask</c>, <c>accept-edits</c>, …).</param>
    /// <returns>Claude Code's name.</returns>
    public static string ClaudeModeName(string mode) => mode switch
    {
        "accept-edits" => "acceptEdits",
        "plan" => "plan",
        "yolo" => "bypassPermissions",
        "dont-ask" => "dontAsk",
        _ => "default",
    };
}
