using System.CommandLine;

namespace AgentHost.Cli;

/// <summary>
/// The options that choose a session and its setting — model, session or <c>--continue</c>, plugins, permission mode,
/// <c>--allow</c> rules and project root — shared by <c>agent run</c>, <c>agent chat</c> and <c>agent</c> alone, and
/// read by <see cref="SessionFrontEnd"/>.
/// </summary>
internal sealed class SessionChoiceOptions
{
    public PluginOptions Plugins { get; } = new();

    public Option<string?> Model { get; } = new("--model", "-m") { Description = "provider/model, e.g. openai/gpt-4.1-mini or scripted/script.yaml (default: a resumed session's model, else the 'model' setting)." };

    public Option<string?> Session { get; } = new("--session", "-s") { Description = "Continue this session (id, unique id prefix, or name)." };

    public Option<string?> NewSession { get; } = new("--new-session") { Description = "Start a new session with this name (unique; resume it later with --session NAME)." };

    public Option<bool> Continue { get; } = new("--continue") { Description = "Continue the newest session of this project." };

    public Option<string?> Root { get; } = new("--root") { Description = "The project root to work in (default: the project containing the current directory)." };

    public Option<string?> PermissionMode { get; } = PermissionModeOption.Create();

    public Option<string[]> Allow { get; } = AllowOption.Create();

    public Option<string?> Sandbox { get; } = SandboxModeOption.Create();

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Plugins.AddTo(command);
        foreach (var option in new Option[] { Model, Session, NewSession, Continue, Root, PermissionMode, Allow, Sandbox })
        {
            command.Options.Add(option);
        }
    }
}
