using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
namespace AgentHost.Sessions;

/// <summary>Which layer gave a session setting its value, highest precedence first.</summary>
public enum SettingSource
{
    /// <summary>A per-request override (e.g. an <c>agent run</c> option).</summary>
    Request,

    /// <summary>A <c>-c session.KEY=VALUE</c> flag of this invocation (counts as part of the request).</summary>
    Flag,

    /// <summary>The session's own settings (<c>agent session settings set</c>).</summary>
    Session,

    /// <summary>An <c>AGENT_SESSION__KEY</c> environment variable.</summary>
    Environment,

    /// <summary>The project's <c>.agent/config.yaml</c>, <c>session:</c> section.</summary>
    Project,

    /// <summary>The global config file, <c>session:</c> section.</summary>
    Global,

    /// <summary>A built-in default.</summary>
    Default,

    /// <summary>No layer sets it.</summary>
    Unset,
}

/// <summary>A resolved setting and where it came from.</summary>
/// <param name="Key">The setting key (without the <c>session.</c> prefix).</param>
/// <param name="Value">The value, or <see langword="null"/> when unset.</param>
/// <param name="Source">The layer that gave it.</param>
/// <param name="Origin">Where exactly, for people: <c>request</c>, <c>session</c>, <c>/path/config.yaml:3</c>, <c>env AGENT_SESSION__MAX_STEPS</c>…</param>
public sealed record ResolvedSetting(string Key, string? Value, SettingSource Source, string Origin);

/// <summary>
/// Resolves session settings with the precedence request &gt; session &gt; configuration (environment &gt; project &gt;
/// global &gt; default). Command-line <c>-c session.KEY=…</c> flags belong to the request: what is typed for this
/// invocation wins over what the session remembers.
/// </summary>
/// <remarks>Stateless and thread-safe. Keys are compared case-insensitively; a leading <c>session.</c> is ignored.</remarks>
public static class SessionSettings
{
    /// <summary>The configuration section of session settings.</summary>
    public const string Section = "session";

    /// <summary>The step limit of a run (an integer).</summary>
    public const string MaxSteps = "max_steps";

    /// <summary>The session's model (<c>provider/model</c>), used when a run names none; every run records the model it used.</summary>
    public const string Model = "model";

    /// <summary>The plugins a session's runs loaded by name (<c>--plugin</c> and the default plugins), comma-separated; a resumed run loads them again.</summary>
    public const string Plugins = "plugins";

    /// <summary>The session's permission mode (<c>ask</c>, <c>accept-edits</c>, <c>plan</c>, <c>yolo</c>, <c>dont-ask</c>); a mid-session switch sets it.</summary>
    public const string PermissionMode = "permission_mode";

    /// <summary>The session's sandbox mode (<c>auto</c>, <c>required</c>, <c>off</c>; docs/sandbox.md), over <c>sandbox.mode</c>.</summary>
    public const string Sandbox = "sandbox";

    /// <summary>Whether mutating tools only report what they would change (<c>true</c>/<c>false</c>) unless a call sets <c>dry_run</c>.</summary>
    public const string DryRun = "dry_run";

    /// <summary>Whether a person answers the session's permission requests and questions (<c>true</c>/<c>false</c>); recorded by <c>agent serve</c> when it creates a session, so that it reopens the same way.</summary>
    public const string Interactive = "interactive";

    /// <summary>The client that created the session (<c>X-Agent-Client</c> or <c>clientId</c> of <c>agent serve</c>'s create request); recorded, never changed.</summary>
    public const string Client = "client";

    /// <summary>The session's own instructions, instead of the built-in ones (the environment, project memory and skills still follow).</summary>
    public const string SystemPrompt = "system_prompt";

    /// <summary>Instructions added at the end of the session's system prompt.</summary>
    public const string AppendSystemPrompt = "append_system_prompt";

    /// <summary>The only tools offered to the session's model, comma-separated (plain or <c>plugin/name</c> names, <c>mcp__SERVER__TOOL</c>).</summary>
    public const string Tools = "tools";

    /// <summary>The only configured MCP servers the session starts, comma-separated; <c>none</c> for none.</summary>
    public const string McpServers = "mcp_servers";

    /// <summary>The normal form of a key: trimmed, lower case, without the <c>session.</c> prefix.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The normalised key.</returns>
    /// <exception cref="AgentHostException">The key is empty (<see cref="ErrorKind.Usage"/>).</exception>
    public static string NormalizeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var normalized = key.Trim().Trim('.').ToLowerInvariant();
        if (normalized.StartsWith(Section + ".", StringComparison.Ordinal))
        {
            normalized = normalized[(Section.Length + 1)..];
        }

        return normalized.Length == 0
            ? throw new AgentHostException(ErrorKind.Usage, "a setting key is required, e.g. max_steps.")
            : normalized;
    }

    /// <summary>Resolves one setting.</summary>
    /// <param name="key">The key, e.g. <c>max_steps</c> or <c>session.max_steps</c>.</param>
    /// <param name="request">Per-request overrides, when any.</param>
    /// <param name="session">The session's settings, when any.</param>
    /// <param name="configuration">The configuration snapshot (its <c>session.*</c> keys), when any.</param>
    /// <returns>The value and its source (<see cref="SettingSource.Unset"/> with a <see langword="null"/> value when no layer sets it).</returns>
    public static ResolvedSetting Resolve(
        string key,
        IReadOnlyDictionary<string, string>? request,
        IReadOnlyDictionary<string, string>? session,
        ConfigurationSnapshot? configuration)
    {
        var normalized = NormalizeKey(key);
        if (Find(request, normalized) is { } requested)
        {
            return new ResolvedSetting(normalized, requested, SettingSource.Request, "request");
        }

        var entry = configuration?.Explain(Section + "." + normalized);
        if (entry is { Layer: ConfigLayer.Flag })
        {
            return new ResolvedSetting(normalized, entry.Value, SettingSource.Flag, entry.Source);
        }

        if (Find(session, normalized) is { } remembered)
        {
            return new ResolvedSetting(normalized, remembered, SettingSource.Session, "session");
        }

        return entry is null
            ? new ResolvedSetting(normalized, null, SettingSource.Unset, "not set")
            : new ResolvedSetting(normalized, entry.Value, entry.Layer switch
            {
                ConfigLayer.Environment => SettingSource.Environment,
                ConfigLayer.Project => SettingSource.Project,
                ConfigLayer.Global => SettingSource.Global,
                _ => SettingSource.Default,
            }, entry.Source);
    }

    /// <summary>Every key any layer sets, resolved, sorted by key.</summary>
    /// <param name="request">Per-request overrides, when any.</param>
    /// <param name="session">The session's settings, when any.</param>
    /// <param name="configuration">The configuration snapshot, when any.</param>
    /// <returns>The resolved settings.</returns>
    public static IReadOnlyList<ResolvedSetting> ResolveAll(
        IReadOnlyDictionary<string, string>? request,
        IReadOnlyDictionary<string, string>? session,
        ConfigurationSnapshot? configuration)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in (request?.Keys ?? []).Concat(session?.Keys ?? []).Concat(configuration?.GetSection(Section).Keys ?? []))
        {
            keys.Add(NormalizeKey(key));
        }

        return [.. keys.Select(key => Resolve(key, request, session, configuration))];
    }

    private static string? Find(IReadOnlyDictionary<string, string>? values, string normalized)
    {
        if (values is null)
        {
            return null;
        }

        if (values.TryGetValue(normalized, out var direct))
        {
            return direct;
        }

        foreach (var (key, value) in values)
        {
            if (NormalizeKey(key) == normalized)
            {
                return value;
            }
        }

        return null;
    }
}
