using AgentHost.Cli;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Tests.Installation;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Plugins;

/// <summary>
/// <c>agent plugin install &lt;folder&gt;</c> with Claude Code plugins (tests/fixtures/claude-plugins), through the real
/// CLI: the summary lists what is mapped and what is not, and list, info, verify, disable and remove work as for ours.
/// </summary>
public sealed class ClaudePluginInstallTests
{
    [Fact]
    public async Task Install_FullPlugin_SummaryListsTheMappedPartsByName_AndEveryPartNotMapped()
    {
        using var box = new InstallSandbox();
        var folder = ClaudePluginFixtures.Path("review-kit");

        var result = await box.RunAsync("plugin", "install", folder, "--yes");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var lines = result.Output.ReplaceLineEndings("\n").Split('\n');
        string[] expected =
        [
            "Plugin       review-kit 1.2.0",
            "             Code review helpers: a review command, a changelog skill, a guard hook and a YAML language server.",
            "Authors      Ada Example <ada@example.com> (license MIT)",
            "Homepage     https://example.com/review-kit",
            $"Source       folder: {folder}",
            "Uses         processes",
            "Format       Claude Code plugin (.claude-plugin/plugin.json)",
            "Skills       skills/: changelog-style",
            "Commands     /review-kit:review, /review-kit:summarize",
            "Hooks        hooks/hooks.json",
            "LSP servers  yaml (yaml-language-server --stdio; .yaml .yml)",
            "MCP servers  kit-everything (node ${CLAUDE_PLUGIN_ROOT}/servers/everything.mjs)",
            "NOT MAPPED   9 part(s) of this plugin are not supported and will not be used:",
            "             - .claude-plugin/plugin.json: 'outputStyles': output styles are not supported",
            "             - agents/security-reviewer.md: sub-agent profiles are not supported",
            "             - commands/review.md: 'allowed-tools' is not applied; the permission rules decide what the command's tool calls may do",
            "             - commands/summarize.md: 'model' is not applied; the session's model answers",
            "             - commands/summarize.md: !`command` lines are not run; the prompt keeps them as written",
            "             - hooks/hooks.json: PostToolUse hook '${CLAUDE_PLUGIN_ROOT}/hooks/guard.sh': a condition on the call ('if') and running in the background and waking the agent ('asyncRewake') are not supported, so this hook is not run",
            "             - hooks/hooks.json: Stop hook of type 'prompt' is not supported (only 'command' hooks run)",
            "             - hooks/hooks.json: SubagentStop hooks: the event is not supported (supported: SessionStart, UserPromptSubmit, PreToolUse, PermissionRequest, PostToolUse, PostToolUseFailure, Notification, Stop, PreCompact, SessionEnd)",
            "             - .lsp.json: yaml.workspaceFolder: a fixed workspace folder is not supported; the project root is used",
            "Code         no .NET code; its hook commands and servers run as programs with your permissions: install only plugins you trust.",
        ];
        Assert.Equal(expected, lines.Take(expected.Length));
        Assert.StartsWith("Hash         sha512-", lines[expected.Length], StringComparison.Ordinal);
        Assert.Contains("Installed review-kit 1.2.0 from folder.", result.Output, StringComparison.Ordinal);

        var entry = Assert.Single(box.LockFile().Plugins);
        var installed = box.InstallDirectory("review-kit", "1.2.0");
        Assert.Equal(("review-kit", "1.2.0", "folder", folder), (entry.Id, entry.Version, entry.Source, entry.Origin));
        Assert.Equal(PluginHasher.ComputeHash(installed), entry.Sha512);
        Assert.True(File.Exists(Path.Combine(installed, ".claude-plugin", "plugin.json")));
        Assert.True(File.Exists(Path.Combine(installed, ".mcp.json")));
    }

    [Fact]
    public async Task Installed_ClaudePlugin_IsListed_Described_Verified_Disabled_AndRemoved()
    {
        using var box = new InstallSandbox();
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", ClaudePluginFixtures.Path("review-kit"), "--yes")).ExitCode);
        var installed = box.InstallDirectory("review-kit", "1.2.0");

        var list = await box.RunAsync("plugin", "list");
        var info = await box.RunAsync("plugin", "info", "review-kit");
        var verify = await box.RunAsync("plugin", "verify", "review-kit");
        var json = System.Text.Json.JsonDocument.Parse((await box.RunAsync("plugin", "info", "review-kit", "--json")).Output).RootElement;
        var disable = await box.RunAsync("plugin", "disable", "review-kit");
        var listDisabled = await box.RunAsync("plugin", "list");
        var remove = await box.RunAsync("plugin", "remove", "review-kit");

        Assert.Matches(@"review-kit\s+1\.2\.0\s+folder\s+yes\s+loaded\s+1 LSP server, 1 MCP server \(declared\), 1 skill folder", list.Output);
        Assert.True(info.ExitCode == ExitCodes.Success, info.Error + info.Output);
        Assert.Contains("  Format            Claude Code plugin (.claude-plugin/plugin.json)", info.Output, StringComparison.Ordinal);
        Assert.Contains("  Commands          /review-kit:review, /review-kit:summarize", info.Output, StringComparison.Ordinal);
        Assert.Contains("  NOT MAPPED        9 part(s) of this plugin are not supported and will not be used:", info.Output, StringComparison.Ordinal);
        Assert.Contains("                    - agents/security-reviewer.md: sub-agent profiles are not supported", info.Output, StringComparison.Ordinal);
        Assert.Contains("  homepage:         https://example.com/review-kit", info.Output, StringComparison.Ordinal);
        Assert.Contains("  mcpserver:        review-kit/kit-everything", info.Output, StringComparison.Ordinal);
        Assert.Contains("  lspserver:        review-kit/yaml", info.Output, StringComparison.Ordinal);
        Assert.Contains("  skilldirectory:   review-kit/skills", info.Output, StringComparison.Ordinal);
        Assert.Equal(("review-kit", "claude-code", "loaded"), (json.GetProperty("id").GetString(), json.GetProperty("format").GetString(), json.GetProperty("status").GetString()));
        Assert.Equal(["review-kit:review", "review-kit:summarize"], json.GetProperty("commands").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["changelog-style"], json.GetProperty("skills").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["hooks/hooks.json"], json.GetProperty("hooks").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(9, json.GetProperty("notMapped").GetArrayLength());
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Contains("OK review-kit 1.2.0", verify.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, disable.ExitCode);
        Assert.Matches(@"review-kit\s+1\.2\.0\s+folder\s+no", listDisabled.Output);
        Assert.Equal(ExitCodes.Success, remove.ExitCode);
        Assert.Contains("Removed review-kit 1.2.0.", remove.Output, StringComparison.Ordinal);
        Assert.Empty(box.LockFile().Plugins);
        Assert.False(Directory.Exists(installed));
    }

    [Fact]
    public async Task Verify_FindsAChangedFile_InAnInstalledClaudePlugin()
    {
        using var box = new InstallSandbox();
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", ClaudePluginFixtures.Path("review-kit"), "--yes")).ExitCode);
        File.AppendAllText(Path.Combine(box.InstallDirectory("review-kit", "1.2.0"), ".mcp.json"), " ");

        var verify = await box.RunAsync("plugin", "verify", "review-kit");

        Assert.NotEqual(ExitCodes.Success, verify.ExitCode);
        Assert.Contains("review-kit", verify.Output + verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_DefaultLayout_IsNamedAfterTheSourceFolder_AndKeepsTheName()
    {
        using var box = new InstallSandbox();
        var folder = ClaudePluginFixtures.Path("notes-helper");

        var result = await box.RunAsync("plugin", "install", folder, "--yes");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("Plugin       notes-helper 0.0.0", result.Output, StringComparison.Ordinal);
        Assert.Contains("Format       Claude Code plugin (default layout without plugin.json, named after its folder)", result.Output, StringComparison.Ordinal);
        Assert.Contains("Skills       skills/: note-taking", result.Output, StringComparison.Ordinal);
        Assert.Contains("Commands     /notes-helper:todo", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT MAPPED", result.Output, StringComparison.Ordinal);
        var installed = box.InstallDirectory("notes-helper", "0.0.0");
        Assert.Equal("notes-helper", ManifestReader.ReadFromDirectory(installed).Id);
        Assert.False(File.Exists(Path.Combine(folder, ".claude-plugin", "plugin.json")), "the source folder is never written to");
        Assert.Matches(@"notes-helper\s+0\.0\.0\s+folder\s+yes\s+loaded", (await box.RunAsync("plugin", "list")).Output);
    }

    [Fact]
    public async Task Install_InlineServers_ListsThemAndWhatIsNotMapped()
    {
        using var box = new InstallSandbox();

        var result = await box.RunAsync("plugin", "install", ClaudePluginFixtures.Path("inline-servers"), "--yes");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("Uses         processes, network", result.Output, StringComparison.Ordinal);
        Assert.Contains("Hooks        .claude-plugin/plugin.json", result.Output, StringComparison.Ordinal);
        Assert.Contains("MCP servers  inline-everything (node ${CLAUDE_PLUGIN_ROOT}/servers/everything.mjs), docs-remote (http://127.0.0.1:9/mcp)", result.Output, StringComparison.Ordinal);
        Assert.Contains("LSP servers  yaml-inline (yaml-language-server --stdio; .yaml)", result.Output, StringComparison.Ordinal);
        Assert.Contains("NOT MAPPED   2 part(s)", result.Output, StringComparison.Ordinal);
        Assert.Contains("- .claude-plugin/plugin.json: lspServers.sockets: transport 'socket' is not supported (only stdio)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_CustomNestedPaths_LoadTheirSkillsAndCommands()
    {
        using var box = new InstallSandbox();
        var folder = Path.Combine(box.Root, "nested");
        Directory.CreateDirectory(Path.Combine(folder, ".claude-plugin"));
        File.WriteAllText(Path.Combine(folder, ".claude-plugin", "plugin.json"), """{ "name": "nested", "version": "2.0.0", "skills": ["./extra/skills/"], "commands": "./extra/prompts/fix.md" }""");
        Directory.CreateDirectory(Path.Combine(folder, "extra", "skills", "tidy"));
        File.WriteAllText(Path.Combine(folder, "extra", "skills", "tidy", "SKILL.md"), "---\nname: tidy\ndescription: Tidy up.\n---\nTidy.");
        Directory.CreateDirectory(Path.Combine(folder, "extra", "prompts"));
        File.WriteAllText(Path.Combine(folder, "extra", "prompts", "fix.md"), "Fix $ARGUMENTS.");

        var install = await box.RunAsync("plugin", "install", folder, "--yes");
        var info = await box.RunAsync("plugin", "info", "nested");

        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Contains("Skills       extra/skills/: tidy", install.Output, StringComparison.Ordinal);
        Assert.Contains("Commands     /nested:fix", install.Output, StringComparison.Ordinal);
        Assert.True(info.ExitCode == ExitCodes.Success, info.Output + info.Error);
        Assert.Contains("  skilldirectory:   nested/extra.skills", info.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("broken-json", ".claude-plugin/plugin.json:4:3: not valid JSON; look for a missing comma, quote or bracket")]
    [InlineData("broken-fields", ".claude-plugin/plugin.json:2: field 'name': 'Broken Fields!' cannot be a plugin id")]
    [InlineData("broken-servers", ".mcp.json:5: field 'mcpServers.db.args': must be a list of strings")]
    [InlineData("broken-servers", ".lsp.json:2: field 'go.extensionToLanguage': is required")]
    public async Task Install_MalformedPlugin_NamesTheFileLineAndField_AndChangesNothing(string fixture, string expected)
    {
        using var box = new InstallSandbox();
        var folder = ClaudePluginFixtures.Path(fixture);

        var result = await box.RunAsync("plugin", "install", folder, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains($"cannot install from {folder}", result.Error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(folder, expected.Split(':')[0]) + expected[expected.IndexOf(':', StringComparison.Ordinal)..], result.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed.", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(box.Paths.LockFile));
    }

    [Fact]
    public async Task Install_FolderWithNoPlugin_SaysWhatWasLookedFor_NotTheOldMisleadingHint()
    {
        using var box = new InstallSandbox();
        var empty = Path.Combine(box.Root, "just-a-folder");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "README.md"), "not a plugin");

        var result = await box.RunAsync("plugin", "install", empty, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains($"{empty} is not a plugin folder: looked for a plugin.yaml, or a Claude Code plugin (.claude-plugin/plugin.json, or Claude Code's default layout", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("has no plugin.yaml", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("point at the plugin's root folder", result.Error, StringComparison.Ordinal);
    }
}
