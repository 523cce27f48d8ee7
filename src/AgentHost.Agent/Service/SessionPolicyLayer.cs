using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;

namespace AgentHost.Agent.Service;

/// <summary>Puts a stored session's policy (its <c>max_read_bytes</c>, <c>allow_paths</c>, <c>deny_paths</c>, <c>network_allow</c>, <c>deny_tools</c>) under the configured one when it opens.</summary>
internal static class SessionPolicyLayer
{
    /// <summary>The configured policy with the session's stored policy as its narrowest layer.</summary>
    /// <param name="configured">The configured policy.</param>
    /// <param name="settings">The session's stored settings.</param>
    /// <param name="events">Where a read cap above the configuration's is reported (the configuration's applies).</param>
    /// <returns>The policy.</returns>
    /// <exception cref="AgentHostException">A stored policy setting that is not valid: the session does not open without the restriction it asked for.</exception>
    /// <param name="configuration">Its <c>session.KEY</c> values (flags <c>-c session.deny_paths=…</c>, environment, files) are one more layer: each layer only narrows.</param>
    public static PermissionPolicy Apply(PermissionPolicy configured, IReadOnlyDictionary<string, string> settings, ConfigurationSnapshot configuration, IEventBus events)
    {
        var session = SessionPolicySettings.FromSettings(settings);
        if (configured.WideningError(session) is { } widening)
        {
            // Stored before the configuration lowered its cap: the smaller (the configuration's) applies.
            events.Publish(new WarningEvent("permissions", $"session {widening}; the configured cap applies"));
        }

        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in SessionPolicySettings.Keys)
        {
            if (configuration.Explain(SessionSettings.Section + "." + key) is { } entry)
            {
                given[key] = SessionPolicySettings.Check(key, entry.Value, $"{entry.Source}: ");
            }
        }

        return configured.WithSession(session).WithSession(SessionPolicySettings.FromSettings(given));
    }
}
