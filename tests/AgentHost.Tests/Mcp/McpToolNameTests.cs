using System.Text.Json;
using AgentHost.Agent.Mcp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// MCP tool names that used to collide silently (#44): after the 64-character cut, and through <c>__</c> in server
/// names. Each name now reaches one server's one tool, so a call and a permission rule cannot be sent elsewhere. A real
/// <c>agent</c> process, our fixture server on the official TypeScript SDK, the scripted model.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpToolNameTests : IDisposable
{
    /// <summary>These runs check names, not deferral: the servers' tools are offered up front (docs/agent-loop.md, deferred tools).</summary>
    private const string OfferMcpToolsUpFront = "plugins.deferred_tools.mcp=none";

    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private static string Server(params string[] tools) =>
        $$"""{ command: node, args: [{{string.Join(", ", new[] { McpTestServers.NamesFixture }.Concat(tools.SelectMany(t => new[] { "--tool", t })).Select(a => JsonSerializer.Serialize(a)))}}] }""";

    [McpFact]
    public async Task ToolNamesThatMatchUpToTheCut_GetDistinctNames_AndEachCallReachesItsOwnTool()
    {
        var common = "repository_contents_" + new string('x', 40);
        var (read, delete) = (McpServerNames.ToolName("names", common + "_read"), McpServerNames.ToolName("names", common + "_delete"));
        _ws.WriteUserConfig($"mcp:\n  servers:\n    names: {Server(common + "_read", common + "_delete")}\n");
        var script = _ws.WriteScript($$"""
            turns:
              - expect: { tools_include: [{{read}}, {{delete}}] }
                tool_calls: [{ name: {{read}}, arguments: {} }]
              - expect: { tool_results_contain: ["called {{common}}_read"] }
                tool_calls: [{ name: {{delete}}, arguments: {} }]
              - expect: { tool_results_contain: ["called {{common}}_delete"] }
                text: each reached its own tool
            """);

        var run = await _ws.RunAsync("run", "go", "-p", "scripted", "--no-default-plugins", "-c", OfferMcpToolsUpFront, "-m", "scripted/" + script);

        Assert.NotEqual(read, delete);
        Assert.All([read, delete], name => Assert.True(name.Length <= 64, name));
        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("each reached its own tool", run.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task AServerNameWithDoubleUnderscore_IsLeftOut_SoItsToolsCannotPassAsAnotherServers()
    {
        // Server a's tool b__c and server a__b's tool c would both be mcp__a__b__c, and mcp__a__* would cover a__b.
        _ws.WriteUserConfig($"mcp:\n  servers:\n    a: {Server("b__c")}\n    a__b: {Server("c")}\n");

        var list = await _ws.RunAsync("mcp", "list", "--no-default-plugins", "--json");

        Assert.True(list.ExitCode == ExitCodes.Success, list.Error);
        var servers = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().ToList();
        var only = Assert.Single(servers);
        Assert.Equal("a", only.GetProperty("name").GetString());
        Assert.Equal(["mcp__a__b__c"], only.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("mcp.servers.a__b: 'a__b' is not a usable server name; use at most 40 letters, digits, '-' and '_', without '__' and not ending in '_'", list.Error, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task AServerThatListsOneNameTwice_OffersNeither_AndSaysWhy()
    {
        _ws.WriteUserConfig($"mcp:\n  servers:\n    dup: {Server("echo", "echo", "other")}\n");
        var script = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [mcp__dup__other] }
                tool_calls: [{ name: mcp__dup__echo, arguments: {} }]
              - expect: { tool_results_contain: ["unknown tool 'mcp__dup__echo'"] }
                text: neither echo was offered
            """);

        var run = await _ws.RunAsync("run", "go", "-p", "scripted", "--no-default-plugins", "-c", OfferMcpToolsUpFront, "-m", "scripted/" + script, "-o", "json");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        var warning = RunWorkspace.Events(run.Output).Single(e => e.GetProperty("type").GetString() == "warning" && e.GetProperty("source").GetString() == "mcp");
        Assert.Contains("MCP server 'dup' (", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("lists 2 tools that would all be named mcp__dup__echo: 'echo', 'echo'; none of them is offered", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
