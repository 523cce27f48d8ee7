using AgentHost.Hosting.Plugins;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary>
/// Names that take over other names (#44): a first-party id is the catalog's alone, a marketplace's plugin is
/// <c>name@marketplace</c> so two marketplaces' plugins of one name coexist (#50), and no install replaces a plugin
/// that came from elsewhere unless asked. Through the real CLI.
/// </summary>
public sealed class PluginIdTests
{
    /// <summary>A sandbox whose bundled catalog holds a first-party <c>shell</c>.</summary>
    private static InstallSandbox WithFirstPartyShell()
    {
        var box = new InstallSandbox();
        var shell = PluginPackages.WriteFolder(box.Root, "shell", "1.0.0");
        Directory.Move(shell, Path.Combine(box.Catalog, "shell"));
        return box;
    }

    /// <summary>A marketplace folder named <paramref name="name"/> offering the <c>shell</c> fixture and a plugin <c>tool</c> of <paramref name="toolVersion"/>.</summary>
    private static string WriteMarketplace(InstallSandbox box, string name, string toolVersion)
    {
        var root = Path.Combine(box.Root, name);
        Directory.CreateDirectory(Path.Combine(root, ".claude-plugin"));
        Directory.CreateDirectory(Path.Combine(root, "plugins"));
        Directory.Move(ClaudePluginFixtures.CopyTo("shell", Path.Combine(root, "tmp")), Path.Combine(root, "plugins", "shell"));
        Directory.Move(PluginPackages.WriteFolder(Path.Combine(root, "tmp"), "tool", toolVersion), Path.Combine(root, "plugins", "tool"));
        File.WriteAllText(Path.Combine(root, ".claude-plugin", "marketplace.json"), $$"""
            {
              "name": "{{name}}",
              "owner": { "name": "Someone" },
              "plugins": [
                { "name": "shell", "source": "./plugins/shell" },
                { "name": "tool", "version": "{{toolVersion}}", "source": "./plugins/tool" }
              ]
            }
            """);
        return root;
    }

    [Fact]
    public async Task AClaudeCodePluginNamedLikeAFirstPartyOne_IsRefused_NamingBoth_AndNothingIsInstalled()
    {
        using var box = WithFirstPartyShell();
        var folder = ClaudePluginFixtures.CopyTo("shell", box.Sources);

        var install = await box.RunAsync("plugin", "install", folder, "--yes");

        Assert.Equal(ExitCodes.Plugin, install.ExitCode);
        Assert.Contains($"folder: {folder} is a plugin named 'shell', but 'shell' is reserved for the first-party plugin 'shell' bundled with agent ({Path.Combine(box.Catalog, "shell")})", install.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed.", install.Error, StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("shell"));
        Assert.False(Directory.Exists(Path.Combine(box.Paths.PluginsDirectory, "shell")));
    }

    [Fact]
    public async Task APackageOnAFeedNamedLikeAFirstPartyOne_IsRefused()
    {
        using var box = WithFirstPartyShell();
        var package = box.Package("shell", "2.0.0");

        var install = await box.RunAsync("plugin", "install", package, "--yes");

        Assert.Equal(ExitCodes.Plugin, install.ExitCode);
        Assert.Contains("'shell' is reserved for the first-party plugin 'shell' bundled with agent", install.Error, StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("shell"));
    }

    [Fact]
    public async Task AMarketplacesPluginNamedShell_IsInstalledAsShellAtTheMarketplace_BesideTheFirstPartyOne()
    {
        using var box = WithFirstPartyShell();
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box, "acme", "1.0.0"))).ExitCode);

        var install = await box.RunAsync("plugin", "install", "shell@acme", "--yes");
        var info = await box.RunAsync("plugin", "info", "shell@acme");

        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Contains("Plugin       shell@acme 9.9.9", install.Output, StringComparison.Ordinal);
        Assert.Contains("Commands     /shell:sh", install.Output, StringComparison.Ordinal);
        Assert.Contains("Installed shell@acme 9.9.9 from marketplace:acme.", install.Output, StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("shell"));
        Assert.Equal("shell@acme", box.LockFile().Find("shell@acme")!.Origin);
        Assert.True(File.Exists(Path.Combine(box.InstallDirectory("shell@acme", "9.9.9"), ".claude-plugin", "plugin.json")));
        Assert.True(info.ExitCode == ExitCodes.Success, info.Error);
    }

    [Fact]
    public async Task TwoMarketplacesPluginsOfOneName_Coexist_AndNeitherReplacesOrDowngradesTheOther()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box, "first", "2.0.0"));
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box, "second", "1.0.0"));

        var one = await box.RunAsync("plugin", "install", "tool@first", "--yes");
        var two = await box.RunAsync("plugin", "install", "tool@second", "--yes");
        var bare = await box.RunAsync("plugin", "disable", "tool");

        Assert.True(one.ExitCode == ExitCodes.Success, one.Error);
        Assert.True(two.ExitCode == ExitCodes.Success, two.Error);
        Assert.DoesNotContain("replaced", two.Output, StringComparison.Ordinal);
        var locked = box.LockFile();
        Assert.Equal(("2.0.0", "marketplace:first"), (locked.Find("tool@first")!.Version, locked.Find("tool@first")!.Source));
        Assert.Equal(("1.0.0", "marketplace:second"), (locked.Find("tool@second")!.Version, locked.Find("tool@second")!.Source));
        Assert.True(Directory.Exists(box.InstallDirectory("tool@first", "2.0.0")));
        Assert.True(Directory.Exists(box.InstallDirectory("tool@second", "1.0.0")));
        Assert.Equal(ExitCodes.Usage, bare.ExitCode);
        Assert.Contains("plugin 'tool' is ambiguous: plugins of that name are installed from 2 marketplaces, as 'tool@first' and 'tool@second'.", bare.Error, StringComparison.Ordinal);
        Assert.True(locked.Find("tool@first")!.Enabled && locked.Find("tool@second")!.Enabled);
    }

    [Fact]
    public async Task TwoMarketplacesPluginsOfOneName_AreListedWithTheirMarketplaces_AndABarePluginNameIsAmbiguous()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box, "first", "2.0.0"));
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box, "second", "1.0.0"));
        await box.RunAsync("plugin", "install", "tool@first", "--yes");
        await box.RunAsync("plugin", "install", "tool@second", "--yes");

        var list = await box.RunAsync("plugin", "list");
        var run = await box.RunAsync("run", "hello", "--plugin", "tool", "-p", "scripted", "--no-default-plugins");

        Assert.True(list.ExitCode == ExitCodes.Success, list.Error);
        Assert.Contains("tool@first", list.Output, StringComparison.Ordinal);
        Assert.Contains("marketplace:second", list.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("plugin 'tool' is ambiguous", run.Error, StringComparison.Ordinal);
        Assert.Contains("'tool@first' and 'tool@second'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABareName_StandsForTheOneMarketplacePluginOfThatName()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box, "acme", "1.0.0"));
        await box.RunAsync("plugin", "install", "tool@acme", "--yes");

        var disable = await box.RunAsync("plugin", "disable", "tool");

        Assert.True(disable.ExitCode == ExitCodes.Success, disable.Error);
        Assert.False(box.LockFile().Find("tool@acme")!.Enabled);
    }

    [Fact]
    public async Task APluginInstalledBeforeTheNamedFolderLayout_KeepsLoading_AndMovesIntoItWhenInstalledAgain()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box, "acme", "1.0.0"));
        await box.RunAsync("plugin", "install", "tool@acme", "--yes");
        // As an older agent installed it: the files directly in <id>/<version>/, no folder in the lockfile.
        var version = Path.Combine(box.Paths.PluginsDirectory, "tool@acme", "1.0.0");
        var legacy = version + ".old";
        Directory.Move(Path.Combine(version, "tool"), legacy);
        Directory.Delete(version);
        Directory.Move(legacy, version);
        var lockFile = box.Store.LoadLockFile();
        lockFile.Set(lockFile.Find("tool@acme")! with { Folder = null });
        lockFile.Save();

        var verify = await box.RunAsync("plugin", "verify", "tool@acme");
        var again = await box.RunAsync("plugin", "install", "tool@acme", "--yes");

        Assert.True(verify.ExitCode == ExitCodes.Success, verify.Error + verify.Output);
        Assert.True(again.ExitCode == ExitCodes.Success, again.Error);
        Assert.Equal("tool", box.LockFile().Find("tool@acme")!.Folder);
        Assert.True(File.Exists(Path.Combine(version, "tool", "plugin.yaml")));
        Assert.False(File.Exists(Path.Combine(version, "plugin.yaml")));
    }

    [Fact]
    public async Task APluginFromAnotherSource_DoesNotReplaceTheInstalledOne_UnlessForced()
    {
        using var box = new InstallSandbox();
        var folder = box.Folder("jira", "1.0.0");
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", folder, "--yes")).ExitCode);
        var package = box.Package("jira", "2.0.0");

        var refused = await box.RunAsync("plugin", "install", package, "--yes");
        var before = box.LockFile().Find("jira")!;
        var forced = await box.RunAsync("plugin", "install", package, "--yes", "--force");

        Assert.Equal(ExitCodes.Plugin, refused.ExitCode);
        Assert.Contains($"plugin 'jira' is already installed from folder ({folder}) (version 1.0.0); nupkg ({package}) has a plugin of the same id (version 2.0.0), which would replace it. Nothing was changed.", refused.Error, StringComparison.Ordinal);
        Assert.Contains("pass --force; or remove it first ('agent plugin remove jira')", refused.Error, StringComparison.Ordinal);
        Assert.Equal(("1.0.0", "folder"), (before.Version, before.Source));
        Assert.True(forced.ExitCode == ExitCodes.Success, forced.Error);
        Assert.Equal(("2.0.0", "nupkg"), (box.LockFile().Find("jira")!.Version, box.LockFile().Find("jira")!.Source));
    }

    [Fact]
    public async Task AMarketplacePluginLockedUnderItsPlainName_MovesToItsNamespacedId_WhenInstalledAgain()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box, "acme", "1.0.0"));
        await box.RunAsync("plugin", "install", "tool@acme", "--yes");
        // As an older agent locked it: under the plain name.
        var store = box.Store;
        var lockFile = store.LoadLockFile();
        var namespaced = lockFile.Find("tool@acme")!;
        lockFile.Remove(namespaced.Id);
        lockFile.Set(namespaced with { Id = "tool", Folder = null });
        lockFile.Save();
        Directory.Move(Path.Combine(box.Paths.PluginsDirectory, "tool@acme"), Path.Combine(box.Paths.PluginsDirectory, "tool"));
        Directory.Move(Path.Combine(box.Paths.PluginsDirectory, "tool", "1.0.0", "tool"), Path.Combine(box.Paths.PluginsDirectory, "tool", "1.0.0.moved"));
        Directory.Delete(Path.Combine(box.Paths.PluginsDirectory, "tool", "1.0.0"));
        Directory.Move(Path.Combine(box.Paths.PluginsDirectory, "tool", "1.0.0.moved"), Path.Combine(box.Paths.PluginsDirectory, "tool", "1.0.0"));

        var again = await box.RunAsync("plugin", "install", "tool@acme", "--yes");

        Assert.True(again.ExitCode == ExitCodes.Success, again.Error);
        Assert.Null(box.LockFile().Find("tool"));
        Assert.Equal("tool@acme", box.LockFile().Find("tool@acme")!.Origin);
        Assert.False(Directory.Exists(Path.Combine(box.Paths.PluginsDirectory, "tool")));
        Assert.True(Directory.Exists(box.InstallDirectory("tool@acme", "1.0.0")));
    }

    [Fact]
    public void MarketplaceIds_AreNameAtMarketplace() =>
        Assert.Equal(("review-kit@acme-tools", "review-kit", "acme-tools"), (PluginIds.ForMarketplace("review-kit", "Acme-Tools"), PluginIds.NameOf("review-kit@acme-tools"), PluginIds.MarketplaceOf("review-kit@acme-tools")));
}
