using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Sandbox;

namespace AgentHost.Cli;

/// <summary>The <c>--sandbox</c> option of commands that run what the model asks for.</summary>
internal static class SandboxModeOption
{
    private static readonly string[] Names = ["auto", "required", "off"];

    public static Option<string?> Create()
    {
        var option = new Option<string?>("--sandbox")
        {
            Description = "auto, required or off: whether shell commands run in the operating-system sandbox (default: session.sandbox, else sandbox.mode, else auto). See docs/sandbox.md.",
        };
        option.AcceptOnlyFromAmong(Names);
        return option;
    }

    public static SandboxMode? Parse(ParseResult parseResult, Option<string?> option) =>
        parseResult.GetValue(option) is not { } text ? null
        : SandboxSettings.TryParseMode(text, out var mode) ? mode
        : throw new AgentHostException(ErrorKind.Usage, $"--sandbox {text}: use one of {string.Join(", ", Names)}.");
}
