using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Sandbox;

namespace AgentHost.Sessions;

/// <summary>
/// The one validator of session settings a person or a client sets (<c>agent session settings set</c>, the server's
/// <c>settings</c>): each key is known and each value checked, and the value is returned in the form that is stored, so
/// that no front end stores a setting that would later be ignored.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class SessionSettingValues
{
    /// <summary>The largest <c>max_steps</c>.</summary>
    public const int MaxStepsLimit = 10_000;

    /// <summary>The longest <c>system_prompt</c> or <c>append_system_prompt</c>, in characters.</summary>
    public const int MaxPromptLength = 32_000;

    /// <summary>
    /// The keys that shape what the session's model sees — <c>system_prompt</c>, <c>append_system_prompt</c>,
    /// <c>tools</c>, <c>mcp_servers</c> — read when the session is opened (a change holds from the next open).
    /// </summary>
    public static IReadOnlyList<string> Shape { get; } = [SessionSettings.SystemPrompt, SessionSettings.AppendSystemPrompt, SessionSettings.Tools, SessionSettings.McpServers];

    /// <summary>The keys a person may set on a session (<c>agent session settings set</c>).</summary>
    public static IReadOnlyList<string> Settable { get; } =
        [SessionSettings.MaxSteps, SessionSettings.DryRun, SessionSettings.PermissionMode, SessionSettings.Model, SessionSettings.Sandbox, SessionSettings.Plugins, .. ModelParameters, .. SessionPolicySettings.Keys, .. Shape];

    /// <summary>The names of a comma-separated list setting (<c>tools</c>, <c>mcp_servers</c>, <c>plugins</c>): trimmed, without empty ones.</summary>
    /// <param name="value">The stored value, or <see langword="null"/>.</param>
    /// <returns>The names, or <see langword="null"/> when <paramref name="value"/> is <see langword="null"/>.</returns>
    public static IReadOnlyList<string>? Names(string? value) =>
        value is null ? null : [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>The model parameters among the settable keys (<see cref="ModelParameterValues.Keys"/>): temperature, top-p, max output tokens, stop sequences, seed, reasoning effort.</summary>
    public static IReadOnlyList<string> ModelParameters => ModelParameterValues.Keys;

    /// <summary>Checks one setting against <paramref name="allowed"/> and returns its value in stored form (trimmed; a mode by its name).</summary>
    /// <param name="key">The key (normalised or not: <c>session.MAX_STEPS</c> works).</param>
    /// <param name="value">The value.</param>
    /// <param name="allowed">The keys the caller may set (<see cref="Settable"/> or a front end's subset).</param>
    /// <param name="field">How the caller names the key in errors, e.g. <c>settings.</c> for a JSON body; nothing by default.</param>
    /// <returns>The normalised key and the value to store.</returns>
    /// <exception cref="AgentHostException">An unknown key or a bad value (<see cref="ErrorKind.Usage"/>), naming it and the fix.</exception>
    public static KeyValuePair<string, string> Check(string key, string value, IReadOnlyList<string> allowed, string field = "")
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(allowed);
        var normalized = CheckKey(key, allowed, field);
        var text = value.Trim();
        if (SessionPolicySettings.IsPolicyKey(normalized))
        {
            // The session's policy (session policies, docs/permissions.md): checked by its own class.
            return new(normalized, SessionPolicySettings.Check(normalized, value, field));
        }

        var stored = normalized switch
        {
            SessionSettings.MaxSteps => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var steps) && steps is >= 1 and <= MaxStepsLimit ? steps.ToString(CultureInfo.InvariantCulture) : null,
            SessionSettings.DryRun => bool.TryParse(text, out var dry) ? (dry ? "true" : "false") : null,
            SessionSettings.PermissionMode => PermissionModes.TryParse(text, out var mode) ? mode.ToDisplayName() : null,
            SessionSettings.Sandbox => SandboxSettings.TryParseMode(text, out _) ? text.ToLowerInvariant() : null,
            SessionSettings.Model => text.IndexOf('/', StringComparison.Ordinal) > 0 && !text.EndsWith('/') ? text : null,
            SessionSettings.Plugins => text.Length > 0 && text.Split(',').All(p => p.Trim().Length > 0) ? text : null,
            SessionSettings.SystemPrompt or SessionSettings.AppendSystemPrompt => text.Length is > 0 and <= MaxPromptLength ? text : null,
            SessionSettings.Tools or SessionSettings.McpServers => text.Length > 0 && text.Split(',').All(p => IsName(p.Trim())) ? string.Join(',', text.Split(',').Select(p => p.Trim())) : null,
            _ when ModelParameterValues.IsModelParameter(normalized) => ModelParameterValues.Normalize(normalized, text),
            _ => text.Length is > 0 and <= 200 ? text : null,
        };
        return stored is null
            ? throw new AgentHostException(ErrorKind.Usage, $"{field}{normalized}: '{value}' is not valid; {Expected(normalized)}.")
            : new(normalized, stored);
    }

    /// <summary>Checks that <paramref name="key"/> is one of <paramref name="allowed"/> and returns it normalised.</summary>
    /// <param name="key">The key.</param>
    /// <param name="allowed">The keys the caller may set.</param>
    /// <param name="field">How the caller names the key in errors.</param>
    /// <returns>The normalised key.</returns>
    /// <exception cref="AgentHostException">An unknown key (<see cref="ErrorKind.Usage"/>), naming it and the keys there are.</exception>
    public static string CheckKey(string key, IReadOnlyList<string> allowed, string field = "")
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var normalized = SessionSettings.NormalizeKey(key);
        if (allowed.Contains(normalized))
        {
            return normalized;
        }

        var recorded = normalized is SessionSettings.Interactive or SessionSettings.Client or "model_choice"
            ? " (it is recorded by the host, not set)"
            : string.Empty;
        throw new AgentHostException(ErrorKind.Usage, $"{field}{key.Trim()}: not a setting that can be changed{recorded}; use one of {string.Join(", ", allowed)}.");
    }

    private static bool IsName(string name) =>
        name.Length is > 0 and <= 200 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':' or '@');

    private static string Expected(string key) => key switch
    {
        SessionSettings.MaxSteps => $"give a whole number from 1 to {MaxStepsLimit}",
        SessionSettings.DryRun => "give true or false",
        SessionSettings.PermissionMode => $"give one of {string.Join(", ", PermissionModes.Names)}",
        SessionSettings.Sandbox => "give auto, required or off",
        SessionSettings.Model => "give provider/model, e.g. openai/gpt-5-mini",
        SessionSettings.Plugins => "give plugin names separated by commas, e.g. files,shell",
        SessionSettings.SystemPrompt or SessionSettings.AppendSystemPrompt => $"give text of 1 to {MaxPromptLength:N0} characters",
        SessionSettings.Tools => "give tool names separated by commas, e.g. view,grep or files/view,mcp__docs__search",
        SessionSettings.McpServers => "give configured MCP server names separated by commas, or none",
        _ when ModelParameterValues.IsModelParameter(key) => ModelParameterValues.Expected(key),
        _ => "give a value of 1 to 200 characters",
    };
}
