namespace AgentHost.Tests.Installation;

/// <summary>An untrusted project cannot choose where <c>agent plugin install</c> gets plugins from.</summary>
public sealed class UntrustedFeedTests
{
    [Fact]
    public async Task Install_IgnoresAnUntrustedProjectsFeeds_AndSaysSo()
    {
        using var box = new InstallSandbox();
        var config = WriteProjectFeed(box);

        var result = await box.RunAsync("plugin", "install", "team-tools", "--yes");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Null(box.LockFile().Find("team-tools"));
        Assert.Contains(
            $"warning: {config}:3: project {config} is not trusted: its plugin feeds are ignored (plugins.feeds); a project cannot choose where your keys go, which key, variable or file is read, what runs, or where plugins come from. If you trust this repository, run 'agent trust' in it.",
            result.Error,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_UsesATrustedProjectsFeeds()
    {
        using var box = new InstallSandbox();
        WriteProjectFeed(box);

        var result = await box.RunAsync("plugin", "install", "team-tools", "--yes", "-c", "permissions.trusted_projects.0=" + box.Work);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal(("1.0.0", "feed:project-feed"), (box.LockFile().Find("team-tools")!.Version, box.LockFile().Find("team-tools")!.Source));
        Assert.DoesNotContain("not trusted", result.Error, StringComparison.Ordinal);
    }

    private static string WriteProjectFeed(InstallSandbox box)
    {
        var feed = Path.Combine(box.Root, "project-feed");
        box.Package("team-tools", "1.0.0", output: feed);
        var config = Path.Combine(box.Work, ".agent", "config.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, $"plugins:\n  feeds:\n    - name: project-feed\n      url: {feed}\n");
        return config;
    }
}
