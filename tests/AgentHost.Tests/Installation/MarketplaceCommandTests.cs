using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary><c>agent plugin marketplace …</c> and <c>agent plugin install name@marketplace</c>, through the real CLI.</summary>
public sealed class MarketplaceCommandTests
{
    /// <summary>
    /// A marketplace folder modelled on public ones: a plugin in <c>plugins/</c> (relative source), one the host cannot
    /// install (npm), and optionally a url entry pointing at another git repository.
    /// </summary>
    private static string WriteMarketplace(InstallSandbox box, string name = "team-tools", string folderName = "market", string? urlEntry = null)
    {
        var root = Path.Combine(box.Root, folderName);
        Directory.CreateDirectory(Path.Combine(root, ".claude-plugin"));
        var plugin = PluginPackages.WriteFolder(Path.Combine(root, "plugins"), "tool", "1.0.0");
        Directory.Move(plugin, Path.Combine(root, "plugins", "tool"));
        var extra = urlEntry is null ? string.Empty : "," + urlEntry;
        File.WriteAllText(Path.Combine(root, ".claude-plugin", "marketplace.json"), $$"""
            {
              "name": "{{name}}",
              "owner": { "name": "Platform Team" },
              "metadata": { "description": "Team plugins" },
              "plugins": [
                { "name": "tool", "description": "The team's tool", "version": "1.0.0", "source": "./plugins/tool", "category": "development" },
                { "name": "npm-thing", "description": "Published on npm", "source": { "source": "npm", "package": "@team/thing" } }{{extra}}
              ]
            }
            """);
        return root;
    }

    [Fact]
    public async Task AddFolder_ListsPluginsAndTheOnesNotInstallable_ThenInstallsRelativePlugin()
    {
        using var box = new InstallSandbox();
        var root = WriteMarketplace(box);

        var add = await box.RunAsync("plugin", "marketplace", "add", root);
        var list = await box.RunAsync("plugin", "marketplace", "list");
        var install = await box.RunAsync("plugin", "install", "tool@team-tools", "--yes");

        Assert.True(add.ExitCode == ExitCodes.Success, add.Error);
        Assert.Contains($"Added marketplace 'team-tools' from {root}.", add.Output, StringComparison.Ordinal);
        Assert.Contains("2 plugin(s), 1 of them not installable here.", add.Output, StringComparison.Ordinal);
        Assert.Contains("not installable: npm-thing: its source is an npm package", add.Output, StringComparison.Ordinal);
        Assert.Matches($@"team-tools\s+folder: {System.Text.RegularExpressions.Regex.Escape(root)}\s+1 \(\+1 not installable\)", list.Output);
        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Contains("Source       marketplace:team-tools: tool@team-tools", install.Output, StringComparison.Ordinal);
        var locked = box.LockFile().Find("tool@team-tools")!;
        Assert.Equal(("marketplace:team-tools", "tool@team-tools", (object?)null), (locked.Source, locked.Origin, (object?)locked.Git));
        Assert.True(File.Exists(Path.Combine(box.InstallDirectory("tool@team-tools", "1.0.0"), "plugin.yaml")));
    }

    [Fact]
    public async Task List_Json_HasEveryPluginWithItsSource()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box));

        var list = await box.RunAsync("plugin", "marketplace", "list", "--json");

        var market = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single();
        Assert.Equal(("team-tools", "folder"), (market.GetProperty("name").GetString(), market.GetProperty("kind").GetString()));
        var plugins = market.GetProperty("plugins").EnumerateArray().ToList();
        Assert.Equal(["tool", "npm-thing"], plugins.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("./plugins/tool", plugins[0].GetProperty("source").GetString());
        Assert.Contains("npm package", plugins[1].GetProperty("notInstallable").GetString(), StringComparison.Ordinal);
    }

    [RequiresProgramFact("git")]
    public async Task GitMarketplace_UrlEntryPointingAtAnotherRepository_InstallsFromThatRepository()
    {
        using var box = new InstallSandbox();
        var pluginRepo = PluginPackages.WriteFolder(Path.Combine(box.Root, "repos"), "remote-demo", "1.0.0");
        var pluginCommit = GitRepositories.InitAndCommit(pluginRepo);
        GitRepositories.Git(pluginRepo, "tag", "v1.0.0");
        var pluginUrl = GitRepositories.FileUrl(pluginRepo);
        var marketRepo = WriteMarketplace(
            box,
            urlEntry: $$"""{ "name": "remote-demo", "source": { "source": "url", "url": "{{pluginUrl}}", "ref": "v1.0.0" } }""");
        var marketCommit = GitRepositories.InitAndCommit(marketRepo);
        var marketUrl = GitRepositories.FileUrl(marketRepo);

        var add = await box.RunAsync("plugin", "marketplace", "add", marketUrl);
        var remote = await box.RunAsync("plugin", "install", "remote-demo@team-tools", "--yes");
        var local = await box.RunAsync("plugin", "install", "tool@team-tools", "--yes");

        Assert.True(add.ExitCode == ExitCodes.Success, add.Error);
        Assert.Contains($"Added marketplace 'team-tools' from {marketUrl} (commit {marketCommit[..12]}).", add.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(box.Paths.DataDirectory, "marketplaces", "team-tools", ".claude-plugin")));
        Assert.True(remote.ExitCode == ExitCodes.Success, remote.Error);
        var locked = box.LockFile().Find("remote-demo@team-tools")!;
        Assert.Equal(("marketplace:team-tools", "remote-demo@team-tools"), (locked.Source, locked.Origin));
        Assert.Equal((pluginUrl, "v1.0.0", pluginCommit), (locked.Git!.Url, locked.Git.Ref, locked.Git.Commit));
        Assert.True(local.ExitCode == ExitCodes.Success, local.Error);
        Assert.Equal("marketplace:team-tools", box.LockFile().Find("tool@team-tools")!.Source);
    }

    [RequiresProgramFact("git")]
    public async Task GitSubdirEntryPinnedBySha_InstallsThatCommitOfTheFolder()
    {
        using var box = new InstallSandbox();
        var mono = Path.Combine(box.Root, "mono");
        PluginPackages.WriteFolder(Path.Combine(mono, "plugins"), "pinned", "1.0.0");
        var pinned = GitRepositories.InitAndCommit(mono);
        File.WriteAllText(Path.Combine(mono, "plugins", "pinned-1.0.0", "plugin.yaml"), PluginPackages.Manifest("pinned", "2.0.0"));
        GitRepositories.Commit(mono, "2.0.0");
        var root = WriteMarketplace(
            box,
            urlEntry: $$"""{ "name": "pinned", "source": { "source": "git-subdir", "url": "{{GitRepositories.FileUrl(mono)}}", "path": "plugins/pinned-1.0.0", "ref": "main", "sha": "{{pinned}}" } }""");
        await box.RunAsync("plugin", "marketplace", "add", root);

        var install = await box.RunAsync("plugin", "install", "pinned@team-tools", "--yes");

        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        var locked = box.LockFile().Find("pinned@team-tools")!;
        Assert.Equal(("1.0.0", pinned, pinned, "plugins/pinned-1.0.0"), (locked.Version, locked.Git!.Commit, locked.Git.Sha, locked.Git.Path));
    }

    [RequiresProgramFact("git")]
    public async Task Update_GitMarketplace_ClonesAgainAndSeesNewEntries()
    {
        using var box = new InstallSandbox();
        var marketRepo = WriteMarketplace(box);
        var first = GitRepositories.InitAndCommit(marketRepo);
        await box.RunAsync("plugin", "marketplace", "add", GitRepositories.FileUrl(marketRepo));
        PluginPackages.WriteFolder(Path.Combine(marketRepo, "plugins"), "late", "1.0.0");
        var file = Path.Combine(marketRepo, ".claude-plugin", "marketplace.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"plugins\": [", "\"plugins\": [\n    { \"name\": \"late\", \"source\": \"./plugins/late-1.0.0\" },", StringComparison.Ordinal));
        var second = GitRepositories.Commit(marketRepo, "add late");
        var before = await box.RunAsync("plugin", "install", "late@team-tools", "--yes");

        var update = await box.RunAsync("plugin", "marketplace", "update", "team-tools");
        var after = await box.RunAsync("plugin", "install", "late@team-tools", "--yes");

        Assert.Equal(ExitCodes.NotFound, before.ExitCode);
        Assert.True(update.ExitCode == ExitCodes.Success, update.Error);
        Assert.Contains($"Updated marketplace 'team-tools' (commit {first[..12]} -> {second[..12]}): 3 plugin(s), 1 of them not installable here.", update.Output, StringComparison.Ordinal);
        Assert.True(after.ExitCode == ExitCodes.Success, after.Error);
    }

    [Fact]
    public async Task PluginUpdate_FolderMarketplacePlugin_PicksUpChangedContent()
    {
        using var box = new InstallSandbox();
        var root = WriteMarketplace(box);
        await box.RunAsync("plugin", "marketplace", "add", root);
        await box.RunAsync("plugin", "install", "tool@team-tools", "--yes");
        var same = await box.RunAsync("plugin", "update", "tool@team-tools", "--yes");
        File.WriteAllText(Path.Combine(root, "plugins", "tool", "plugin.yaml"), PluginPackages.Manifest("tool", "1.1.0"));

        var update = await box.RunAsync("plugin", "update", "tool@team-tools", "--yes");

        Assert.Contains("tool@team-tools 1.0.0 is up to date.", same.Output, StringComparison.Ordinal);
        Assert.True(update.ExitCode == ExitCodes.Success, update.Error);
        Assert.Contains("Updated tool@team-tools 1.0.0 -> 1.1.0.", update.Output, StringComparison.Ordinal);
        Assert.Equal("1.1.0", box.LockFile().Find("tool@team-tools")!.Version);
    }

    [Fact]
    public async Task Remove_ForgetsTheMarketplace_InstalledPluginsStay()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box));
        await box.RunAsync("plugin", "install", "tool@team-tools", "--yes");

        var remove = await box.RunAsync("plugin", "marketplace", "remove", "team-tools");
        var list = await box.RunAsync("plugin", "marketplace", "list");
        var install = await box.RunAsync("plugin", "install", "tool@team-tools", "--yes");

        Assert.True(remove.ExitCode == ExitCodes.Success, remove.Error);
        Assert.Contains("Removed marketplace 'team-tools'", remove.Output, StringComparison.Ordinal);
        Assert.Contains("Installed from it, still installed: tool@team-tools.", remove.Output, StringComparison.Ordinal);
        Assert.Contains("No marketplaces added.", list.Output, StringComparison.Ordinal);
        Assert.NotNull(box.LockFile().Find("tool@team-tools"));
        Assert.Equal(ExitCodes.NotFound, install.ExitCode);
        Assert.Contains("no marketplace 'team-tools': none is added. Add one with 'agent plugin marketplace add <folder|git url>'.", install.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_DuplicateName_SaysHowToRename_ThenNameOptionWorks()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box));
        var other = WriteMarketplace(box, folderName: "other");

        var duplicate = await box.RunAsync("plugin", "marketplace", "add", other);
        var renamed = await box.RunAsync("plugin", "marketplace", "add", other, "--name", "other-tools");
        var install = await box.RunAsync("plugin", "install", "tool@other-tools", "--yes");

        Assert.Equal(ExitCodes.Usage, duplicate.ExitCode);
        Assert.Contains("a marketplace named 'team-tools' is already added", duplicate.Error, StringComparison.Ordinal);
        Assert.Contains("Add this one under another name with --name <name>", duplicate.Error, StringComparison.Ordinal);
        Assert.True(renamed.ExitCode == ExitCodes.Success, renamed.Error);
        Assert.Contains("Added marketplace 'other-tools'", renamed.Output, StringComparison.Ordinal);
        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Equal("marketplace:other-tools", box.LockFile().Find("tool@other-tools")!.Source);
    }

    [Fact]
    public async Task Install_UnknownNames_ListWhatExists()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box));

        var unknownPlugin = await box.RunAsync("plugin", "install", "tol@team-tools", "--yes");
        var unknownMarket = await box.RunAsync("plugin", "install", "tool@team-tool", "--yes");
        var npm = await box.RunAsync("plugin", "install", "npm-thing@team-tools", "--yes");
        var plain = await box.RunAsync("plugin", "install", "tool", "--yes");

        Assert.Equal(ExitCodes.NotFound, unknownPlugin.ExitCode);
        Assert.Contains("marketplace 'team-tools' has no plugin 'tol'. Did you mean: tool? It offers: tool, npm-thing.", unknownPlugin.Error, StringComparison.Ordinal);
        Assert.Contains("no marketplace 'team-tool'. Did you mean: team-tools? Added: team-tools.", unknownMarket.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Plugin, npm.ExitCode);
        Assert.Contains("npm-thing@team-tools cannot be installed: its source is an npm package", npm.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, plain.ExitCode);
        Assert.Contains("A marketplace offers it; marketplace plugins are installed by name@marketplace: 'agent plugin install tool@team-tools'.", plain.Error, StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("tool@team-tools"));
    }

    [Fact]
    public async Task Install_EntryWhoseFolderIsMissing_SaysToUpdateTheMarketplace()
    {
        using var box = new InstallSandbox();
        var root = WriteMarketplace(box);
        await box.RunAsync("plugin", "marketplace", "add", root);
        Directory.Delete(Path.Combine(root, "plugins", "tool"), recursive: true);

        var result = await box.RunAsync("plugin", "install", "tool@team-tools", "--yes");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("tool@team-tools: the marketplace lists it at ./plugins/tool, but ", result.Error, StringComparison.Ordinal);
        Assert.Contains("run 'agent plugin marketplace update team-tools'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_MalformedMarketplace_NamesFileLineAndField()
    {
        using var box = new InstallSandbox();
        var root = Path.Combine(box.Root, "bad");
        Directory.CreateDirectory(Path.Combine(root, ".claude-plugin"));
        var file = Path.Combine(root, ".claude-plugin", "marketplace.json");
        File.WriteAllText(file, "{\n  \"name\": \"bad\",\n  \"plugins\": [\n    { \"name\": \"x\", \"source\": { \"source\": \"github\" } }\n  ]\n}\n");

        var add = await box.RunAsync("plugin", "marketplace", "add", root);
        var notMarket = await box.RunAsync("plugin", "marketplace", "add", box.Work);

        Assert.Equal(ExitCodes.Plugin, add.ExitCode);
        Assert.Contains($"error: {file}:4: plugins[0].source.repo: is missing or empty; name the repository as \"owner/repo\".", add.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(box.Paths.DataDirectory, "marketplaces.json")));
        Assert.Contains($"{box.Work} is not a marketplace: it has no .claude-plugin/marketplace.json", notMarket.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_ListsMarketplacePlugins()
    {
        using var box = new InstallSandbox();
        await box.RunAsync("plugin", "marketplace", "add", WriteMarketplace(box));

        var search = await box.RunAsync("plugin", "search", "--json");

        var plugins = JsonDocument.Parse(search.Output).RootElement.GetProperty("plugins").EnumerateArray()
            .Where(p => p.GetProperty("source").GetString() == "marketplace:team-tools")
            .ToDictionary(p => p.GetProperty("id").GetString()!);
        Assert.Equal("tool@team-tools", plugins["tool@team-tools"].GetProperty("install").GetString());
        Assert.Equal("1.0.0", plugins["tool@team-tools"].GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, plugins["npm-thing@team-tools"].GetProperty("install").ValueKind);
        Assert.StartsWith("(not installable: its source is an npm package", plugins["npm-thing@team-tools"].GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Claude Code's project settings can name marketplaces; the host never adds one on a project's say-so.</summary>
    [Fact]
    public async Task ProjectExtraKnownMarketplaces_AreNotHonoured()
    {
        using var box = new InstallSandbox();
        var root = WriteMarketplace(box);
        var project = Path.Combine(box.Work, "repo");
        Directory.CreateDirectory(Path.Combine(project, ".git"));
        Directory.CreateDirectory(Path.Combine(project, ".claude"));
        File.WriteAllText(
            Path.Combine(project, ".claude", "settings.json"),
            JsonSerializer.Serialize(new { extraKnownMarketplaces = new Dictionary<string, object> { ["team-tools"] = new { source = new { source = "directory", path = root } } }, enabledPlugins = new Dictionary<string, bool> { ["tool@team-tools"] = true } }));

        var list = await CliRunner.RunAsync(box.EnvironmentIn(project), "plugin", "marketplace", "list");
        var install = await CliRunner.RunAsync(box.EnvironmentIn(project), "plugin", "install", "tool@team-tools", "--yes");

        Assert.Contains("No marketplaces added.", list.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, install.ExitCode);
        Assert.False(File.Exists(Path.Combine(box.Paths.DataDirectory, "marketplaces.json")));
        Assert.Null(box.LockFile().Find("tool@team-tools"));
    }
}
