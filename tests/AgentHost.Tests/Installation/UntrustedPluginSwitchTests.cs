using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary>
/// A project's <c>.agent/plugins.yaml</c> travels with the repository: until the project is trusted it may disable
/// plugins, but not enable one you disabled (a cloned repository cannot switch on code you switched off).
/// </summary>
public sealed class UntrustedPluginSwitchTests
{
    [Fact]
    public async Task UntrustedProject_CannotEnableAGloballyDisabledPlugin_UntilTrusted()
    {
        using var box = new InstallSandbox();
        await InstallAsync(box, "demo");
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "disable", "demo")).ExitCode);
        var repo = Repository(box);
        File.WriteAllText(Path.Combine(repo, ".agent", "plugins.yaml"), "enabled:\n- demo\n");

        var untrusted = await CliRunner.RunAsync(box.EnvironmentIn(repo), "plugin", "list");
        var trust = await CliRunner.RunAsync(box.EnvironmentIn(repo), "trust");
        var trusted = await CliRunner.RunAsync(box.EnvironmentIn(repo), "plugin", "list");

        Assert.Equal((ExitCodes.Success, ExitCodes.Success, ExitCodes.Success), (untrusted.ExitCode, trust.ExitCode, trusted.ExitCode));
        Assert.Matches(@"demo\s+1\.0\.0\s+\S+\s+no \(project not trusted\)", untrusted.Output);
        Assert.Contains("the project is not trusted: its .agent/plugins.yaml cannot enable plugins you disabled (demo)", untrusted.Error, StringComparison.Ordinal);
        Assert.Matches(@"demo\s+1\.0\.0\s+\S+\s+yes \(project\)", trusted.Output);
        Assert.DoesNotContain("not trusted", trusted.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntrustedProject_MayDisableAPlugin()
    {
        using var box = new InstallSandbox();
        await InstallAsync(box, "demo");
        var repo = Repository(box);
        File.WriteAllText(Path.Combine(repo, ".agent", "plugins.yaml"), "disabled:\n- demo\n");

        var list = await CliRunner.RunAsync(box.EnvironmentIn(repo), "plugin", "list");

        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.Matches(@"demo\s+1\.0\.0\s+\S+\s+no \(project\)", list.Output);
        Assert.DoesNotContain("not trusted", list.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnableForProject_InAnUntrustedProject_SaysItStaysDisabled()
    {
        using var box = new InstallSandbox();
        await InstallAsync(box, "demo");
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "disable", "demo")).ExitCode);
        var repo = Repository(box);

        var enable = await CliRunner.RunAsync(box.EnvironmentIn(repo), "plugin", "enable", "demo", "--project");

        Assert.Equal(ExitCodes.Success, enable.ExitCode);
        Assert.Contains("demo stays disabled here until you run 'agent trust'", enable.Error, StringComparison.Ordinal);
        Assert.Contains("enabled:\n- demo", File.ReadAllText(Path.Combine(repo, ".agent", "plugins.yaml")), StringComparison.Ordinal);
    }

    private static string Repository(InstallSandbox box)
    {
        var repo = Path.Combine(box.Work, "repo");
        Directory.CreateDirectory(Path.Combine(repo, ".git"));
        Directory.CreateDirectory(Path.Combine(repo, ".agent"));
        return repo;
    }

    private static async Task InstallAsync(InstallSandbox box, string id)
    {
        var result = await box.RunAsync("plugin", "install", box.Folder(id, "1.0.0"), "--yes");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
    }
}
