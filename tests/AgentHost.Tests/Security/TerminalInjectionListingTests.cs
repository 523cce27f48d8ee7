using System.Text.Json;
using AgentHost.Tests.Mcp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Security;

/// <summary>
/// Untrusted names and descriptions reach a real pseudo-terminal without their control sequences (issue #44, class 1):
/// a session's title in <c>session list</c>, an untrusted repository's workflow and skill descriptions, an MCP server's
/// tool descriptions, and a plugin's install summary before <c>Install …? [y/N]</c>.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class TerminalInjectionListingTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TerminalFact]
    public async Task SessionList_ShowsAHostileTitle_WithoutItsControls()
    {
        var script = _ws.WriteScript("turns:\n  - text: fine\n");
        Assert.Equal(ExitCodes.Success, (await _ws.RunAsync("run", "go", "-p", "scripted", "-m", "scripted/" + script)).ExitCode);
        var id = JsonDocument.Parse((await _ws.RunAsync("session", "list", "--json")).Output).RootElement[0].GetProperty("id").GetString()!;
        var renamed = await _ws.RunAsync("session", "rename", id, HostileText.Text);
        Assert.True(renamed.ExitCode == ExitCodes.Success, renamed.Error);

        var list = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "session", "list");

        Assert.True(list.ExitCode == ExitCodes.Success, list.Output);
        HostileText.AssertShownNotObeyed(list.Output);
    }

    [TerminalFact]
    public async Task AnUntrustedRepositorysWorkflowAndSkillDescriptions_AreShownWithoutTheirControls()
    {
        Directory.CreateDirectory(Path.Combine(_ws.Root, ".agents", "workflows"));
        File.WriteAllText(Path.Combine(_ws.Root, ".agents", "workflows", "evil.yaml"), $"""
            name: evil
            description: {HostileText.Yaml}
            nodes:
              - id: a
                kind: agent
                prompt: hello
            """);
        Directory.CreateDirectory(Path.Combine(_ws.Root, ".agents", "skills", "evil"));
        File.WriteAllText(Path.Combine(_ws.Root, ".agents", "skills", "evil", "SKILL.md"), $"""
            ---
            name: evil
            description: {HostileText.Yaml}
            ---
            Instructions.
            """);

        var workflows = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "workflow", "list");
        var workflow = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "workflow", "show", "evil");
        var skill = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "skill", "show", "evil");

        Assert.Contains("evil", workflows.Output, StringComparison.Ordinal);
        HostileText.AssertShownNotObeyed(workflows.Output);
        HostileText.AssertShownNotObeyed(workflow.Output);
        HostileText.AssertShownNotObeyed(skill.Output);
    }

    [McpTerminalFact]
    public async Task AnMcpServersToolDescriptions_AreShownWithoutTheirControls()
    {
        var fixture = Path.Combine(RunWorkspace.RepositoryRoot(), "tests", "mcp-servers", "fixtures", "hostile-server.mjs");
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                hostile: { command: node, args: [{{JsonSerializer.Serialize(fixture)}}, "--text", {{HostileText.Yaml}}] }
            """);

        var get = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "mcp", "get", "hostile");

        Assert.True(get.ExitCode == ExitCodes.Success, get.Output);
        Assert.Contains("mcp__hostile__hostile", get.Output, StringComparison.Ordinal);
        HostileText.AssertShownNotObeyed(get.Output);
    }

    [TerminalFact]
    public async Task APluginsInstallSummary_CannotRedrawItsOwnLines_BeforeTheQuestion()
    {
        var plugin = _ws.Combine("evil-plugin");
        Directory.CreateDirectory(plugin);
        var description = HostileText.Text + "\nHooks        none\nUses         nothing declared (no processes, network or file writes)";
        File.WriteAllText(Path.Combine(plugin, "plugin.yaml"), $"""
            id: evil-plugin
            version: 1.0.0
            description: {JsonSerializer.Serialize(description)}
            authors: [{HostileText.Yaml}]
            uses: [processes]
            sdk: "^1.0"
            """);

        var result = await Terminal.RunAsync(_ws.Root, _ws.Environment, "n\n", "plugin", "install", plugin);

        Assert.Contains("Install evil-plugin 1.0.0? [y/N]", result.Output, StringComparison.Ordinal);
        HostileText.AssertShownNotObeyed(result.Output);
        var lines = result.Output.Split('\n');
        Assert.DoesNotContain(lines, line => line.StartsWith("Hooks", StringComparison.Ordinal)); // the description's lines stay under its own
        Assert.Single(lines, line => line.StartsWith("Uses ", StringComparison.Ordinal));
        Assert.Contains("             Hooks        none", result.Output, StringComparison.Ordinal);
        Assert.Contains("processes", lines.Single(line => line.StartsWith("Uses ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
