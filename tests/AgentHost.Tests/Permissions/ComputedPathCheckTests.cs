using AgentHost.Cli;
using AgentHost.Tests.Configuration;

namespace AgentHost.Tests.Permissions;

/// <summary>
/// Issue #44, class 4, through the real <c>agent permissions check</c>: a word with an expansion or a glob that could
/// spell a protected path is decided as that path, under the user's allow rules for <c>cat *</c> and <c>echo *</c>,
/// in yolo mode, while the protected files do not exist.
/// </summary>
public sealed class ComputedPathCheckTests
{
    private const string Rules = "permissions:\n  allow:\n    - shell(cat *)\n    - shell(echo *)\n";

    [Theory]
    [InlineData("cat ~/.ss${X}h/id_rsa")]
    [InlineData("cat $HOME/.s*h/id_rsa")]
    [InlineData("cat ~/.ss?/id_*")]
    [InlineData("cat < ~/.a${X}ws/credentials")]
    [InlineData("echo x > .g${X}it/config")]
    [InlineData("echo x >> sub/.gi?/hooks/pre-commit")]
    public async Task PermissionsCheck_DeniesAComputedWordThatCouldSpellAFloorPath(string command)
    {
        using var project = new ConfigProject();
        project.WriteGlobal(Rules);

        var result = await project.RunAsync("permissions", "check", "shell", command, "--mode", "yolo");

        Assert.True(result.ExitCode == ExitCodes.Denied, $"{command}: exit {result.ExitCode}\n{result.Output}{result.Error}");
        Assert.Contains("safety floor", result.Output, StringComparison.Ordinal);
        Assert.Contains("computed at run time", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo x > .ag${X}ent/config.yaml")]
    [InlineData("echo x > .claude/sk*/x/SKILL.md")]
    public async Task PermissionsCheck_AsksForAComputedWordThatCouldSpellAProtectedPath(string command)
    {
        using var project = new ConfigProject();
        project.WriteGlobal(Rules);

        var yolo = await project.RunAsync("permissions", "check", "shell", command, "--mode", "yolo");
        var headless = await project.RunAsync("permissions", "check", "shell", command, "--mode", "dont-ask");

        Assert.True(yolo.ExitCode == ExitCodes.Success && yolo.Output.StartsWith("ask:", StringComparison.Ordinal), $"{command}: exit {yolo.ExitCode}\n{yolo.Output}{yolo.Error}");
        Assert.Contains("protected:", yolo.Output, StringComparison.Ordinal);
        Assert.True(headless.ExitCode == ExitCodes.Denied, $"{command}: exit {headless.ExitCode}\n{headless.Output}{headless.Error}");
    }

    [Theory]
    [InlineData("cat $X")]
    [InlineData("cat \"$F\" ~/.ssh/*.pub")]
    [InlineData("echo x > $OUT/config.yaml")]
    [InlineData("echo x > build/${NAME}.log")]
    public async Task PermissionsCheck_AllowsAComputedWordThatCannotSpellOne(string command)
    {
        using var project = new ConfigProject();
        project.WriteGlobal(Rules);

        var result = await project.RunAsync("permissions", "check", "shell", command, "--mode", "yolo");

        Assert.True(result.ExitCode == ExitCodes.Success && result.Output.StartsWith("allow:", StringComparison.Ordinal), $"{command}: exit {result.ExitCode}\n{result.Output}{result.Error}");
    }
}
