using System.Text.Json;
using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// <c>agent tool list</c> and <c>agent tool run</c> know the MCP servers' tools a run offers (#47): the servers start
/// as a run starts them (the real server-everything as a child process), their tools are listed with their server, and
/// one is called through the same pipeline and permission rules as a plugin's tool.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpToolCommandTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public McpToolCommandTests() => _ws.WriteUserConfig($$"""
        mcp:
          servers:
            everything: { command: {{JsonSerializer.Serialize(McpTestServers.Everything ?? "missing")}}, args: [stdio] }
        """);

    public void Dispose() => _ws.Dispose();

    [McpFact]
    public async Task ToolList_ShowsTheMcpServersTools_WithTheirServer_AsARunOffersThem()
    {
        var text = await _ws.RunAsync("tool", "list", "-p", "files", "--no-default-plugins");
        var json = await _ws.RunAsync("tool", "list", "-p", "files", "--no-default-plugins", "--json");
        var withoutMcp = await _ws.RunAsync("tool", "list", "-p", "files", "--no-default-plugins", "--no-mcp");

        Assert.True(text.ExitCode == ExitCodes.Success, text.Error);
        Assert.Matches(@"view\s+files\s+read", text.Output);
        Assert.Matches(@"mcp__everything__echo\s+mcp:everything\s+read\s", text.Output);
        using var tools = JsonDocument.Parse(json.Output);
        var sum = tools.RootElement.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "mcp__everything__get-sum");
        Assert.Equal("mcp", sum.GetProperty("plugin").GetString());
        Assert.Equal("everything", sum.GetProperty("mcpServer").GetString());
        Assert.True(sum.GetProperty("parameters").GetProperty("properties").TryGetProperty("a", out _), json.Output);
        Assert.Contains("view", withoutMcp.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("mcp__", withoutMcp.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task ToolRun_CallsAnMcpServersTool_UnderThePermissionRules()
    {
        var called = await _ws.RunAsync("tool", "run", "mcp__everything__echo", "--args", "{\"message\":\"hello from tool run\"}", "--no-default-plugins");
        var denied = await _ws.RunAsync("tool", "run", "mcp__everything__echo", "--args", "{\"message\":\"never\"}", "--no-default-plugins", "-c", "permissions.deny.0=mcp__everything__*");
        var json = await _ws.RunAsync("tool", "run", "mcp__everything__get-sum", "--args", "{\"a\":2,\"b\":40}", "--no-default-plugins", "--allow", "mcp__everything__get-sum", "--json");

        Assert.True(called.ExitCode == ExitCodes.Success, called.Output + called.Error);
        Assert.Contains("hello from tool run", called.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Denied, denied.ExitCode);
        Assert.DoesNotContain("never", denied.Output, StringComparison.Ordinal);
        Assert.True(json.ExitCode == ExitCodes.Success, json.Output + json.Error);
        using var outcome = JsonDocument.Parse(json.Output);
        Assert.Equal("succeeded", outcome.RootElement.GetProperty("status").GetString());
        Assert.Equal("mcp", outcome.RootElement.GetProperty("plugin").GetString());
        Assert.Contains("42", outcome.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
