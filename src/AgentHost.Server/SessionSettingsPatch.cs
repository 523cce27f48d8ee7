using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Sessions;

namespace AgentHost.Server;

/// <summary>
/// The session settings a client may set over HTTP (<c>PATCH /v1/sessions/{id}</c> and <c>settings</c> of a create):
/// each key is known and each value checked before anything changes, so a bad request changes nothing.
/// </summary>
internal static class SessionSettingsPatch
{
    public const string Title = "title";

    /// <summary>The keys a client may set.</summary>
    public static IReadOnlyList<string> Keys { get; } = [SessionSettings.MaxSteps, SessionSettings.DryRun, SessionSettings.PermissionMode, SessionSettings.Model, Title, .. ModelParameterKeys, .. SessionPolicySettings.Keys, .. SessionSettingValues.Shape];

    /// <summary>The model parameters a client may set (temperature, top_p, max_output_tokens, stop, seed, reasoning_effort).</summary>
    public static IReadOnlyList<string> ModelParameterKeys => SessionSettingValues.ModelParameters;

    /// <summary>Checks every key and value with the one validator (<see cref="SessionSettingValues"/>); a <see langword="null"/> value removes the setting (not allowed for <c>title</c>).</summary>
    /// <exception cref="AgentHostException">An unknown key or a bad value (<see cref="ErrorKind.Usage"/>), naming it and the fix.</exception>
    public static IReadOnlyList<KeyValuePair<string, string?>> Validate(IReadOnlyDictionary<string, string?> settings)
    {
        var valid = new List<KeyValuePair<string, string?>>();
        foreach (var (rawKey, value) in settings)
        {
            if (value is not null)
            {
                var (checkedKey, stored) = SessionSettingValues.Check(rawKey, value, Keys, "settings.");
                valid.Add(new(checkedKey, stored));
                continue;
            }

            var key = SessionSettingValues.CheckKey(rawKey, Keys, "settings.");
            valid.Add(key == Title
                ? throw new AgentHostException(ErrorKind.Usage, "settings.title: a title cannot be removed; give a new one.")
                : new(key, null));
        }

        return valid;
    }

    /// <summary>
    /// Refuses a change of the session's policy that would widen it: beyond what the session has stored (a policy only
    /// narrows) or beyond the configuration's <c>permissions.max_read_bytes</c>; each refusal names <c>settings.KEY</c>.
    /// </summary>
    /// <exception cref="AgentHostException">A widening change (<see cref="ErrorKind.Usage"/>: 400).</exception>
    public static void CheckPolicy(IReadOnlyList<KeyValuePair<string, string?>> settings, IReadOnlyDictionary<string, string> stored, PermissionPolicy configured)
    {
        foreach (var (key, value) in settings)
        {
            SessionPolicySettings.CheckChange(key, value, stored, configured, "settings.");
        }
    }

    /// <summary>Applies validated settings to an open session: the model and the mode through the session (they take effect at its next step), the rest in the store (read at each run).</summary>
    public static async Task ApplyAsync(HostedSession hosted, ISessionStore store, IReadOnlyList<KeyValuePair<string, string?>> settings, CancellationToken cancellationToken)
    {
        foreach (var (key, value) in settings)
        {
            switch (key)
            {
                case SessionSettings.Model when value is not null:
                    await hosted.Session.SetModelAsync(value, cancellationToken).ConfigureAwait(false);
                    await store.SetSettingAsync(hosted.Id, key, value, cancellationToken).ConfigureAwait(false);
                    break;
                case SessionSettings.PermissionMode when value is not null:
                    await hosted.Session.SetPermissionModeAsync(SessionHub.ParseMode(value, "settings.permission_mode"), "http", cancellationToken).ConfigureAwait(false);
                    await store.SetSettingAsync(hosted.Id, key, value, cancellationToken).ConfigureAwait(false);
                    break;
                case Title:
                    await store.SetTitleAsync(hosted.Id, value!, cancellationToken).ConfigureAwait(false);
                    break;
                case var policy when value is not null && SessionPolicySettings.IsPolicyKey(policy):
                    // Stored first (it holds after a restart), then in force for the open session's next call.
                    await store.SetSettingAsync(hosted.Id, key, value, cancellationToken).ConfigureAwait(false);
                    hosted.Session.NarrowPolicy(SessionPolicySettings.FromSettings(new Dictionary<string, string>(StringComparer.Ordinal) { [key] = value }));
                    break;
                default:
                    await store.SetSettingAsync(hosted.Id, key, value, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// The model parameters of a run: the session's stored ones, under the request's own (<c>temperature</c>,
    /// <c>topP</c>, <c>maxOutputTokens</c>, <c>stop</c>, <c>seed</c>, <c>reasoningEffort</c>), each checked by the one
    /// validator; the configuration is below both (the session resolves it).
    /// </summary>
    /// <exception cref="AgentHostException">A request value that is not valid (<see cref="ErrorKind.Usage"/>), naming its field and the fix.</exception>
    public static IReadOnlyDictionary<string, string>? ModelParametersForRun(SendMessageRequest request, IReadOnlyDictionary<string, string> settings)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in ModelParameterKeys)
        {
            if (settings.GetValueOrDefault(key) is { } stored)
            {
                result[key] = stored;
            }
        }

        (string Field, string Key, string? Value)[] requested =
        [
            ("temperature", ModelParameterValues.Temperature, request.Temperature?.ToString("R", CultureInfo.InvariantCulture)),
            ("topP", ModelParameterValues.TopP, request.TopP?.ToString("R", CultureInfo.InvariantCulture)),
            ("maxOutputTokens", ModelParameterValues.MaxOutputTokens, request.MaxOutputTokens?.ToString(CultureInfo.InvariantCulture)),
            ("stop", ModelParameterValues.Stop, request.Stop is { } stop ? ModelParameterValues.FormatStop(stop) : null),
            ("seed", ModelParameterValues.Seed, request.Seed?.ToString(CultureInfo.InvariantCulture)),
            ("reasoningEffort", ModelParameterValues.ReasoningEffort, request.ReasoningEffort),
        ];
        foreach (var (field, key, value) in requested)
        {
            if (value is null)
            {
                continue;
            }

            result[key] = ModelParameterValues.Normalize(key, value.Trim())
                ?? throw new AgentHostException(ErrorKind.Usage, $"{field}: '{value}' is not valid; {ModelParameterValues.Expected(key)}.");
        }

        return result.Count > 0 ? result : null;
    }

    /// <summary>The session's stored <c>max_steps</c> and <c>dry_run</c>, for a run (request &gt; session &gt; configuration).</summary>
    public static (int? MaxSteps, bool? DryRun) ForRun(IReadOnlyDictionary<string, string> settings) =>
        (settings.GetValueOrDefault(SessionSettings.MaxSteps) is { } steps && int.TryParse(steps, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
         settings.GetValueOrDefault(SessionSettings.DryRun) is { } dry && bool.TryParse(dry, out var d) ? d : null);
}
