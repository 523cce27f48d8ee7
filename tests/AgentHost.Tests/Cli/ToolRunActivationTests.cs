using AgentHost.Agent.Engine;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Tools;
using AgentHost.Cli;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Plugins;
using AgentHost.Tests.Support;
using static AgentHost.Tests.Support.PluginCopies;
using static AgentHost.Tests.Support.PluginRuntimes;

namespace AgentHost.Tests.Cli;

/// <summary>
/// #25: <c>agent tool run NAME</c> starts the activation of the dormant plugin that declares NAME as soon as the plugins
/// are loaded (before the permission gate and the pipeline are built), and the call joins it; the hash check, the
/// permission decision and the failure reporting stay those of a call that activates the plugin itself.
/// </summary>
public sealed class ToolRunActivationTests
{
    [Fact]
    public async Task ForADormantPluginsTool_TheActivationStartsWithoutTheCall_AndTheCallThenGetsTheRealResult()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);
        CopyCatalogPlugin("git", temp);
        File.WriteAllText(temp.Combine("work", "notes.txt").EnsureFolder(), "first line\nsecond line\n");
        await using var warm = await DormantAfterAColdRunAsync(temp, "files", "git");
        Assert.False(warm.Host.Loaded["files"].IsActive);

        Assert.True(HeadlessToolOptions.StartCalledPluginActivation(warm, "files/view"));
        Assert.False(HeadlessToolOptions.StartCalledPluginActivation(warm, "view")); // the same plugin: under way, not started twice
        await WaitUntilAsync(() => warm.Host.Loaded["files"].IsActive);

        Assert.True(warm.Host.Loaded["files"].IsActive, "the activation ran before any call");
        Assert.False(warm.Host.Loaded["git"].IsActive); // not the called tool's plugin: its code is not loaded
        Assert.False(HeadlessToolOptions.StartCalledPluginActivation(warm, "no_such_tool"));
        using var pipeline = AgentRunner.CreatePipeline(warm, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System);
        var outcome = await pipeline.InvokeAsync("view", """{"path": "notes.txt"}""", new ToolCallContext("cli", "cli-1") { WorkspaceRoot = temp.Combine("work") });
        Assert.True(outcome.Status == ToolCallStatus.Succeeded, outcome.Text);
        Assert.Contains("second line", outcome.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInstalledPluginChangedAfterItsSnapshot_IsRefusedByItsHash_AndTheCallFailsWithTheReason()
    {
        using var temp = new TempDirectory();
        var (request, snapshotFile) = await InstalledFilesPluginTamperedAfterItsSnapshotAsync(temp);
        await using var second = WithSnapshots(snapshotFile);
        Assert.Equal(PluginLoadStatus.Loaded, (await second.Host.LoadAsync(request)).Status);
        Assert.False(second.Host.Loaded["files"].IsActive); // dormant from the snapshot: nothing checked the bytes yet

        Assert.True(HeadlessToolOptions.StartCalledPluginActivation(second, "view"));
        using var pipeline = AgentRunner.CreatePipeline(second, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System);
        var outcome = await pipeline.InvokeAsync("view", """{"path": "notes.txt"}""", new ToolCallContext("cli", "cli-1") { WorkspaceRoot = temp.Path });

        Assert.Equal(ToolCallStatus.Failed, outcome.Status);
        Assert.Contains("was modified after it was installed", outcome.Text, StringComparison.Ordinal);
        Assert.False(second.Host.Loaded.ContainsKey("files"));
    }

    [Fact]
    public async Task ToolRun_OfADormantPluginsTool_StillDecidesPermission_AndStillAnswers()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/notes.txt", "alpha\nbeta\n");
        var env = TestEnvironment.Create(temp.Path, temp.Path);
        var cold = await CliRunner.RunAsync(env, "tool", "run", "view", "--args", "{\"path\":\"notes.txt\"}", "--root", temp.Combine("ws"), "-p", "files");
        Assert.True(cold.ExitCode == ExitCodes.Success, cold.Output + cold.Error); // captures the snapshot: later runs start files dormant

        var warm = await CliRunner.RunAsync(env, "tool", "run", "view", "--args", "{\"path\":\"notes.txt\"}", "--root", temp.Combine("ws"), "-p", "files");
        var outside = await CliRunner.RunAsync(env, "tool", "run", "view", "--args", "{\"path\":\"../../etc/passwd\"}", "--root", temp.Combine("ws"), "-p", "files");
        var denied = await CliRunner.RunAsync(
            env, "tool", "run", "view", "--args", "{\"path\":\"notes.txt\"}", "--root", temp.Combine("ws"), "-p", "files", "-c", "permissions.deny.0=view");

        Assert.True(warm.ExitCode == ExitCodes.Success, warm.Output + warm.Error);
        Assert.Contains("2\tbeta", warm.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Denied, outside.ExitCode);
        Assert.Contains("is outside the sandbox", outside.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Denied, denied.ExitCode);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
