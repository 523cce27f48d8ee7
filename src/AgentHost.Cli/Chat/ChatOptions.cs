using System.CommandLine;

namespace AgentHost.Cli.Chat;

/// <summary>
/// The options of an interactive session, on <c>agent chat</c> and on <c>agent</c> itself (no command): the ones of
/// <c>agent run</c> that choose the session, its model, plugins, permission mode and project.
/// </summary>
internal sealed class ChatOptions
{
    public PluginOptions Plugins { get; } = new();

    public Option<string?> Model { get; } = new("--model", "-m") { Description = "provider/model (default: a resumed session's model, else the 'model' setting)." };

    public Option<string?> Session { get; } = new("--session", "-s") { Description = "Continue this session (id or unique prefix)." };

    public Option<bool> Continue { get; } = new("--continue") { Description = "Continue the newest session of this project." };

    public Option<string?> Root { get; } = new("--root") { Description = "The project root to work in (default: the project containing the current directory)." };

    public Option<string?> PermissionMode { get; } = PermissionModeOption.Create();

    public Option<string[]> Allow { get; } = AllowOption.Create();

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Plugins.AddTo(command);
        foreach (var option in new Option[] { Model, Session, Continue, Root, PermissionMode, Allow })
        {
            command.Options.Add(option);
        }
    }
}
