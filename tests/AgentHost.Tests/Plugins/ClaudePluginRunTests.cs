using AgentHost.Tests.Lsp;
using AgentHost.Tests.Mcp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Plugins;

/// <summary>
/// An installed Claude Code plugin's parts running in a real <c>agent run</c> with the scripted model: its skill through
/// the skill tool, a tool of its MCP server (a real server process started through <c>${CLAUDE_PLUGIN_ROOT}</c>), its
/// LSP server behind the LSP tools, and its commands expanded from <c>agent run "/plugin:command args"</c>.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ClaudePluginRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    /// <summary>The workspace environment with the npm-installed servers on PATH, as a user would have them, and a variable the plugin's .mcp.json uses.</summary>
    private Dictionary<string, string> Environment
    {
        get
        {
            var environment = _ws.Environment;
            var path = string.Join(Path.PathSeparator, new[] { McpTestServers.BinDirectory, LspServers.BinDirectory }.OfType<string>());
            environment["PATH"] = path + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
            environment["REVIEW_KIT_GREETING"] = "from the environment";
            return environment;
        }
    }

    private Task<CliResult> RunAsync(params string[] args) => AgentProcess.RunAsync(_ws.Root, Environment, args);

    [ClaudePluginServersFact]
    public async Task InstalledPlugin_ItsSkill_ItsMcpServer_AndItsLanguageServer_AllWork()
    {
        var copy = ClaudePluginFixtures.CopyTo("review-kit", _ws.Combine("sources"));
        var install = await RunAsync("plugin", "install", copy, "--yes");
        Assert.True(install.ExitCode == ExitCodes.Success, install.Error + install.Output);
        var installed = _ws.Combine("home", "plugins", "review-kit", "1.2.0", "review-kit");
        File.WriteAllText(Path.Combine(_ws.Root, "schema.json"), """{ "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] }""");
        File.WriteAllText(Path.Combine(_ws.Root, "bad.yaml"), "# yaml-language-server: $schema=./schema.json\nport: 1\n");
        var script = _ws.WriteScript($$"""
            turns:
              - expect:
                  system_contains: "<name>changelog-style</name>"
                  tools_include: [skill, mcp__kit-everything__get-env, lsp_diagnostics]
                tool_calls: [{ name: skill, arguments: { name: changelog-style } }]
              - expect:
                  tool_results_contain: ["<skill_content name=\"changelog-style\">", "Write one line per change"]
                tool_calls:
                  - { name: mcp__kit-everything__get-env, arguments: {} }
                  - { name: lsp_diagnostics, arguments: { path: bad.yaml } }
              - expect:
                  tool_results_contain: ['"REVIEW_KIT_DATA": "{{installed}}/data"', '"REVIEW_KIT_GREETING": "from the environment"', 'Missing property "name"']
                text: All three parts answered.
            """);

        // The server's and the language plugin's tools up front, the server started with the session (not in the
        // background, an installed plugin's default): the run checks that the parts work, not deferral or start modes.
        var result = await RunAsync("run", "review the changelog", "-p", "scripted", "--no-default-plugins", "-c", "plugins.deferred_tools.mcp=none", "-c", "plugins.deferred_tools.lsp=none", "-c", "mcp.start=session", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("All three parts answered.", result.Output, StringComparison.Ordinal);
        Assert.Contains("✓ mcp__kit-everything__get-env", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SlashPluginCommand_SendsTheCommandsPrompt_WithItsArguments()
    {
        var copy = ClaudePluginFixtures.CopyTo("review-kit", _ws.Combine("sources"));
        Assert.Equal(ExitCodes.Success, (await RunAsync("plugin", "install", copy, "--yes")).ExitCode);
        var qualified = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "Review the file src/app.ts carefully. Focus on: error handling." }
                text: reviewed
            """);
        var plain = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "Review the file README.md carefully. Focus on: ." }
                text: reviewed plainly
            """);

        var first = await RunAsync("run", "/review-kit:review src/app.ts \"error handling\"", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + qualified);
        var second = await RunAsync("run", "/review README.md", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + plain);

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error + first.Output);
        Assert.Contains("reviewed", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error + second.Output);
        Assert.Contains("reviewed plainly", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithPluginFolder_LoadsAClaudePluginWithoutInstalling_AndExpandsItsCommand()
    {
        var folder = ClaudePluginFixtures.Path("notes-helper");
        var script = _ws.WriteScript("""
            turns:
              - expect:
                  last_user_contains: "Turn these notes into a short todo list, one line per task: buy milk; call Bob"
                  system_contains: "<name>note-taking</name>"
                text: listed
            """);

        var result = await RunAsync("run", "/notes-helper:todo buy milk; call Bob", "--plugin", folder, "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("listed", result.Output, StringComparison.Ordinal);
    }
}

/// <summary>Needs the npm-installed MCP and language servers (tests/mcp-servers, tests/lsp-servers) and node.</summary>
public sealed class ClaudePluginServersFactAttribute : FactAttribute
{
    public ClaudePluginServersFactAttribute()
    {
        Skip = McpTestServers.SkipReason ?? LspServers.SkipReason;
    }
}
