using System.Text.RegularExpressions;
using AgentHost.Cli.Startup;
using AgentHost.Cli;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
namespace AgentHost.Tests.Installation;

public sealed class InstallCommandTests
{
    [Fact]
    public async Task Install_FromHttpFeed_PicksHighestStableVersion()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        foreach (var version in new[] { "1.0.0", "1.2.0", "2.0.0-beta.1" })
        {
            feed.Add("demo-tools", version, box.Package("demo-tools", version));
        }

        var result = await box.RunAsync("plugin", "install", "demo-tools", "--source", feed.IndexUrl, "--yes");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("Installed demo-tools 1.2.0", result.Output, StringComparison.Ordinal);
        var entry = Assert.Single(box.LockFile().Plugins);
        Assert.Equal(("demo-tools", "1.2.0", "feed:" + feed.IndexUrl, true), (entry.Id, entry.Version, entry.Source, entry.Enabled));
        Assert.Equal(feed.BaseUrl + "v3/flat/demo-tools/1.2.0/demo-tools.1.2.0.nupkg", entry.Origin);
        var folder = box.InstallDirectory("demo-tools", "1.2.0");
        Assert.Equal(PluginHasher.ComputeHash(folder), entry.Sha512);
        Assert.True(File.Exists(Path.Combine(folder, "skills", "demo", "SKILL.md")));
        Assert.Equal(["plugin.yaml", "skills"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("/v3/flat/demo-tools/index.json", feed.Requests);
    }

    [Fact]
    public async Task Install_FromHttpFeed_PicksPrerelease_OnlyWhenAsked()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        feed.Add("demo-tools", "1.0.0", box.Package("demo-tools", "1.0.0"));
        feed.Add("demo-tools", "2.0.0-beta.1", box.Package("demo-tools", "2.0.0-beta.1"));

        var result = await box.RunAsync("plugin", "install", "demo-tools", "--source", feed.IndexUrl, "--prerelease", "--yes");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("2.0.0-beta.1", box.LockFile().Find("demo-tools")!.Version);
        Assert.True(Directory.Exists(box.InstallDirectory("demo-tools", "2.0.0-beta.1")));
    }

    [Fact]
    public async Task Install_FromHttpFeed_InstallsExactVersion_AndReplacesPreviousFolder()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        feed.Add("demo-tools", "1.0.0", box.Package("demo-tools", "1.0.0"));
        feed.Add("demo-tools", "1.1.0", box.Package("demo-tools", "1.1.0"));

        var first = await box.RunAsync("plugin", "install", "demo-tools", "--source", feed.IndexUrl, "--version", "1.0.0", "--yes");
        var second = await box.RunAsync("plugin", "install", "demo-tools", "--source", feed.IndexUrl, "--yes");

        Assert.Equal((ExitCodes.Success, ExitCodes.Success), (first.ExitCode, second.ExitCode));
        Assert.Contains("(replaced 1.0.0)", second.Output, StringComparison.Ordinal);
        Assert.Equal("1.1.0", box.LockFile().Find("demo-tools")!.Version);
        Assert.False(Directory.Exists(box.InstallDirectory("demo-tools", "1.0.0")));
        Assert.True(Directory.Exists(box.InstallDirectory("demo-tools", "1.1.0")));
    }

    [Fact]
    public async Task Install_FromHttpFeed_ReportsMissingVersion()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        feed.Add("demo-tools", "1.0.0", box.Package("demo-tools", "1.0.0"));

        var result = await box.RunAsync("plugin", "install", "demo-tools", "--source", feed.IndexUrl, "--version", "3.0.0", "--yes");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("has plugin 'demo-tools' but not version 3.0.0; available: 1.0.0", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_FromConfiguredLocalFolderFeed_RecordsFeedName()
    {
        using var box = new InstallSandbox();
        var feedFolder = Path.Combine(box.Root, "feed");
        box.Package("local-tools", "1.0.0", output: feedFolder);
        box.Package("local-tools", "1.5.0", output: feedFolder);
        box.WriteConfig($"plugins:\n  feeds:\n    - name: team\n      url: {feedFolder}\n");

        var result = await box.RunAsync("plugin", "install", "local-tools", "--yes");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var entry = box.LockFile().Find("local-tools")!;
        Assert.Equal(("1.5.0", "feed:team"), (entry.Version, entry.Source));
        Assert.Equal(Path.Combine(feedFolder, "local-tools.1.5.0.nupkg"), entry.Origin);
    }

    [Fact]
    public async Task Install_FromHierarchicalFolderFeed_GivenWithSource()
    {
        using var box = new InstallSandbox();
        var feedFolder = Path.Combine(box.Root, "feed");
        box.Package("deep-tools", "2.1.0", output: Path.Combine(feedFolder, "deep-tools", "2.1.0"));
        box.Package("deep-tools", "2.0.0", output: Path.Combine(feedFolder, "deep-tools", "2.0.0"));

        var result = await box.RunAsync("plugin", "install", "deep-tools", "--source", feedFolder, "--yes");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var entry = box.LockFile().Find("deep-tools")!;
        Assert.Equal(("2.1.0", "feed:" + feedFolder), (entry.Version, entry.Source));
    }

    [Fact]
    public async Task Install_FromFolderPath_CopiesFolder()
    {
        using var box = new InstallSandbox();
        var folder = box.Folder("folder-tools", "0.3.0");

        var result = await box.RunAsync("plugin", "install", folder, "--yes");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var entry = box.LockFile().Find("folder-tools")!;
        Assert.Equal(("0.3.0", "folder", folder), (entry.Version, entry.Source, entry.Origin));
        Assert.Equal(PluginHasher.ComputeHash(folder), entry.Sha512);
    }

    [Fact]
    public async Task Install_FromNupkgPath_ExtractsWithoutPackagingMetadata()
    {
        using var box = new InstallSandbox();
        var package = box.Package("pkg-tools", "1.0.0");

        var result = await box.RunAsync("plugin", "install", package, "--yes");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var entry = box.LockFile().Find("pkg-tools")!;
        Assert.Equal(("nupkg", package), (entry.Source, entry.Origin));
        var folder = box.InstallDirectory("pkg-tools", "1.0.0");
        Assert.False(File.Exists(Path.Combine(folder, "pkg-tools.nuspec")));
        Assert.False(File.Exists(Path.Combine(folder, "[Content_Types].xml")));
        Assert.False(Directory.Exists(Path.Combine(folder, "_rels")));
        Assert.False(Directory.Exists(Path.Combine(folder, "package")));
        Assert.Equal(PluginHasher.ComputeHash(folder), entry.Sha512);
    }

    [Fact]
    public async Task Install_FromCatalog_AcceptsFolderAndPackageEntries_AndWinsOverFeeds()
    {
        using var box = new InstallSandbox();
        PluginPackages.WriteFolder(box.Catalog, "yaml-ls", "1.0.0");
        box.Package("json-ls", "1.1.0", output: box.Catalog);
        var feedFolder = Path.Combine(box.Root, "feed");
        box.Package("yaml-ls", "9.0.0", output: feedFolder);
        box.WriteConfig($"plugins:\n  feeds:\n    - name: team\n      url: {feedFolder}\n");

        var yaml = await box.RunAsync("plugin", "install", "yaml-ls", "--yes");
        var json = await box.RunAsync("plugin", "install", "json-ls", "--yes");

        Assert.Equal((ExitCodes.Success, ExitCodes.Success), (yaml.ExitCode, json.ExitCode));
        Assert.Equal(("1.0.0", "catalog"), (box.LockFile().Find("yaml-ls")!.Version, box.LockFile().Find("yaml-ls")!.Source));
        Assert.Equal(("1.1.0", "catalog"), (box.LockFile().Find("json-ls")!.Version, box.LockFile().Find("json-ls")!.Source));
    }

    [Fact]
    public async Task Install_RejectsPackage_WhenManifestInvalid_AndKeepsPreviousVersion()
    {
        using var box = new InstallSandbox();
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", box.Package("demo", "1.0.0"), "--yes")).ExitCode);
        var lockBefore = box.LockFileText();
        var bad = box.Package("demo", "2.0.0", manifest: "id: demo\nversion: two\ndescription: Broken\nsdk: \"^1.0\"\n");

        var result = await box.RunAsync("plugin", "install", bad, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Matches($@"{Regex.Escape(bad)}!/plugin\.yaml:\d+:\d+: field 'version': 'two' is not a semantic version", result.Error);
        Assert.Contains("Nothing was changed.", result.Error, StringComparison.Ordinal);
        Assert.Equal(lockBefore, box.LockFileText());
        Assert.True(File.Exists(Path.Combine(box.InstallDirectory("demo", "1.0.0"), "plugin.yaml")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.Store.StagingDirectory));
    }

    [Fact]
    public async Task Install_RejectsPackage_WithZipSlipEntry()
    {
        using var box = new InstallSandbox();
        var evil = box.Package("evil", "1.0.0", extraEntries: [("../../escaped.txt", "gotcha")]);

        var result = await box.RunAsync("plugin", "install", evil, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains("package entry '../../escaped.txt' points outside the plugin folder", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(box.Root, "escaped.txt", SearchOption.AllDirectories));
        Assert.False(File.Exists(box.Paths.LockFile));
        Assert.False(Directory.Exists(Path.Combine(box.Paths.PluginsDirectory, "evil")));
    }

    [Fact]
    public async Task Install_DeletesStaleStagingFolders_FromInterruptedInstall()
    {
        using var box = new InstallSandbox();
        var leftover = Path.Combine(box.Store.StagingDirectory, "0123456789abcdef");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "plugin.yaml"), "half-written");
        File.WriteAllText(Path.Combine(box.Store.StagingDirectory, "download.nupkg"), "partial");

        var result = await box.RunAsync("plugin", "install", box.Folder("demo", "1.0.0"), "--yes");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.Store.StagingDirectory));
        Assert.Equal("1.0.0", box.LockFile().Find("demo")!.Version);
    }

    [Fact]
    public async Task Install_FailureAfterStaging_LeavesPriorInstallIntact()
    {
        using var box = new InstallSandbox();
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", box.Folder("demo", "1.0.0"), "--yes")).ExitCode);
        var lockBefore = box.LockFileText();
        var hashBefore = PluginHasher.ComputeHash(box.InstallDirectory("demo", "1.0.0"));
        var broken = box.Folder("demo", "2.0.0", PluginPackages.Manifest("demo", "2.0.0", extra: "entry: Demo.Plugin.dll"));

        var result = await box.RunAsync("plugin", "install", broken, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains("declares entry 'Demo.Plugin.dll'", result.Error, StringComparison.Ordinal);
        Assert.Equal(lockBefore, box.LockFileText());
        Assert.Equal(hashBefore, PluginHasher.ComputeHash(box.InstallDirectory("demo", "1.0.0")));
        Assert.False(Directory.Exists(box.InstallDirectory("demo", "2.0.0")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.Store.StagingDirectory));
    }

    [Fact]
    public async Task Install_RefusesWithoutYes_WhenNotInteractive()
    {
        using var box = new InstallSandbox();

        var result = await box.RunAsync("plugin", "install", box.Folder("demo", "1.0.0"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("pass --yes to install", result.Error, StringComparison.Ordinal);
        Assert.Contains("Plugin       demo 1.0.0", result.Output, StringComparison.Ordinal);
        Assert.Contains("Skills       skills", result.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(box.Paths.LockFile));
        Assert.False(Directory.Exists(Path.Combine(box.Paths.PluginsDirectory, "demo")));
    }

    [Fact]
    public async Task Install_UnknownId_SuggestsCloseMatches()
    {
        using var box = new InstallSandbox();
        PluginPackages.WriteFolder(box.Catalog, "terraform-ls", "1.0.0");
        var feedFolder = Path.Combine(box.Root, "feed");
        box.Package("terraform-docs", "1.0.0", output: feedFolder);
        box.WriteConfig($"plugins:\n  feeds:\n    - name: team\n      url: {feedFolder}\n");

        var result = await box.RunAsync("plugin", "install", "terraform", "--yes");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("no plugin 'terraform' found in the catalog or feeds. Did you mean: terraform-ls, terraform-docs?", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_UnknownId_SaysHttpFeedsCannotBeSearched()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        box.WriteConfig($"plugins:\n  feeds:\n    - name: web\n      url: {feed.IndexUrl}\n");

        var result = await box.RunAsync("plugin", "install", "nothing-here", "--yes");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("no plugin 'nothing-here' found in the catalog or feeds.", result.Error, StringComparison.Ordinal);
        Assert.Contains("HTTP feeds cannot be searched for similar names", result.Error, StringComparison.Ordinal);
        Assert.Contains("/v3/flat/nothing-here/index.json", feed.Requests);
    }

    [Fact]
    public async Task Install_RefusesPlugin_WhenSdkRangeExcludesHost()
    {
        using var box = new InstallSandbox();
        var future = box.Folder("future", "3.0.0", PluginPackages.Manifest("future", "3.0.0", sdk: "^2.0"));

        var result = await box.RunAsync("plugin", "install", future, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains("future 3.0.0 requires agent SDK '^2.0', but this agent provides SDK 1.0.0", result.Error, StringComparison.Ordinal);
        Assert.Contains("Install an older version of the plugin", result.Error, StringComparison.Ordinal);
        Assert.Contains("or update agent", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(box.Paths.LockFile));
    }

    [Fact]
    public async Task Install_SameVersionSameContent_IsNoOp()
    {
        using var box = new InstallSandbox();
        var folder = box.Folder("demo", "1.0.0");
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", folder, "--yes")).ExitCode);
        var lockBefore = box.LockFileText();

        var result = await box.RunAsync("plugin", "install", folder, "--yes");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("demo 1.0.0 is already installed with the same content; nothing to do", result.Output, StringComparison.Ordinal);
        Assert.Equal(lockBefore, box.LockFileText());
    }

    [Fact]
    public async Task Install_SameVersionDifferentContent_RequiresForce()
    {
        using var box = new InstallSandbox();
        var folder = box.Folder("demo", "1.0.0");
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", folder, "--yes")).ExitCode);
        File.AppendAllText(Path.Combine(folder, "skills", "demo", "SKILL.md"), "More.\n");

        var refused = await box.RunAsync("plugin", "install", folder, "--yes");
        var forced = await box.RunAsync("plugin", "install", folder, "--yes", "--force");

        Assert.Equal(ExitCodes.Plugin, refused.ExitCode);
        Assert.Contains("demo 1.0.0 is already installed, but", refused.Error, StringComparison.Ordinal);
        Assert.Contains("Pass --force to replace the installed copy.", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, forced.ExitCode);
        Assert.Equal(PluginHasher.ComputeHash(folder), box.LockFile().Find("demo")!.Sha512);
        Assert.Equal(PluginHasher.ComputeHash(folder), PluginHasher.ComputeHash(box.InstallDirectory("demo", "1.0.0")));
    }

    [Fact]
    public async Task Install_RefusesPackage_WhenNuspecAndManifestDisagree()
    {
        using var box = new InstallSandbox();
        var feedFolder = Path.Combine(box.Root, "feed");
        var folder = box.Folder("other-id", "1.0.0");
        PluginPackages.Pack(folder, feedFolder, "listed-id", "1.0.0");

        var result = await box.RunAsync("plugin", "install", "listed-id", "--source", feedFolder, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains("is listed as plugin 'listed-id', but its plugin.yaml declares id 'other-id'", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(box.Paths.LockFile));
    }

    [Theory]
    [InlineData("y\n", ExitCodes.Success, true)]
    [InlineData("n\n", ExitCodes.Denied, false)]
    [InlineData("\n", ExitCodes.Denied, false)]
    public async Task Install_AsksForConfirmation_WhenInteractive(string answer, int exitCode, bool installed)
    {
        using var box = new InstallSandbox();
        var folder = box.Folder("demo", "1.0.0");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new ConsoleInteraction(isInteractive: true, output, error, new StringReader(answer));

        var code = await AgentProgram.RunAsync(["plugin", "install", folder], console, box.Environment, CancellationToken.None);

        Assert.Equal(exitCode, code);
        Assert.Contains("Install demo 1.0.0? [y/N]", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Code         none (declarative", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(installed, box.LockFile().Find("demo") is not null);
        Assert.Equal(installed, Directory.Exists(box.InstallDirectory("demo", "1.0.0")));
    }

    [Fact]
    public async Task Install_ReplacesOrphanFolder_LeftBetweenRenameAndLockfileWrite()
    {
        using var box = new InstallSandbox();
        var orphan = box.InstallDirectory("demo", "1.0.0");
        Directory.CreateDirectory(orphan);
        File.WriteAllText(Path.Combine(orphan, "stray.txt"), "from an interrupted install");

        var result = await box.RunAsync("plugin", "install", box.Folder("demo", "1.0.0"), "--yes");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(orphan, "stray.txt")));
        Assert.Equal(PluginHasher.ComputeHash(orphan), box.LockFile().Find("demo")!.Sha512);
    }

    [Fact]
    public async Task Install_Refuses_WhileAnotherCommandHoldsTheStoreLock()
    {
        using var box = new InstallSandbox();
        Directory.CreateDirectory(box.Paths.PluginsDirectory);
        using (new FileStream(Path.Combine(box.Paths.PluginsDirectory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var blocked = await box.RunAsync("plugin", "install", box.Folder("demo", "1.0.0"), "--yes");

            Assert.Equal(ExitCodes.Plugin, blocked.ExitCode);
            Assert.Contains("another 'agent plugin' command is changing plugins right now", blocked.Error, StringComparison.Ordinal);
        }

        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", box.Folder("demo", "1.0.0"), "--yes")).ExitCode);
    }
}
