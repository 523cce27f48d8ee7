using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions;

/// <summary>One tool call as the permission engine sees it.</summary>
/// <param name="Tool">The plain tool name (<c>shell</c>, <c>view</c>, <c>mcp__github__create_issue</c>).</param>
/// <param name="Effect">What the tool does.</param>
/// <param name="Subject">What the call acts on: a command line, a path, a URL; <see langword="null"/> when nothing specific.</param>
public sealed record PermissionCall(string Tool, ToolEffect Effect, string? Subject)
{
    /// <summary>The plugin that contributes the tool (for plugin-qualified rules such as <c>files/view</c>).</summary>
    public string? Plugin { get; init; }

    /// <summary>The action from the tool's call description (<c>run</c>, <c>read</c>, <c>write</c>, …).</summary>
    public string? Action { get; init; }

    /// <summary>
    /// Whether a call's action records changes in version control (<c>stage</c>, as <c>git_add</c> describes itself): in
    /// <c>accept-edits</c> it asks, as a commit does — the mode accepts edits of files, not what the repository records.
    /// </summary>
    /// <param name="action">The call's action.</param>
    /// <returns>Whether it is staging.</returns>
    public static bool IsStaging(string? action) => string.Equals(action, "stage", StringComparison.OrdinalIgnoreCase);

    /// <summary>For a shell command: the directory it starts in (relative to the root, or absolute); the root when <see langword="null"/>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Every other path the call touches, with its effect (a move's destination, a download's file); each is decided too.</summary>
    public IReadOnlyList<ToolCallPath> Paths { get; init; } = [];

    /// <summary>Whether the call runs a shell command line (<see cref="Subject"/> is the command).</summary>
    public bool IsShell =>
        Subject is not null
        && (Tool.ToLowerInvariant() is "shell" or "bash"
            || ((Effect & ToolEffect.Execute) != 0 && Action?.ToLowerInvariant() is "run" or "execute" or "exec" or "shell"));

    /// <summary>The tool's default effect by name, as <c>agent permissions check</c> guesses it.</summary>
    /// <param name="tool">The tool name (plain or plugin-qualified).</param>
    /// <returns>The effect, or <see langword="null"/> when the name says nothing.</returns>
    public static ToolEffect? EffectForName(string tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var name = tool[(tool.LastIndexOf('/') + 1)..].ToLowerInvariant();
        return name switch
        {
            "shell" or "bash" => ToolEffect.Execute,
            "read" or "view" or "ls" or "glob" or "grep" => ToolEffect.Read,
            "write" or "edit" or "multiedit" => ToolEffect.Write,
            "fetch" or "webfetch" => ToolEffect.Network,
            _ => null,
        };
    }
}
