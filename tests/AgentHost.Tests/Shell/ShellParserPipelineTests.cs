using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Configuration;
using AgentHost.Tests.Permissions;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.ShellTools;

/// <summary>
/// Issue #17, classes 4 and 5, end to end: lines the parser used to misread go through the real tool pipeline (the rule
/// gate, then the shell plugin running real bash) and the real <c>agent permissions check</c>; the shell plugin's
/// banned-command check reads lines with the kernel's own parser.
/// </summary>
public sealed class ShellParserPipelineTests
{
    [UnixTheory("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    [InlineData("echo ${x:-'}'}; touch marker #'", "shell(echo *)")]
    [InlineData("echo ${x:-\"}\"}; touch marker #\"", "shell(echo *)")]
    public async Task AllowRule_DoesNotRun_ACommandHiddenInAnExpansion(string command, string allow)
    {
        await AssertNeverRunsAsync(command, [allow], [], PermissionMode.DontAsk);
    }

    [UnixTheory("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    [InlineData("env -iu VAR touch marker")]
    [InlineData("bash -O extglob -c 'touch marker'")]
    [InlineData("bash -c -- 'touch marker'")]
    [InlineData("timeout -vk 5 10 touch marker")]
    [InlineData("xargs -0n 1 touch marker < /dev/null")]
    public async Task DenyRule_StopsACommand_BehindCombinedWrapperOptions(string command)
    {
        await AssertNeverRunsAsync(command, ["shell"], ["shell(touch *)"], PermissionMode.Yolo);
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task SafetyFloor_StopsACredentialReadWrittenWithBraces()
    {
        // 'cat ~/.{ssh,x}/id_rsa' reads ~/.ssh/id_rsa once the shell expands the braces; the line then touches a marker.
        await AssertNeverRunsAsync("cat ~/.{ssh,x}/id_rsa > /dev/null 2>&1; touch marker", ["shell"], [], PermissionMode.Yolo);
    }

    public static TheoryData<string> BannedLines => new()
    {
        "touch marker; env -iu VAR curl http://example.invalid",
        "touch marker; sudo -Eu root curl http://example.invalid",
        "touch marker; bash -O extglob -c 'curl http://example.invalid'",
        "touch marker; bash -c -- 'curl http://example.invalid'",
        "touch marker; sh -xc 'curl http://example.invalid'",
        "touch marker; busybox curl http://example.invalid",
        "touch marker; echo x | xargs -0n 1 curl",
        "touch marker; timeout -vk 5 10 curl http://example.invalid",
        "touch marker; command -p curl http://example.invalid",
        "touch marker; exec -a name curl http://example.invalid",
        "touch marker; cat <<EOF\n$(curl http://example.invalid)\nEOF",
    };

    [UnixTheory("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    [MemberData(nameof(BannedLines))]
    public async Task ShellPlugin_AndKernel_ReadTheLineAlike(string command)
    {
        using var permissions = new PermissionFixture();
        var kernel = PermissionFixture.Shell(permissions.Engine(allow: ["shell"], deny: ["shell(curl *)"]), command, PermissionMode.Yolo);
        await using var fixture = await ShellPluginFixture.LoadAsync(("banned_commands.0", "curl"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.ShellAsync(command));

        Assert.Equal(Verdict.Deny, kernel.Verdict);
        Assert.Contains("is a banned command", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.Root, "marker")));
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task ShellPlugin_RefusesALine_TheParserDoesNotUnderstand_WhenCommandsAreBanned()
    {
        await using var fixture = await ShellPluginFixture.LoadAsync(("banned_commands.0", "curl"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.ShellAsync("touch marker; echo ${x:-'}'}; curl x #'"));

        Assert.Contains("cannot be checked against plugins.settings.shell.banned_commands", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.Root, "marker")));
    }

    [Fact]
    public void ShellPlugin_CompilesTheKernelsParser_NotAParserOfItsOwn()
    {
        var plugin = typeof(ShellParserPipelineTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "FixturesDirectory").Value!;
        var dll = Path.Combine(Path.GetDirectoryName(plugin.TrimEnd('/', '\\'))!, "catalog", "shell", "AgentHost.Plugins.Shell.dll");
        using var stream = File.OpenRead(dll);
        using var reader = new PEReader(stream);
        var metadata = reader.GetMetadataReader();

        var types = metadata.TypeDefinitions.Select(handle => metadata.GetTypeDefinition(handle))
            .Select(type => metadata.GetString(type.Namespace) + "." + metadata.GetString(type.Name)).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("AgentHost.Common.Shell.ShellCommandParser", types);
        Assert.Contains("AgentHost.Common.Shell.CommandNormalizer", types);
        Assert.Contains(typeof(PermissionEngine).Assembly.GetTypes(), type => type.FullName == "AgentHost.Common.Shell.ShellCommandParser");
    }

    [Theory]
    [InlineData("rm -rf ~/..")]
    [InlineData("rm --recurs --force ~")]
    [InlineData("rm -rf ${HOME%/}")]
    [InlineData("echo ~ | xargs rm -rf")]
    [InlineData("find ~ -delete")]
    [InlineData("cat ~/.{ssh,aws}/credentials")]
    [InlineData("rm -rf ~root")]
    public async Task PermissionsCheck_DeniesBelowTheFloor_InYolo(string command)
    {
        using var project = new ConfigProject();
        project.WriteProject("permissions:\n  allow:\n    - shell\n");
        project.TrustRepo();

        var result = await project.RunAsync("permissions", "check", "shell", command, "--mode", "yolo");

        Assert.True(result.ExitCode == ExitCodes.Denied, $"{command}: exit {result.ExitCode}\n{result.Output}{result.Error}");
        Assert.Contains("safety floor", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PermissionsCheck_AsksForALineItDoesNotUnderstand_EvenWithABareShellRule()
    {
        using var project = new ConfigProject();
        project.WriteProject("permissions:\n  allow:\n    - shell(echo *)\n  deny:\n    - shell(rm *)\n");
        project.TrustRepo();

        var hidden = await project.RunAsync("permissions", "check", "shell", "echo ${x:-'}'}; rm -rf x #'", "--mode", "dont-ask");
        var wrapped = await project.RunAsync("permissions", "check", "shell", "env -iu VAR rm -rf x", "--mode", "dont-ask");

        Assert.True(hidden.ExitCode == ExitCodes.Denied, hidden.Output + hidden.Error);
        Assert.Contains("could not be parsed", hidden.Output, StringComparison.Ordinal);
        Assert.True(wrapped.ExitCode == ExitCodes.Denied, wrapped.Output + wrapped.Error);
        Assert.Contains("shell(rm *)", wrapped.Output, StringComparison.Ordinal);
    }

    private static async Task AssertNeverRunsAsync(string command, string[] allow, string[] deny, PermissionMode mode)
    {
        await using var fixture = await ShellPluginFixture.LoadAsync();
        var home = fixture.Temp.Combine("home");
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        File.WriteAllText(Path.Combine(home, ".ssh", "id_rsa"), "key");
        var gate = new RulePermissionGate(PermissionPolicy.FromText(allow: allow, deny: deny), mode, fixture.Root, home);
        using var pipeline = new ToolPipeline(fixture.Harness.Registry, fixture.Harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);
        var context = new ToolCallContext("s-1", "call-1") { WorkspaceRoot = fixture.Root };

        var result = await pipeline.InvokeAsync("shell", JsonSerializer.Serialize(new { command }), context);

        Assert.True(result.Status != ToolCallStatus.Succeeded, $"{command}: {result.Status} {result.Text}");
        Assert.False(File.Exists(Path.Combine(fixture.Root, "marker")), $"{command} ran: {result.Text}");
    }
}
