using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions.Tests;

/// <summary>
/// The risk level a permission question shows (#47): destructive for what deletes or rewrites, else by the tool's effect;
/// computed by the host from the call, so a command cannot pass for less than it is.
/// </summary>
public sealed class PermissionRiskTests
{
    private static string Risk(ToolEffect effect, string action, string? subject, string tool = "shell") =>
        PermissionRisk.Of(new ToolPermissionRequest("s", "c", tool, "p", effect, new ToolCallDescription(action, subject)));

    [Theory]
    [InlineData("rm -rf build")]
    [InlineData("cd src && /bin/rm old.txt")]
    [InlineData("make clean; git reset --hard HEAD~1")]
    [InlineData("git push --force origin main")]
    [InlineData("git push origin +main")]
    [InlineData("git clean -fdx")]
    [InlineData("git branch -D topic")]
    [InlineData("git checkout -- .")]
    [InlineData("find . -name '*.tmp' -delete")]
    [InlineData("sudo mkfs.ext4 /dev/sdb1")]
    [InlineData("echo $(rm notes.txt)")]
    [InlineData("x=1; echo ${!x}")] // the parser refuses it: nothing says it is safe
    public void ACommandThatDeletesOrRewrites_IsDestructive(string command) =>
        Assert.Equal(PermissionRisk.Destructive, Risk(ToolEffect.Execute, "run", command));

    [Theory]
    [InlineData("npm test")]
    [InlineData("git push origin main")]
    [InlineData("git status && git diff")]
    [InlineData("echo rm -rf /")]
    public void AnotherCommand_IsExecute(string command) =>
        Assert.Equal(PermissionRisk.Execute, Risk(ToolEffect.Execute, "run", command));

    [Fact]
    public void OtherTools_GoByTheirEffect_AndADeleteIsDestructive()
    {
        Assert.Equal(PermissionRisk.Write, Risk(ToolEffect.Write, "write", "notes.txt", "write"));
        Assert.Equal(PermissionRisk.Network, Risk(ToolEffect.Network, "fetch", "https://example.org", "fetch"));
        Assert.Equal(PermissionRisk.Read, Risk(ToolEffect.Read, "read", "notes.txt", "view"));
        Assert.Equal(PermissionRisk.Read, Risk(ToolEffect.None, "job_list", null, "job_list"));
        Assert.Equal(PermissionRisk.Destructive, Risk(ToolEffect.Write, "write", "delete notes.txt", "delete")); // the files plugin's delete
        Assert.Equal(PermissionRisk.Write, Risk(ToolEffect.Write, "write", "notes.txt → old.txt", "move"));
        Assert.Equal(PermissionRisk.Execute, Risk(ToolEffect.Execute | ToolEffect.Network, "call", "server/tool", "mcp"));
    }
}
