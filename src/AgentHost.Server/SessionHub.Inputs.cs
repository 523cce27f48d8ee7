using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Server.Users;
using AgentHost.Sessions;

namespace AgentHost.Server;

/// <content>The permission modes a caller chooses, checked against their role's cap (<see cref="ServerInputs.CheckMode"/>), and the model files they name (<see cref="ServerInputs.CheckModel"/>).</content>
internal sealed partial class SessionHub
{
    /// <summary>Checks a <c>settings.permission_mode</c> the caller gives against their cap (<see cref="ServerInputs.CheckMode"/>).</summary>
    private void CheckModes(ServerCaller caller, IReadOnlyList<KeyValuePair<string, string?>> settings)
    {
        if (Given(settings, SessionSettings.PermissionMode) is { } text)
        {
            Inputs.CheckMode(caller, ParseMode(text, "settings.permission_mode"), "settings.permission_mode");
        }
    }

    /// <summary>
    /// Checks a model the caller names whose provider reads the file its id names (<see cref="ServerInputs.CheckModel"/>):
    /// the model to use, with the file's absolute path; <see langword="null"/> stays <see langword="null"/>.
    /// </summary>
    private string? CheckModel(ServerCaller caller, string? model, string field, ServerEngine engine) =>
        model is null ? null : ServerInputs.CheckModel(caller, model, field, engine.Key.Root, Roots, engine.Configuration, engine.Runtime.Registry);

    /// <summary>The settings with a <c>settings.model</c> checked as <see cref="CheckModel(ServerCaller, string?, string, ServerEngine)"/> does.</summary>
    private IReadOnlyList<KeyValuePair<string, string?>> CheckModelSetting(ServerCaller caller, IReadOnlyList<KeyValuePair<string, string?>> settings, ServerEngine engine) =>
        [.. settings.Select(s => s.Key == SessionSettings.Model ? new KeyValuePair<string, string?>(s.Key, CheckModel(caller, s.Value, "settings.model", engine)) : s)];

    /// <summary>
    /// Checks the mode a session's next run would run in against the sender's cap: its stored <c>permission_mode</c>
    /// (chosen at create or by a PATCH, perhaps before the cap was set), else the configured <c>permissions.mode</c>.
    /// </summary>
    internal void CheckRunMode(ServerCaller caller, HostedSession hosted, SessionInfo info)
    {
        var stored = info.Settings.GetValueOrDefault(SessionSettings.PermissionMode);
        var mode = stored is not null && PermissionModes.TryParse(stored, out var chosen) ? chosen : PermissionPolicy.FromConfiguration(hosted.Engine.Configuration).Mode;
        if (mode is { } current)
        {
            Inputs.CheckMode(caller, current, stored is not null ? $"session {info.Id}'s permission_mode" : $"permissions.mode of {info.Workspace}");
        }
    }
}
