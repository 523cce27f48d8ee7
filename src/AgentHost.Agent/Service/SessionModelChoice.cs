using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sessions;

namespace AgentHost.Agent.Service;

/// <summary>Chooses a session's model (once, when its run context is built, and again only when a front end changes it).</summary>
internal static class SessionModelChoice
{
    /// <summary>
    /// The model, by precedence: the session options' model &gt; the <c>multi_model.use_for</c> rule of the first turn's
    /// <paramref name="kind"/> &gt; the session's <c>model</c> setting &gt; the role <c>Prefer</c> names (<c>large_model</c>
    /// for best, <c>small_model</c> for fast/cheap) &gt; <c>model</c> &gt; the automatic selector.
    /// </summary>
    /// <remarks>With images, the selector keeps models with vision, and a named model the catalog knows without vision stops the turn before any request.</remarks>
    public static async Task<(SelectedModel Model, string Reason)> ChooseAsync(
        SessionServiceParts parts, SessionOptions options, TaskKind kind, IReadOnlyDictionary<string, string>? session, int promptCharacters, IReadOnlyList<string> images, CancellationToken cancellationToken)
    {
        var configuration = parts.Configuration;
        var route = options.Model is null ? ModelRouting.Find(configuration, kind) : null;
        var prefer = route is { Model: null } ? route.Prefer : options.Prefer;
        var (text, reason) = options.Model is { } named ? (named, "named with --model")
            : route is { Model: { } routed } ? (routed, route.Reason)
            : route is not null ? ((string?)null, route.Reason + ": ")
            : session?.GetValueOrDefault(SessionSettings.Model) is { Length: > 0 } remembered ? (remembered, "the session's model setting")
            : options.Prefer is ModelPreference.Best && configuration.Get("large_model") is { Length: > 0 } large ? (large, "the large_model role (--prefer best)")
            : options.Prefer is ModelPreference.Fast or ModelPreference.Cheap && configuration.SmallModel is { } small ? (small, "the small_model role (--prefer " + options.Prefer.ToString()!.ToLowerInvariant() + ")")
            : configuration.Model is { } configured ? (configured, "the 'model' setting")
            : ((string?)null, string.Empty);
        if (text is null)
        {
            var choice = await AutoSelectAsync(parts, prefer, session, promptCharacters, images.Count > 0, cancellationToken).ConfigureAwait(false);
            (text, reason) = (choice.Model.Reference, reason + choice.Reason);
        }
        else
        {
            text = ModelLookup.Qualify(text, configuration, parts.Runtime.Registry, parts.Environment); // a bare id gets its provider
        }

        if (images.Count > 0 && !reason.Contains("auto-selected", StringComparison.Ordinal))
        {
            await EnsureProviderAsync(parts, text, cancellationToken).ConfigureAwait(false);
            RequireVision(parts, text, images);
            reason += "; needs vision";
        }

        return (await SelectAsync(parts, text, cancellationToken).ConfigureAwait(false), reason);
    }

    /// <summary>Loads the provider plugin of <paramref name="text"/> when needed and creates its client.</summary>
    public static async Task<SelectedModel> SelectAsync(SessionServiceParts parts, string text, CancellationToken cancellationToken)
    {
        await EnsureProviderAsync(parts, text, cancellationToken).ConfigureAwait(false);
        return await parts.Prepared.TakeAsync(text).ConfigureAwait(false)
            ?? ModelSelection.Select(text, parts.Configuration, parts.Runtime, parts.Environment);
    }

    private static async Task EnsureProviderAsync(SessionServiceParts parts, string text, CancellationToken cancellationToken)
    {
        if (ModelSelection.ProviderTypeOf(text, parts.Configuration) is { } type)
        {
            await parts.Runtime.EnsureChatProviderAsync(type, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops a turn with images before any request when the named model is known to lack vision.</summary>
    private static void RequireVision(SessionServiceParts parts, string model, IReadOnlyList<string> images)
    {
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || ModelSelection.ProviderTypeOf(model, parts.Configuration) is not { } type)
        {
            return; // Not provider/model: ModelSelection.Select says so.
        }

        var catalog = ModelCatalog.Build(parts.Configuration, parts.Runtime.Registry);
        var known = catalog.Find(model[..slash], type, model[(slash + 1)..], parts.Runtime.Registry);
        if (ModelSelector.LacksVision(model, known, images, catalog.Models) is { } problem)
        {
            throw new AgentHostException(ErrorKind.Usage, problem);
        }
    }

    /// <summary>
    /// The model the <c>multi_model.use_for</c> rule of a later turn's <paramref name="kind"/> chooses (the automatic
    /// selector for a preference without its role), or <see langword="null"/> when there is no rule.
    /// </summary>
    public static async Task<(string Model, string Reason)?> RouteAsync(SessionServiceParts parts, TaskKind kind, int promptCharacters, CancellationToken cancellationToken)
    {
        if (ModelRouting.Find(parts.Configuration, kind) is not { } route)
        {
            return null;
        }

        if (route.Model is { } named)
        {
            return (ModelLookup.Qualify(named, parts.Configuration, parts.Runtime.Registry, parts.Environment), route.Reason);
        }

        var choice = await AutoSelectAsync(parts, route.Prefer, session: new Dictionary<string, string>(), promptCharacters, needsVision: false, cancellationToken).ConfigureAwait(false);
        return (choice.Model.Reference, route.Reason + ": " + choice.Reason);
    }

    private static async Task<ModelChoice> AutoSelectAsync(SessionServiceParts parts, ModelPreference? prefer, IReadOnlyDictionary<string, string>? session, int promptCharacters, bool needsVision, CancellationToken cancellationToken)
    {
        // Configured providers and known services with their key (or, when nothing else is, a local server that answers).
        var available = await AvailableModels.GatherAsync(parts.Configuration, parts.Runtime, parts.Environment, DiscoveryScope.Needed, cancellationToken).ConfigureAwait(false);
        var hints = new SelectionHints(
            (promptCharacters / 4) + (session is null ? 2_000 : 20_000),
            parts.Runtime.Registry.OfKind(CapabilityKind.Tool).Count > 0,
            needsVision,
            prefer ?? ModelPreference.Balanced);
        return ModelSelector.Choose(available.Catalog.Models, hints, _ => true, out var why)
            ?? throw new AgentHostException(ErrorKind.Configuration, $"no model chosen and none could be selected automatically: {why}. Pass --model provider/model, or set 'model: provider/model' in config.yaml.");
    }
}
