using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;

namespace AgentHost.Sessions;

/// <summary>
/// The session settings that make up a session's policy (<see cref="SessionPolicy"/>): <c>max_read_bytes</c>,
/// <c>allow_paths</c>, <c>deny_paths</c>, <c>network_allow</c> and <c>deny_tools</c>, checked by <see cref="SessionSettingValues"/> like
/// every other setting, plus the rule that a policy once set only narrows (<see cref="CheckNarrows"/>).
/// </summary>
/// <remarks>Stateless and thread-safe. Lists are stored comma-separated; <c>network_allow none</c> allows no host.</remarks>
public static class SessionPolicySettings
{
    /// <summary>The most bytes of one read tool's result (a whole number).</summary>
    public const string MaxReadBytes = "max_read_bytes";

    /// <summary>The only path globs file tools may read and write, comma-separated.</summary>
    public const string AllowPaths = "allow_paths";

    /// <summary>Path globs no file tool may read or write, comma-separated.</summary>
    public const string DenyPaths = "deny_paths";

    /// <summary>The only hosts network calls may reach, comma-separated (<c>none</c> for no host).</summary>
    public const string NetworkAllow = "network_allow";

    /// <summary>Tools refused whatever the mode or rules say (and not offered to the model), comma-separated.</summary>
    public const string DenyTools = "deny_tools";

    /// <summary>The value of <see cref="NetworkAllow"/> that allows no host.</summary>
    public const string NoHost = "none";

    /// <summary>The policy settings.</summary>
    public static IReadOnlyList<string> Keys { get; } = [MaxReadBytes, AllowPaths, DenyPaths, NetworkAllow, DenyTools];

    /// <summary>Whether <paramref name="normalizedKey"/> is a policy setting.</summary>
    /// <param name="normalizedKey">A normalised key (<see cref="SessionSettings.NormalizeKey"/>).</param>
    /// <returns>Whether it is one of <see cref="Keys"/>.</returns>
    public static bool IsPolicyKey(string normalizedKey) => Keys.Contains(normalizedKey);

    /// <summary>Checks one policy setting and returns it in stored form (a list trimmed, without empty entries or repeats).</summary>
    /// <param name="normalizedKey">One of <see cref="Keys"/>.</param>
    /// <param name="value">The value.</param>
    /// <param name="field">How the caller names the key in errors.</param>
    /// <returns>The value to store.</returns>
    /// <exception cref="AgentHostException">A bad value (<see cref="ErrorKind.Usage"/>), naming the setting and the fix.</exception>
    public static string Check(string normalizedKey, string value, string field = "")
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (normalizedKey == MaxReadBytes)
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && Create(Single(MaxReadBytes, bytes.ToString(CultureInfo.InvariantCulture)), field) is not null
                ? bytes.ToString(CultureInfo.InvariantCulture)
                : throw new AgentHostException(ErrorKind.Usage, string.Create(CultureInfo.InvariantCulture, $"{field}max_read_bytes: '{value}' is not valid; give a whole number of bytes from {SessionPolicy.MinReadBytes} to {SessionPolicy.MaxReadBytesLimit}."));
        }

        var items = Split(text);
        if (items.Count == 0 && !(normalizedKey == NetworkAllow && text == NoHost))
        {
            throw new AgentHostException(ErrorKind.Usage, $"{field}{normalizedKey}: '{value}' is not valid; give {Expected(normalizedKey)}.");
        }

        var stored = string.Join(",", items);
        Create(Single(normalizedKey, stored), field);
        return normalizedKey == NetworkAllow && items.Count == 0 ? NoHost : stored;
    }

    /// <summary>What a policy setting expects, for errors and help.</summary>
    /// <param name="normalizedKey">One of <see cref="Keys"/>.</param>
    /// <returns>The expectation, e.g. <c>path globs separated by commas, e.g. src/**,docs/**</c>.</returns>
    public static string Expected(string normalizedKey) => normalizedKey switch
    {
        MaxReadBytes => $"a whole number of bytes from {SessionPolicy.MinReadBytes} to {SessionPolicy.MaxReadBytesLimit}",
        NetworkAllow => "host names separated by commas, e.g. docs.example.com,*.github.com, or none",
        DenyTools => "tool names separated by commas, e.g. lsp_control,bash or lsp/lsp_control",
        _ => "path globs separated by commas, e.g. src/**,docs/**",
    };

    /// <summary>The session policy its stored settings describe (<see cref="SessionPolicy.None"/> when none is set).</summary>
    /// <param name="settings">The session's stored settings.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="AgentHostException">A stored value that is not valid (stored by an older version or by hand), naming it.</exception>
    public static SessionPolicy FromSettings(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Create(settings, field: string.Empty) ?? SessionPolicy.None;
    }

    /// <summary>
    /// Checks that changing a policy setting from <paramref name="stored"/> to <paramref name="value"/> only narrows the
    /// session: a smaller read cap, every deny glob and refused tool kept, no allow glob or host added, nothing removed that restricts.
    /// </summary>
    /// <param name="normalizedKey">One of <see cref="Keys"/>; other keys pass.</param>
    /// <param name="stored">The stored value in stored form, or <see langword="null"/> when unset.</param>
    /// <param name="value">The new value in stored form, or <see langword="null"/> to remove the setting.</param>
    /// <param name="field">How the caller names the key in errors.</param>
    /// <exception cref="AgentHostException">The change widens the session's policy (<see cref="ErrorKind.Usage"/>), saying what and how to narrow instead.</exception>
    public static void CheckNarrows(string normalizedKey, string? stored, string? value, string field = "")
    {
        if (!IsPolicyKey(normalizedKey) || stored is null || stored == value)
        {
            return;
        }

        var widening = (normalizedKey, value) switch
        {
            (_, null) => "removing it",
            (MaxReadBytes, _) => long.Parse(value, CultureInfo.InvariantCulture) > long.Parse(stored, CultureInfo.InvariantCulture) ? $"raising it above {stored}" : null,
            (DenyPaths or DenyTools, _) => Missing(Split(stored), Split(value)) is { Count: > 0 } dropped ? $"dropping {string.Join(", ", dropped)}" : null,
            _ => Missing(Split(value), Split(stored)) is { Count: > 0 } added ? $"adding {string.Join(", ", added)} (the session now allows only {Describe(stored)})" : null,
        };
        if (widening is not null)
        {
            throw new AgentHostException(ErrorKind.Usage, $"{field}{normalizedKey}: {widening} would widen the session's policy, which can only be narrowed; keep what is set and narrow it, or start a new session.");
        }
    }

    /// <summary>
    /// Checks a change of one setting against what the session has stored and what the configuration allows: a policy
    /// setting may only narrow the session (<see cref="CheckNarrows"/>), and its read cap may not exceed
    /// <c>permissions.max_read_bytes</c>. Other settings pass.
    /// </summary>
    /// <param name="normalizedKey">The key, normalised.</param>
    /// <param name="value">The new value in stored form, or <see langword="null"/> to remove it.</param>
    /// <param name="stored">The session's stored settings.</param>
    /// <param name="configured">The configured permission policy of the session's project.</param>
    /// <param name="field">How the caller names the key in errors (<c>settings.</c> for a JSON body).</param>
    /// <exception cref="AgentHostException">The change would widen the session or the configuration (<see cref="ErrorKind.Usage"/>), naming the setting.</exception>
    public static void CheckChange(string normalizedKey, string? value, IReadOnlyDictionary<string, string> stored, PermissionPolicy configured, string field = "")
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(configured);
        CheckNarrows(normalizedKey, stored.GetValueOrDefault(normalizedKey), value, field);
        if (normalizedKey == MaxReadBytes && value is not null && configured.WideningError(Create(Single(MaxReadBytes, value), field)!, field) is { } widening)
        {
            throw new AgentHostException(ErrorKind.Usage, widening + ".");
        }
    }

    private static string Describe(string stored) => stored == NoHost ? "no host" : stored;

    private static List<string> Missing(IReadOnlyList<string> from, IReadOnlyList<string> within) =>
        [.. from.Where(item => !within.Contains(item, StringComparer.Ordinal))];

    private static Dictionary<string, string> Single(string key, string value) => new(StringComparer.Ordinal) { [key] = value };

    private static List<string> Split(string text) =>
        text == NoHost ? [] : [.. text.Split(',').Select(item => item.Trim()).Where(item => item.Length > 0).Distinct(StringComparer.Ordinal)];

    private static SessionPolicy? Create(IReadOnlyDictionary<string, string> settings, string field)
    {
        long? maxRead = null;
        if (settings.GetValueOrDefault(MaxReadBytes) is { } text)
        {
            maxRead = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
                ? bytes
                : throw new AgentHostException(ErrorKind.Usage, $"{field}max_read_bytes: '{text}' is not valid; give {Expected(MaxReadBytes)}.");
        }

        var allow = settings.GetValueOrDefault(AllowPaths) is { } a ? Split(a) : null;
        var deny = settings.GetValueOrDefault(DenyPaths) is { } d ? Split(d) : null;
        var network = settings.GetValueOrDefault(NetworkAllow) is { } n ? Split(n) : null;
        var tools = settings.GetValueOrDefault(DenyTools) is { } t ? Split(t) : null;
        if (maxRead is null && allow is null && deny is null && network is null && tools is null)
        {
            return null;
        }

        return SessionPolicy.TryCreate(maxRead, allow, deny, network, tools, out var policy, out var error)
            ? policy
            : throw new AgentHostException(ErrorKind.Usage, $"{field}{error}.");
    }
}
