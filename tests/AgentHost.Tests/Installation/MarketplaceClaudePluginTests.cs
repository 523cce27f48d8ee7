using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary>
/// Claude Code plugins arriving through a git URL or a marketplace, and marketplace entries that define a plugin's
/// parts themselves (as the official marketplace's language-server plugins do), through the real CLI.
/// </summary>
public sealed class MarketplaceClaudePluginTests
{
    /// <summary>A marketplace folder whose plugins/ holds <paramref name="folders"/> and whose entries are <paramref name="entries"/>.</summary>
    private static string WriteMarketplace(InstallSandbox box, string entries, params string[] folders)
    {
        var root = Path.Combine(box.Root, "market");
        Directory.CreateDirectory(Path.Combine(root, ".claude-plugin"));
        foreach (var folder in folders)
        {
            Directory.CreateDirectory(Path.Combine(root, "plugins", folder));
        }

        File.WriteAllText(Path.Combine(root, ".claude-plugin", "marketplace.json"), $$"""
            { "name": "team", "owner": { "name": "Platform Team" }, "plugins": [ {{entries}} ] }
            """);
        return root;
    }

    private static async Task<string> AddAsync(InstallSandbox box, string root)
    {
        var add = await box.RunAsync("plugin", "marketplace", "add", root);
        Assert.True(add.ExitCode == ExitCodes.Success, add.Error);
        return root;
    }

    [Fact]
    public async Task StrictFalseEntry_DefiningALanguageServer_InstallsTheFolderWithIt()
    {
        using var box = new InstallSandbox();
        var root = WriteMarketplace(box, """
            { "name": "yaml-lsp", "version": "1.0.0", "description": "YAML language server", "source": "./plugins/yaml-lsp", "strict": false,
              "lspServers": { "yaml": { "command": "yaml-language-server", "args": ["--stdio"], "extensionToLanguage": { ".yaml": "yaml", ".yml": "yaml" } } } }
            """, "yaml-lsp");
        File.WriteAllText(Path.Combine(root, "plugins", "yaml-lsp", "README.md"), "A language server for YAML.");
        await AddAsync(box, root);

        var install = await box.RunAsync("plugin", "install", "yaml-lsp@team", "--yes");
        var info = await box.RunAsync("plugin", "info", "yaml-lsp@team", "--json");

        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Contains("LSP servers  yaml (yaml-language-server --stdio; .yaml .yml)", install.Output, StringComparison.Ordinal);
        Assert.Contains("Installed yaml-lsp@team 1.0.0 from marketplace:team.", install.Output, StringComparison.Ordinal);
        Assert.Equal("claude-code", JsonDocument.Parse(info.Output).RootElement.GetProperty("format").GetString());
        var written = File.ReadAllText(Path.Combine(box.InstallDirectory("yaml-lsp@team", "1.0.0"), ".claude-plugin", "plugin.json"));
        Assert.Contains("\"lspServers\"", written, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root, "plugins", "yaml-lsp", ".claude-plugin")), "the marketplace's own folder must not be written to");
        var verify = await box.RunAsync("plugin", "verify", "yaml-lsp@team");
        Assert.True(verify.ExitCode == ExitCodes.Success, verify.Output + verify.Error);
    }

    [Fact]
    public async Task StrictEntry_AddsToThePluginsOwnDefinition()
    {
        using var box = new InstallSandbox();
        var root = WriteMarketplace(box, """
            { "name": "kit", "source": "./plugins/kit",
              "mcpServers": { "extra": { "command": "extra-server" }, "own": { "command": "shadowed" } },
              "commands": "./more-commands/" }
            """, "kit");
        var kit = Path.Combine(root, "plugins", "kit");
        Directory.CreateDirectory(Path.Combine(kit, ".claude-plugin"));
        File.WriteAllText(Path.Combine(kit, ".claude-plugin", "plugin.json"), """
            { "name": "kit", "version": "2.0.0", "mcpServers": { "own": { "command": "own-server" } } }
            """);
        Directory.CreateDirectory(Path.Combine(kit, "more-commands"));
        File.WriteAllText(Path.Combine(kit, "more-commands", "ship.md"), "---\ndescription: Ship it\n---\nShip $ARGUMENTS");
        await AddAsync(box, root);

        var install = await box.RunAsync("plugin", "install", "kit@team", "--yes");

        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Matches(@"MCP servers\s+.*own \(own-server\).*extra \(extra-server\)|MCP servers\s+.*extra \(extra-server\).*own \(own-server\)", install.Output);
        Assert.DoesNotContain("shadowed", install.Output, StringComparison.Ordinal);
        Assert.Contains("/kit:ship", install.Output, StringComparison.Ordinal);
        Assert.Contains("\"own-server\"", File.ReadAllText(Path.Combine(kit, ".claude-plugin", "plugin.json")), StringComparison.Ordinal);
        Assert.DoesNotContain("extra-server", File.ReadAllText(Path.Combine(kit, ".claude-plugin", "plugin.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StrictFalseEntry_AndAPluginJsonDefiningPartsToo_IsRefusedAsAConflict()
    {
        using var box = new InstallSandbox();
        var root = WriteMarketplace(box, """
            { "name": "clash", "source": "./plugins/clash", "strict": false, "commands": ["./commands/a.md"] }
            """, "clash");
        Directory.CreateDirectory(Path.Combine(root, "plugins", "clash", ".claude-plugin"));
        File.WriteAllText(Path.Combine(root, "plugins", "clash", ".claude-plugin", "plugin.json"), """{ "name": "clash", "commands": "./commands/" }""");
        await AddAsync(box, root);

        var install = await box.RunAsync("plugin", "install", "clash@team", "--yes");

        Assert.Equal(ExitCodes.Plugin, install.ExitCode);
        Assert.Contains("clash@team: the marketplace entry sets \"strict\": false and defines the plugin's parts, but the plugin's own .claude-plugin/plugin.json defines \"commands\" too", install.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was installed.", install.Error, StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("clash@team"));
    }

    [Fact]
    public async Task DefaultLayoutPlugin_FromAMarketplace_IsNamedByItsEntry()
    {
        using var box = new InstallSandbox();
        var root = WriteMarketplace(box, """{ "name": "notes-helper", "source": "./plugins/notes" }""");
        Directory.CreateDirectory(Path.Combine(root, "plugins"));
        Directory.Move(ClaudePluginFixtures.CopyTo("notes-helper", box.Root), Path.Combine(root, "plugins", "notes"));
        await AddAsync(box, root);

        var install = await box.RunAsync("plugin", "install", "notes-helper@team", "--yes");

        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Contains("Installed notes-helper@team 0.0.0 from marketplace:team.", install.Output, StringComparison.Ordinal);
        Assert.Contains("/notes-helper:todo", install.Output, StringComparison.Ordinal);
    }

    [RequiresProgramFact("git")]
    public async Task ClaudePlugin_FromAFileGitUrl_InstallsWithItsParts()
    {
        using var box = new InstallSandbox();
        var repo = ClaudePluginFixtures.CopyTo("review-kit", Path.Combine(box.Root, "repos"));
        GitRepositories.InitAndCommit(repo, "review-kit 1.2.0");

        var install = await box.RunAsync("plugin", "install", GitRepositories.FileUrl(repo), "--yes");

        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Contains("Format       Claude Code plugin", install.Output, StringComparison.Ordinal);
        Assert.Contains("/review-kit:review", install.Output, StringComparison.Ordinal);
        Assert.Contains("NOT MAPPED", install.Output, StringComparison.Ordinal);
        Assert.Contains("Installed review-kit 1.2.0 from git.", install.Output, StringComparison.Ordinal);
    }

    [RequiresProgramFact("git")]
    public async Task DefaultLayoutPlugin_FromAFileGitUrl_IsNamedByItsRepository()
    {
        using var box = new InstallSandbox();
        var repo = ClaudePluginFixtures.CopyTo("notes-helper", Path.Combine(box.Root, "repos"));
        GitRepositories.InitAndCommit(repo);

        var install = await box.RunAsync("plugin", "install", GitRepositories.FileUrl(repo), "--yes");

        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Contains("Installed notes-helper 0.0.0 from git.", install.Output, StringComparison.Ordinal);
    }
}
