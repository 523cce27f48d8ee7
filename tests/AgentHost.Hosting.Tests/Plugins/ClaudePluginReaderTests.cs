using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Plugins;

/// <summary>Claude Code plugins read as manifests: the fixtures in tests/fixtures/claude-plugins and small written ones.</summary>
public sealed class ClaudePluginReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Read_FullPlugin_MapsEveryPart_AndListsWhatIsNotMapped()
    {
        var root = ClaudePluginFixtures.Path("review-kit");

        var m = ManifestReader.ReadFromDirectory(root);

        Assert.Equal(PluginFormat.ClaudeCode, m.Format);
        Assert.Equal(("review-kit", "1.2.0"), (m.Id, m.Version.ToNormalizedString()));
        Assert.StartsWith("Code review helpers", m.Description, StringComparison.Ordinal);
        Assert.Equal(["Ada Example <ada@example.com>"], m.Authors);
        Assert.Equal(("MIT", "https://example.com/review-kit"), (m.License, m.Homepage));
        Assert.Equal(root, m.Directory);
        Assert.Equal(Path.Combine(root, ".claude-plugin", "plugin.json"), m.FilePath);
        Assert.Equal(["skills"], m.SkillDirectories);
        Assert.Equal(["commands"], m.CommandDirectories);
        Assert.Equal(["hooks/hooks.json"], m.HookFiles);
        Assert.Equal([HostCapability.Processes], m.Uses);
        Assert.False(m.HasCode);

        var mcp = Assert.Single(m.McpServers);
        Assert.Equal(("kit-everything", McpTransport.Stdio, "node"), (mcp.Name, mcp.Transport, mcp.Command));
        Assert.Equal([Path.Combine(root, "servers/everything.mjs").Replace('\\', '/')], mcp.Args.Select(a => a.Replace('\\', '/')));
        Assert.Equal(root + "/data", mcp.Environment["REVIEW_KIT_DATA"]);
        Assert.Equal("${REVIEW_KIT_GREETING:-hello}", mcp.Environment["REVIEW_KIT_GREETING"]); // other variables: when a session starts

        var lsp = Assert.Single(m.LspServers);
        Assert.Equal(("yaml", "yaml-language-server"), (lsp.Name, lsp.Command));
        Assert.Equal(["--stdio"], lsp.Args);
        Assert.Equal([".yaml", ".yml"], lsp.FileExtensions);
        Assert.Equal("yaml", lsp.LanguageIds[".yml"]);
        Assert.Equal(TimeSpan.FromSeconds(20), lsp.StartTimeout);
        Assert.Contains("\"validate\": true", lsp.SettingsJson, StringComparison.Ordinal);

        Assert.Equal(
            [
                ".claude-plugin/plugin.json: 'outputStyles': output styles are not supported",
                "agents/security-reviewer.md: sub-agent profiles are not supported",
                "commands/review.md: 'allowed-tools' is not applied; the permission rules decide what the command's tool calls may do",
                "commands/summarize.md: 'model' is not applied; the session's model answers",
                "commands/summarize.md: !`command` lines are not run; the prompt keeps them as written",
                "hooks/hooks.json: PostToolUse hook '${CLAUDE_PLUGIN_ROOT}/hooks/guard.sh': a condition on the call ('if') and running in the background and waking the agent ('asyncRewake') are not supported, so this hook is not run",
                "hooks/hooks.json: Stop hook of type 'prompt' is not supported (only 'command' hooks run)",
                "hooks/hooks.json: SubagentStop hooks: the event is not supported (supported: SessionStart, UserPromptSubmit, PreToolUse, PermissionRequest, PostToolUse, PostToolUseFailure, Notification, Stop, PreCompact, SessionEnd)",
                ".lsp.json: yaml.workspaceFolder: a fixed workspace folder is not supported; the project root is used",
            ],
            m.NotMapped);
    }

    [Fact]
    public void Read_DefaultLayout_WithoutPluginJson_IsNamedAfterItsFolder_AtVersionZero()
    {
        var root = ClaudePluginFixtures.Path("notes-helper");

        Assert.True(ManifestReader.IsPluginFolder(root));
        var m = ManifestReader.ReadFromDirectory(root);

        Assert.Equal(("notes-helper", ClaudePluginReader.DefaultVersion, PluginFormat.ClaudeCode), (m.Id, m.Version.ToNormalizedString(), m.Format));
        Assert.Equal("Claude Code plugin notes-helper", m.Description);
        Assert.Equal(root, m.FilePath);
        Assert.Equal(root, m.Directory);
        Assert.Equal(["skills"], m.SkillDirectories);
        Assert.Equal(["commands"], m.CommandDirectories);
        Assert.Empty(m.NotMapped);
        Assert.Empty(m.Uses);
    }

    [Fact]
    public void Read_DefaultLayout_TakesTheNameGiven_AndMakesAFolderNameAnId()
    {
        var root = Path.Combine(_temp.Path, "My Notes");
        Directory.CreateDirectory(Path.Combine(root, "commands"));

        Assert.Equal("my-notes", ManifestReader.ReadFromDirectory(root).Id);
        Assert.Equal("staged-name", ManifestReader.ReadFromDirectory(root, "staged-name").Id);
    }

    [Fact]
    public void Read_InlineServersAndHooks_AreMapped_WithThePluginRootExpanded()
    {
        var root = ClaudePluginFixtures.Path("inline-servers");

        var m = ManifestReader.ReadFromDirectory(root);

        Assert.Equal("0.0.0", m.Version.ToNormalizedString());
        Assert.Equal([HostCapability.Processes, HostCapability.Network], m.Uses);
        Assert.Equal([".claude-plugin/plugin.json"], m.HookFiles);
        var stdio = m.McpServers.Single(s => s.Name == "inline-everything");
        Assert.Equal(root, stdio.Environment["INLINE_ROOT"]);
        var http = m.McpServers.Single(s => s.Name == "docs-remote");
        Assert.Equal((McpTransport.Http, "http://127.0.0.1:9/mcp"), (http.Transport, http.Url!.ToString()));
        Assert.Equal(root, http.Headers["X-Plugin-Root"]);
        var lsp = Assert.Single(m.LspServers);
        Assert.Equal(("yaml-inline", LspRestartPolicy.Never, 1), (lsp.Name, lsp.Restart, lsp.MaxRestarts));
        Assert.Equal(
            [
                ".claude-plugin/plugin.json: 'userConfig': user configuration prompts are not supported; ${user_config.*} values stay unexpanded",
                ".claude-plugin/plugin.json: lspServers.sockets: transport 'socket' is not supported (only stdio)",
            ],
            m.NotMapped);
    }

    [Fact]
    public void Read_TheCommandAndSubAgentFiles_AreReadForTheirNotesWhereTheNotesAreShown_NotWhenThePluginIsRead()
    {
        // #50: a run reads every installed plugin and shows no note; the command files are read when a note is shown
        // (plugin list, info, install, doctor), so what those show is the files as they are then.
        var root = Write("later", """{ "name": "later", "strange": 1 }""");
        WriteFile(root, "commands/deploy.md", "---\nallowed-tools: Bash\n---\nDeploy.");
        WriteFile(root, "agents/helper.md", "A helper.");

        var m = ManifestReader.ReadFromDirectory(root);
        Assert.False(((PluginNotes)m.NotMapped).IsComputed);
        WriteFile(root, "commands/deploy.md", "---\nallowed-tools: Bash\nmodel: fast\n---\nDeploy !`git status`.");
        WriteFile(root, "agents/second.md", "Another helper.");

        Assert.Equal(
            [
                ".claude-plugin/plugin.json: 'strange': unknown field, ignored",
                "agents/helper.md: sub-agent profiles are not supported",
                "agents/second.md: sub-agent profiles are not supported",
                "commands/deploy.md: 'allowed-tools' is not applied; the permission rules decide what the command's tool calls may do",
                "commands/deploy.md: 'model' is not applied; the session's model answers",
                "commands/deploy.md: !`command` lines are not run; the prompt keeps them as written",
            ],
            m.NotMapped);
        Assert.True(((PluginNotes)m.NotMapped).IsComputed);
    }

    [Fact]
    public void Read_CustomPaths_AddToTheDefaults_AndAMissingOneIsListed()
    {
        var root = Write("paths", """
            {
              "name": "paths",
              "commands": ["./extra/deploy.md", "./more-commands/"],
              "skills": "./more-skills",
              "agents": "./reviewers/",
              "hooks": "./config/hooks.json",
              "mcpServers": ["./config/servers.json"],
              "strange": 1
            }
            """);
        WriteFile(root, "extra/deploy.md", "Deploy $1 now.");
        WriteFile(root, "more-commands/a.md", "A");
        WriteFile(root, "skills/s/SKILL.md", "---\nname: s\ndescription: d\n---\nbody");
        WriteFile(root, "config/hooks.json", """{ "PreToolUse": [ { "matcher": "*", "hooks": [ { "type": "command", "command": "true" } ] } ] }""");
        WriteFile(root, "config/servers.json", """{ "db": { "command": "${CLAUDE_PLUGIN_ROOT}/bin/db", "args": ["--port", "5"] } }""");

        var m = ManifestReader.ReadFromDirectory(root);

        Assert.Equal(["extra/deploy.md", "more-commands"], m.CommandDirectories);
        Assert.Equal(["skills"], m.SkillDirectories);
        Assert.Equal(["config/hooks.json"], m.HookFiles);
        Assert.Equal(root + "/bin/db", Assert.Single(m.McpServers).Command);
        Assert.Equal(
            [
                ".claude-plugin/plugin.json: 'strange': unknown field, ignored",
                ".claude-plugin/plugin.json: 'skills' path './more-skills' does not exist (or is not a folder)",
                ".claude-plugin/plugin.json: 'agents' path './reviewers' does not exist (or is not a folder or .md file)",
            ],
            m.NotMapped);
    }

    [Fact]
    public void Read_MalformedJson_NamesTheFileLineAndColumn()
    {
        var error = Assert.Throws<AgentHostException>(() => ManifestReader.ReadFromDirectory(ClaudePluginFixtures.Path("broken-json")));

        Assert.Equal(ErrorKind.Plugin, error.Kind);
        Assert.Matches(@"broken-json[/\\]\.claude-plugin[/\\]plugin\.json:4:3: not valid JSON; look for a missing comma, quote or bracket at or just before this point\.$", error.Message);
    }

    [Fact]
    public void Read_BadFields_ListsEachWithItsLineAndTheFix()
    {
        var error = Assert.Throws<AgentHostException>(() => ManifestReader.ReadFromDirectory(ClaudePluginFixtures.Path("broken-fields")));

        var file = Path.Combine(ClaudePluginFixtures.Path("broken-fields"), ".claude-plugin", "plugin.json");
        Assert.Equal(
            string.Join(
                Environment.NewLine,
                "invalid Claude Code plugin:",
                $"  {file}:2: field 'name': 'Broken Fields!' cannot be a plugin id; use kebab-case: lowercase letters and digits with single '-', '.' or '_' between them, at most 64 characters (e.g. \"broken-fields\").",
                $"  {file}:3: field 'version': 'one point two' is not a semantic version; write it like \"1.2.3\" or \"1.2.3-beta.1\", or leave it out (0.0.0 is used).",
                $"  {file}:5: field 'commands[0]': '../outside' must be a path inside the plugin folder, starting with './' (e.g. \"./commands/\").",
                $"  {file}:6: field 'hooks': must be a relative path such as \"./hooks/\" (or a list of them), not a number."),
            error.Message);
    }

    [Fact]
    public void Read_BadServerFiles_NameTheFileLineAndField()
    {
        var root = ClaudePluginFixtures.Path("broken-servers");

        var error = Assert.Throws<AgentHostException>(() => ManifestReader.ReadFromDirectory(root));

        Assert.Contains($"{Path.Combine(root, ".mcp.json")}:5: field 'mcpServers.db.args': must be a list of strings, e.g. [\"--stdio\"].", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(root, ".lsp.json")}:2: field 'go.extensionToLanguage': is required; map file extensions to language ids, e.g. {{ \".py\": \"python\" }}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AServerUrlWithADefault_IsCheckedWithTheDefault_AndKeptAsWrittenForTheSession()
    {
        var root = Write("remote", """
            {
              "name": "remote",
              "mcpServers": {
                "docs": { "type": "http", "url": "${DOCS_BASE:-https://docs.example.com}/mcp" }
              }
            }
            """);

        var server = Assert.Single(ManifestReader.ReadFromDirectory(root).McpServers);

        Assert.Equal(new Uri("https://docs.example.com/mcp"), server.Url);
        Assert.Equal("${DOCS_BASE:-https://docs.example.com}/mcp", server.UrlTemplate);
    }

    [Fact]
    public void Read_AServerUrlThatIsNoUrlWithItsDefaults_IsAnError_NamingTheVariableToGiveADefault()
    {
        var root = Write("remote", """
            {
              "name": "remote",
              "mcpServers": {
                "docs": { "type": "http", "url": "${DOCS_URL}" }
              }
            }
            """);

        var error = Assert.Throws<AgentHostException>(() => ManifestReader.ReadFromDirectory(root));

        Assert.Contains("plugin.json:4: field 'mcpServers.docs.url': '${DOCS_URL}' must be an absolute http(s) URL (with each variable's default, as when none is set: ''); give ${DOCS_URL} a default: ${DOCS_URL:-https://…}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingName_AndAServerWithNeitherCommandNorUrl_AreErrors()
    {
        var root = Write("x", """
            {
              "version": "1.0.0",
              "mcpServers": {
                "empty": { "env": {} }
              }
            }
            """);

        var error = Assert.Throws<AgentHostException>(() => ManifestReader.ReadFromDirectory(root));

        Assert.Contains("plugin.json:1: field 'name' is required; add \"name\": \"my-plugin\" (kebab-case).", error.Message, StringComparison.Ordinal);
        Assert.Contains("plugin.json:4: field 'mcpServers.empty': give \"command\" (a stdio server) or \"url\" with \"type\": \"http\" (a remote server).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderWithNoPlugin_SaysWhatWasLookedFor()
    {
        var error = Assert.Throws<AgentHostException>(() => ManifestReader.ReadFromDirectory(_temp.Path));

        Assert.False(ManifestReader.IsPluginFolder(_temp.Path));
        Assert.Equal(
            $"{_temp.Path} is not a plugin folder: looked for a plugin.yaml, or a Claude Code plugin (.claude-plugin/plugin.json, or Claude Code's default layout (commands/, agents/, skills/, hooks/hooks.json, .mcp.json or .lsp.json at the root)), and found none. Give the plugin's root folder (for a .NET plugin the 'dotnet publish' output with plugin.yaml; see docs/plugins.md).",
            error.Message);
        Assert.DoesNotContain("point at the plugin's root folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PluginYaml_WinsOverClaudeParts_InTheSameFolder()
    {
        var root = Write("both", """{ "name": "claude-name" }""");
        File.WriteAllText(Path.Combine(root, "plugin.yaml"), "id: ours\nversion: 1.0.0\ndescription: d\nsdk: \"^1.0\"\n");

        var m = ManifestReader.ReadFromDirectory(root);

        Assert.Equal(("ours", PluginFormat.AgentHost), (m.Id, m.Format));
    }

    [Fact]
    public void WriteNameManifest_KeepsTheNameOfACopy()
    {
        var copy = ClaudePluginFixtures.CopyTo("notes-helper", _temp.Path);
        var renamed = Path.Combine(_temp.Path, "0.0.0");
        Directory.Move(copy, renamed);

        ClaudePluginReader.WriteNameManifest(renamed, "notes-helper");

        Assert.Equal("notes-helper", ManifestReader.ReadFromDirectory(renamed).Id);
    }

    private string Write(string name, string pluginJson)
    {
        var root = Path.Combine(_temp.Path, name);
        WriteFile(root, ".claude-plugin/plugin.json", pluginJson);
        return root;
    }

    private static void WriteFile(string root, string relative, string text)
    {
        var file = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }
}
