using AgentHost.Hosting.Configuration;

namespace AgentHost.Agent.Models;

/// <summary>What a routing rule chose: a model, or the automatic selector with a preference.</summary>
/// <param name="Model"><c>provider/model</c> (or a bare id), or <see langword="null"/> for the automatic selector.</param>
/// <param name="Prefer">The automatic selector's preference when <paramref name="Model"/> is <see langword="null"/>.</param>
/// <param name="Reason">Why, in one line (the rule's key and value).</param>
public sealed record RoutedModel(string? Model, ModelPreference Prefer, string Reason);

/// <summary>One line of <c>agent models --explain</c>: the model a kind of request goes to, and why.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Model"><c>provider/model</c>, or <see langword="null"/> when none would be chosen.</param>
/// <param name="Why">Why (the rule, the setting or the automatic selector's reason), or what happens instead.</param>
public sealed record RouteExplanation(TaskKind Kind, string? Model, string Why);

/// <summary>
/// Routing by task type: <c>multi_model.use_for.KIND</c> names a model (<c>provider/model</c> or a bare id) or a
/// preference (<c>fast</c>, <c>cheap</c>, <c>best</c>, <c>balanced</c>: the <c>small_model</c> / <c>large_model</c> /
/// <c>model</c> role when configured, else the automatic selector) for the turns of that kind (plan, edit, summarise)
/// and for the background requests (title, compaction). Rules are documented in docs/providers.md.
/// </summary>
public static class ModelRouting
{
    /// <summary>The configuration section of the rules.</summary>
    public const string Section = "multi_model.use_for";

    /// <summary>Every kind, in the order <c>agent models --explain</c> lists them.</summary>
    public static IReadOnlyList<TaskKind> Kinds { get; } = [TaskKind.Plan, TaskKind.Edit, TaskKind.Summarise, TaskKind.Title, TaskKind.Compaction];

    /// <summary>The kind's name in configuration and on the command line (<c>plan</c>, <c>edit</c>, <c>summarise</c>, <c>title</c>, <c>compaction</c>).</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The name.</returns>
    public static string NameOf(TaskKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Parses a kind's name (<c>summarize</c> is taken for <c>summarise</c>).</summary>
    /// <param name="text">The name.</param>
    /// <param name="kind">The kind.</param>
    /// <returns>Whether the name is a kind.</returns>
    public static bool TryParse(string? text, out TaskKind kind)
    {
        var name = text?.Trim().ToLowerInvariant();
        foreach (var candidate in Kinds)
        {
            if (name == NameOf(candidate) || (candidate == TaskKind.Summarise && name == "summarize"))
            {
                kind = candidate;
                return true;
            }
        }

        kind = TaskKind.Edit;
        return false;
    }

    /// <summary>The kind of a turn: the one asked for, else plan in plan mode and edit in every other mode.</summary>
    /// <param name="asked">The kind the run or the turn asked for.</param>
    /// <param name="planMode">Whether the session is in plan mode.</param>
    /// <returns>The kind.</returns>
    public static TaskKind OfTurn(TaskKind? asked, bool planMode) => asked ?? (planMode ? TaskKind.Plan : TaskKind.Edit);

    /// <summary>What the rule for <paramref name="kind"/> chooses, or <see langword="null"/> when there is no rule.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="kind">The kind.</param>
    /// <returns>The choice, or <see langword="null"/>.</returns>
    public static RoutedModel? Find(ConfigurationSnapshot configuration, TaskKind kind)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var key = Section + "." + NameOf(kind);
        if (configuration.Get(key) is not { Length: > 0 } value)
        {
            return null;
        }

        if (!ModelSelector.TryParse(value, out var preference))
        {
            return new RoutedModel(value.Trim(), ModelPreference.Balanced, key);
        }

        return Role(configuration, preference) is { } role
            ? new RoutedModel(role.Model, preference, $"{key}: {value.Trim()} → the {role.Key} role")
            : new RoutedModel(null, preference, $"{key}: {value.Trim()} → the automatic selector");
    }

    /// <summary>
    /// The model of a background request (<see cref="TaskKind.Title"/>, <see cref="TaskKind.Compaction"/>): its rule's
    /// model, else the <c>small_model</c>; <see langword="null"/> when neither names one (the turn's model writes
    /// summaries; titles are cut from the prompt).
    /// </summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="kind">The kind.</param>
    /// <returns>The model and why, or <see langword="null"/>.</returns>
    public static (string Model, string Reason)? Background(ConfigurationSnapshot configuration, TaskKind kind)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (Find(configuration, kind) is { Model: { } routed } rule)
        {
            return (routed, rule.Reason);
        }

        return configuration.SmallModel is { } small ? (small, "the small_model role") : null;
    }

    /// <summary>
    /// Where each kind of request goes with this configuration when no model is named (<c>--model</c>, the chat's
    /// <c>/model</c>, a session's own setting): the same rules the session applies, the automatic selector over
    /// <paramref name="usable"/> with tools and a new session's prompt.
    /// </summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="usable">The usable models (<c>agent models</c>' list).</param>
    /// <returns>One line per kind, in <see cref="Kinds"/> order.</returns>
    public static IReadOnlyList<RouteExplanation> Explain(ConfigurationSnapshot configuration, IReadOnlyList<CatalogModel> usable)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(usable);
        return [.. Kinds.Select(kind => kind switch
        {
            TaskKind.Title or TaskKind.Compaction => Background(configuration, kind) is (string model, string why)
                ? new RouteExplanation(kind, model, why)
                : new RouteExplanation(kind, null, kind == TaskKind.Title ? "no rule and no small_model: the title is cut from the first prompt" : "no rule and no small_model: the turn's model writes the summary"),
            _ => Find(configuration, kind) switch
            {
                { Model: { } model } rule => new RouteExplanation(kind, model, rule.Reason),
                { } rule => Auto(kind, usable, rule.Prefer, rule.Reason + ": "),
                null when configuration.Model is { } model => new RouteExplanation(kind, model, "no rule: the 'model' setting"),
                null => Auto(kind, usable, ModelPreference.Balanced, "no rule and no 'model': "),
            },
        })];
    }

    private static RouteExplanation Auto(TaskKind kind, IReadOnlyList<CatalogModel> usable, ModelPreference prefer, string prefix) =>
        ModelSelector.Choose(usable, new SelectionHints(2_000, NeedsTools: true, NeedsVision: false, prefer), _ => true, out var why) is { } choice
            ? new RouteExplanation(kind, choice.Model.Reference, prefix + choice.Reason)
            : new RouteExplanation(kind, null, prefix + "nothing can be selected: " + why);

    private static (string Key, string Model)? Role(ConfigurationSnapshot configuration, ModelPreference preference)
    {
        var key = preference switch
        {
            ModelPreference.Best => "large_model",
            ModelPreference.Fast or ModelPreference.Cheap => "small_model",
            _ => "model",
        };
        return configuration.Get(key) is { Length: > 0 } model ? (key, model.Trim()) : null;
    }
}
