using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Permissions;
namespace AgentHost.Cli;

/// <summary>The <c>--permission-mode</c> option of commands that invoke tools.</summary>
internal static class PermissionModeOption
{
    public static Option<string?> Create()
    {
        var option = new Option<string?>("--permission-mode")
        {
            Description = "ask, accept-edits, plan, yolo or dont-ask (default: permissions.mode, else ask with a terminal and dont-ask without). See docs/permissions.md.",
        };
        option.AcceptOnlyFromAmong([.. PermissionModes.Names]);
        return option;
    }

    public static PermissionMode? Parse(ParseResult parseResult, Option<string?> option) =>
        parseResult.GetValue(option) is not { } text ? null
        : PermissionModes.TryParse(text, out var mode) ? mode
        : throw new AgentHostException(ErrorKind.Usage, $"--permission-mode {text}: use one of {string.Join(", ", PermissionModes.Names)}.");
}
