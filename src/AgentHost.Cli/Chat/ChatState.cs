using AgentHost.Agent.Service;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Permissions;
using AgentHost.Sessions;

namespace AgentHost.Cli.Chat;

/// <summary>What a chat holds: the service, the open session, and the pieces its commands use.</summary>
internal sealed class ChatState(
    AgentSessionService service, ISessionStore store, PluginRuntime runtime, ConfigurationSnapshot configuration, SessionOptions options, ChatUsage usage, TextRunRenderer text, AgentSession session)
{
    public AgentSessionService Service { get; } = service;

    public ISessionStore Store { get; } = store;

    public PluginRuntime Runtime { get; } = runtime;

    public ConfigurationSnapshot Configuration { get; } = configuration;

    /// <summary>The options new and resumed sessions open with.</summary>
    public SessionOptions Options { get; set; } = options;

    public ChatUsage Usage { get; } = usage;

    /// <summary>What the turn is doing now (<c>/ps</c>).</summary>
    public required ChatActivity Activity { get; init; }

    public TextRunRenderer Text { get; } = text;

    public AgentSession Session { get; set; } = session;

    /// <summary>The limits of each turn (<c>--max-cost</c>, <c>--max-session-cost</c>, <c>--timeout</c>; <c>/timeout</c> changes the last).</summary>
    public TurnLimits Limits { get; set; } = new(null, null, null);

    /// <summary>How loading each plugin of the chat went (<c>/plugins</c> shows the failed ones).</summary>
    public IReadOnlyList<PluginLoadResult> PluginLoads { get; init; } = [];

    /// <summary>The mode switched to in this chat before the session's first turn made its gate.</summary>
    public PermissionMode? ModeOverride { get; set; }

    public PermissionMode Mode => Session.RunContext?.Mode ?? ModeOverride ?? Session.Options.PermissionMode ?? PermissionModes.Default(interactive: true);

    public string ModeName => Mode.ToDisplayName();

    /// <summary>The model the next turn uses, as far as known.</summary>
    public string? ModelName => Session.RunContext?.Model is { } selected ? $"{selected.ProviderName}/{selected.ModelId}" : Session.Options.Model ?? Configuration.Model;

    /// <summary>
    /// The status line's parts for the turn limits in effect and an approval window: <c>cap $0.50/turn</c>,
    /// <c>cap $5.00/session</c>, <c>timeout 10m</c>, <c>approving (9m59s left)</c>.
    /// </summary>
    public IEnumerable<string> LimitParts()
    {
        if (Limits.MaxCost is { } turn)
        {
            yield return $"cap {Agent.Engine.CostCaps.Dollars(turn)}/turn";
        }

        if (Limits.MaxSessionCost is { } session)
        {
            yield return $"cap {Agent.Engine.CostCaps.Dollars(session)}/session";
        }

        if (Limits.Timeout is { } timeout)
        {
            yield return "timeout " + AgentHost.Hosting.Text.DurationText.Format(timeout);
        }

        if (Session.ApprovedUntil is { } until)
        {
            yield return $"approving ({AgentHost.Hosting.Text.DurationText.Format(until - DateTimeOffset.UtcNow)} left)";
        }
    }

    /// <summary>Shift+Tab's order: ask, accept-edits, plan, and back (the modes a person switches between while working).</summary>
    public static PermissionMode NextMode(PermissionMode mode) => mode switch
    {
        PermissionMode.Ask => PermissionMode.AcceptEdits,
        PermissionMode.AcceptEdits => PermissionMode.Plan,
        _ => PermissionMode.Ask,
    };

    /// <summary>
    /// The prompt's label: the context window's use and the cost so far once a turn reported them, and the mode unless it
    /// is <c>ask</c> — <c>ctx 3% · $0.0021 · accept-edits &gt; </c>; before the first turn just <c>&gt; </c>.
    /// </summary>
    public string Prompt
    {
        get
        {
            var descriptor = Session.RunContext?.Model.Descriptor;
            var parts = new List<string>(3);
            if (Usage.ContextTokens is { } used && descriptor is { ContextWindow: > 0 } d)
            {
                parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ctx {100.0 * used / d.ContextWindow:0}%"));
            }

            if (Usage.Cost(descriptor) is { } cost)
            {
                parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"${cost:0.00##}"));
            }

            if (Mode != PermissionMode.Ask)
            {
                parts.Add(ModeName);
            }

            return parts.Count == 0 ? "> " : string.Join(" · ", parts) + " > ";
        }
    }

    /// <summary>The line after each turn: model, context window use, cost when the model's prices are known, mode.</summary>
    public string StatusLine() => StatusLine(int.MaxValue);

    /// <summary>The status line laid out for <paramref name="width"/> columns: broken between its parts (<c> · </c>), never inside one.</summary>
    public string StatusLine(int width)
    {
        var descriptor = Session.RunContext?.Model.Descriptor;
        var parts = new List<string> { ModelName ?? "no model" };
        if (Usage.ContextTokens is { } used)
        {
            parts.Add(descriptor is { ContextWindow: > 0 } d
                ? $"context {ChatUsage.Tokens(used)}/{ChatUsage.Tokens(d.ContextWindow)} ({100.0 * used / d.ContextWindow:0}%)"
                : $"context {ChatUsage.Tokens(used)}");
        }

        parts.Add($"{ChatUsage.Tokens(Usage.InputTokens)} in / {ChatUsage.Tokens(Usage.OutputTokens)} out");
        if (Usage.Cost(descriptor) is { } cost)
        {
            parts.Add($"${cost:0.0000}");
        }

        parts.Add(ModeName);
        parts.AddRange(LimitParts());
        return WordWrap.JoinFitting("── ", parts, " · ", width, "   ");
    }
}
