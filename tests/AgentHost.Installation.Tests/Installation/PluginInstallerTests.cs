using AgentHost.Hosting;
using AgentHost.Installation;
using AgentHost.Tests.Installation;
namespace AgentHost.Installation.Tests;

public sealed class PluginInstallerTests
{
    [Fact]
    public async Task InstallAsync_FromConfiguredHttpFeed_RecordsInstallTimeFromClock()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        feed.Add("web-tools", "1.0.0", box.Package("web-tools", "1.0.0"));
        using var http = new HttpClient();
        var now = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var log = new List<string>();
        var installer = box.Installer([new PluginFeed("web", feed.IndexUrl)], http, log, new FixedTimeProvider(now));

        var result = await installer.InstallAsync(new InstallRequest("web-tools"), _ => true);

        Assert.Equal(InstallOutcome.Installed, result.Outcome);
        Assert.Equal(("feed:web", now), (result.Plugin.Source, result.Plugin.InstalledAt));
        Assert.Equal(now, box.LockFile().Find("web-tools")!.InstalledAt);
        Assert.Contains(log, line => line.StartsWith("downloading " + feed.BaseUrl, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InstallAsync_TriesFeedsInOrder_AfterTheCatalog()
    {
        using var box = new InstallSandbox();
        var first = Path.Combine(box.Root, "first");
        var second = Path.Combine(box.Root, "second");
        box.Package("tools", "1.0.0", output: first);
        box.Package("tools", "5.0.0", output: second);
        box.Package("only-second", "1.0.0", output: second);
        using var http = new HttpClient();
        var installer = box.Installer([new PluginFeed("first", first), new PluginFeed("second", second)], http);

        var tools = await installer.InstallAsync(new InstallRequest("tools"), _ => true);
        var onlySecond = await installer.InstallAsync(new InstallRequest("only-second"), _ => true);

        Assert.Equal(("1.0.0", "feed:first"), (tools.Plugin.Version, tools.Plugin.Source));
        Assert.Equal("feed:second", onlySecond.Plugin.Source);
    }

    [Fact]
    public async Task InstallAsync_ShowsPlanAndChangesNothing_WhenDeclined()
    {
        using var box = new InstallSandbox();
        using var http = new HttpClient();
        var folder = box.Folder("demo", "1.0.0", PluginPackages.Manifest("demo", "1.0.0", extra: "uses: [processes, network]"));
        InstallPlan? seen = null;

        var result = await box.Installer([], http).InstallAsync(new InstallRequest(folder), plan =>
        {
            seen = plan;
            return false;
        });

        Assert.Equal(InstallOutcome.Declined, result.Outcome);
        Assert.NotNull(seen);
        Assert.Equal(["Processes", "Network"], seen.Manifest.Uses.Select(u => u.ToString()));
        Assert.StartsWith("sha512-", seen.Hash, StringComparison.Ordinal);
        Assert.False(File.Exists(box.Paths.LockFile));
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.Store.StagingDirectory));
    }

    [Fact]
    public async Task InstallAsync_ReportsFeedFailure_AndStillFindsPluginInLaterFeed()
    {
        using var box = new InstallSandbox();
        var folderFeed = Path.Combine(box.Root, "feed");
        box.Package("demo", "1.0.0", output: folderFeed);
        using var http = new HttpClient();
        var log = new List<string>();
        string deadUrl;
        using (var dead = new NuGetTestServer())
        {
            deadUrl = dead.IndexUrl;
        }

        var installer = box.Installer([new PluginFeed("dead", deadUrl), new PluginFeed("ok", folderFeed)], http, log);

        var result = await installer.InstallAsync(new InstallRequest("demo"), _ => true);

        Assert.Equal("feed:ok", result.Plugin.Source);
        Assert.Contains(log, line => line.StartsWith("warning: feed 'dead'", StringComparison.Ordinal) && line.Contains("could not reach", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InstallAsync_RefusesPrereleaseOnlyPlugin_WithHint()
    {
        using var box = new InstallSandbox();
        var feed = Path.Combine(box.Root, "feed");
        box.Package("beta-tools", "0.1.0-beta", output: feed);
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<AgentHostException>(() =>
            box.Installer([new PluginFeed("team", feed)], http).InstallAsync(new InstallRequest("beta-tools"), _ => true));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains("has only prerelease versions of 'beta-tools' (0.1.0-beta); pass --prerelease", error.Message, StringComparison.Ordinal);
    }
}
