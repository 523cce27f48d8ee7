using AgentHost.Hosting.Configuration;
using AgentHost.Sessions;

namespace AgentHost.Agent.Service;

/// <summary>
/// What shapes a session's requests — its system prompt, tool subset and MCP servers — by precedence: the session
/// options (a front end's options, the SDK) &gt; the session's own settings &gt; <c>session.*</c> in configuration.
/// Options given are stored as the session's settings, so a resumed or reopened session keeps them.
/// </summary>
internal static class SessionShape
{
    public static string? SystemPrompt(SessionOptions options, IReadOnlyDictionary<string, string>? settings, ConfigurationSnapshot configuration) =>
        options.SystemPrompt ?? Setting(SessionSettings.SystemPrompt, settings, configuration);

    public static string? AppendSystemPrompt(SessionOptions options, IReadOnlyDictionary<string, string>? settings, ConfigurationSnapshot configuration) =>
        options.AppendSystemPrompt ?? Setting(SessionSettings.AppendSystemPrompt, settings, configuration);

    public static IReadOnlyList<string>? Tools(SessionOptions options, IReadOnlyDictionary<string, string>? settings, ConfigurationSnapshot configuration) =>
        options.Tools is { Count: > 0 } tools ? tools : SessionSettingValues.Names(Setting(SessionSettings.Tools, settings, configuration));

    public static IReadOnlyList<string>? McpServers(SessionOptions options, IReadOnlyDictionary<string, string>? settings, ConfigurationSnapshot configuration) =>
        options.McpServers ?? SessionSettingValues.Names(Setting(SessionSettings.McpServers, settings, configuration));

    /// <summary>The settings to store for the options given (each in the form the setting's validator keeps).</summary>
    public static void Remember(SessionOptions options, Dictionary<string, string> remember)
    {
        (string Key, string? Value)[] given =
        [
            (SessionSettings.SystemPrompt, options.SystemPrompt),
            (SessionSettings.AppendSystemPrompt, options.AppendSystemPrompt),
            (SessionSettings.Tools, options.Tools is { Count: > 0 } tools ? string.Join(',', tools) : null),
            (SessionSettings.McpServers, options.McpServers is { } servers ? string.Join(',', servers) : null),
        ];
        foreach (var (key, value) in given)
        {
            if (value is not null)
            {
                remember[key] = SessionSettingValues.Check(key, value, SessionSettingValues.Shape).Value;
            }
        }
    }

    private static string? Setting(string key, IReadOnlyDictionary<string, string>? settings, ConfigurationSnapshot configuration) =>
        SessionSettings.Resolve(key, null, settings, configuration).Value is { Length: > 0 } value ? value : null;
}
