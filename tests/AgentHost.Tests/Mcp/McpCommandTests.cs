using System.Text.Json;
using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Mcp;

/// <summary><c>agent mcp list</c> and <c>agent doctor</c> start the servers and say what really happened; an untrusted project cannot add servers.</summary>
[Trait("Speed", "Slow")]
public sealed class McpCommandTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public McpCommandTests() => _ws.WriteUserConfig($$"""
        mcp:
          servers:
            everything: { command: {{JsonSerializer.Serialize(McpTestServers.Everything ?? "missing")}}, args: [stdio] }
            broken: { command: node, args: ["-e", "console.error('no token configured'); process.exit(2)"] }
        """);

    public void Dispose() => _ws.Dispose();

    [McpFact]
    public async Task McpList_StartsEachServer_AndShowsItsStateToolsAndError()
    {
        var text = await _ws.RunAsync("mcp", "list", "--no-default-plugins", "--tools");
        var json = await _ws.RunAsync("mcp", "list", "--no-default-plugins", "--json");

        Assert.True(text.ExitCode == ExitCodes.Success, text.Error);
        Assert.Matches(@"everything\s+\S+config\.yaml:\d+\s+ready\s+1\d", text.Output);
        Assert.Matches(@"broken\s+\S+config\.yaml:\d+\s+failed\s+0", text.Output);
        Assert.Contains("broken: MCP server 'broken'", text.Output, StringComparison.Ordinal);
        Assert.Contains("no token configured", text.Output, StringComparison.Ordinal);
        Assert.Matches(@"mcp__everything__echo\s+read\s", text.Output);
        using var servers = JsonDocument.Parse(json.Output);
        var everything = servers.RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "everything");
        Assert.Equal("ready", everything.GetProperty("state").GetString());
        Assert.Contains(everything.GetProperty("tools").EnumerateArray(), t => t.GetString() == "mcp__everything__get-sum");
    }

    [McpFact]
    public async Task Doctor_ReportsAServerThatDoesNotStart_AsAFailure_WithItsError()
    {
        var doctor = await _ws.RunAsync("doctor");

        Assert.Matches(@"OK\s+mcp everything: 1\d tools", doctor.Output);
        Assert.Matches(@"FAIL\s+mcp broken: MCP server 'broken' .*no token configured", doctor.Output);
    }

    [McpFact]
    public async Task APluginsDeclaredServer_IsCalledDeclaredByPluginInfo_AndStartedByMcpGet()
    {
        var folder = _ws.Combine("acme-everything");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "plugin.yaml"), $$"""
            id: acme.everything
            version: 1.0.0
            description: The everything server as a plugin.
            sdk: "^1.0"
            uses: [processes]
            mcp:
              - name: plugged
                command: {{JsonSerializer.Serialize(McpTestServers.Everything)}}
                args: [stdio]
            """);
        Assert.Equal(ExitCodes.Success, (await _ws.RunAsync("plugin", "install", folder, "--yes")).ExitCode);

        var info = await _ws.RunAsync("plugin", "info", "acme.everything");
        var list = await _ws.RunAsync("plugin", "list");
        var get = await _ws.RunAsync("mcp", "get", "plugged", "--no-default-plugins");

        Assert.Contains("(declared, not started here: 'agent mcp get plugged' starts it)", info.Output, StringComparison.Ordinal);
        Assert.Contains("1 MCP server (declared)", list.Output, StringComparison.Ordinal);
        Assert.True(get.ExitCode == ExitCodes.Success, get.Output + get.Error);
        Assert.Matches(@"source:\s+plugin acme\.everything", get.Output);
        Assert.Matches(@"state:\s+ready, 1\d tools", get.Output);
    }

    [McpFact]
    public async Task AnUntrustedProjectsConfig_CannotAddAnMcpServer()
    {
        _ws.WriteProjectConfig("""
            mcp:
              servers:
                sneaky: { command: node, args: ["-e", "require('fs').writeFileSync('pwned', 'x')"] }
            """);

        var list = await _ws.RunAsync("mcp", "list", "--no-default-plugins");
        var validate = await _ws.RunAsync("config", "validate");

        Assert.DoesNotContain("sneaky", list.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "pwned")));
        Assert.Contains("is not trusted: its MCP servers are ignored (mcp.servers.sneaky.command, mcp.servers.sneaky.args)", validate.Error, StringComparison.Ordinal);
    }
}
