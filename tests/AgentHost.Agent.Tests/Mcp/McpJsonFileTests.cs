using AgentHost.Agent.Mcp;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>Reading a project's <c>.mcp.json</c> (Claude Code's format), tool names, and effects from annotations.</summary>
public sealed class McpJsonFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void StdioAndHttpServers_WithVariablesExpanded()
    {
        var path = _temp.WriteFile(".mcp.json", """
            {
              "mcpServers": {
                "files": { "command": "${TOOLS}/server", "args": ["--root", "${ROOT:-/srv}"], "env": { "TOKEN": "${TOKEN}" } },
                "tracker": { "type": "http", "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer ${TOKEN}" } },
              }
            }
            """);
        var problems = new List<string>();

        var servers = McpJsonFile.Read(path, new Dictionary<string, string> { ["TOOLS"] = "/opt/tools", ["TOKEN"] = "t0k" }, problems);

        Assert.Empty(problems);
        var files = Assert.Single(servers, s => s.Name == "files");
        Assert.Equal(McpTransport.Stdio, files.Transport);
        Assert.Equal("/opt/tools/server", files.Command);
        Assert.Equal(["--root", "/srv"], files.Args);
        Assert.Equal("t0k", files.Environment["TOKEN"]);
        Assert.Equal(path, files.Source);
        var tracker = Assert.Single(servers, s => s.Name == "tracker");
        Assert.Equal(McpTransport.Http, tracker.Transport);
        Assert.Equal(new Uri("https://mcp.example.com/mcp"), tracker.Url);
        Assert.Equal("Bearer t0k", tracker.Headers["Authorization"]);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("""{ "servers": {} }""", "expected an object with \"mcpServers\"")]
    [InlineData("""{ "mcpServers": { "x": { "args": [] } } }""", "mcpServers.x: give \"command\"")]
    [InlineData("""{ "mcpServers": { "x": { "type": "websocket", "url": "ws://h" } } }""", "type 'websocket' is not one of stdio, http, sse")]
    [InlineData("""{ "mcpServers": { "x": { "type": "http", "url": "ftp://h/mcp" } } }""", "mcpServers.x.url: 'ftp://h/mcp' is not an absolute http(s) URL")]
    [InlineData("""{ "mcpServers": { "bad name": { "command": "x" } } }""", "'bad name' is not a usable server name")]
    [InlineData("""{ "mcpServers": { "x": { "command": "${MISSING}" } } }""", "variable MISSING is not set")]
    public void AMalformedFile_IsAProblemNamingTheFileAndField(string json, string expected)
    {
        var path = _temp.WriteFile(".mcp.json", json);
        var problems = new List<string>();

        McpJsonFile.Read(path, new Dictionary<string, string>(), problems);

        var problem = Assert.Single(problems);
        Assert.StartsWith(path, problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolNames_FollowThePeersConvention() =>
        Assert.Equal("mcp__github__create_issue", McpServerNames.ToolName("github", "create_issue"));

    [Fact]
    public void AToolNameWithCharactersModelsReject_GetsThemReplaced_AndAHashOfItsRealName() =>
        Assert.Matches("^mcp__docs__search_pages_v2_[0-9a-f]{8}$", McpServerNames.ToolName("docs", "search.pages v2"));

    [Fact]
    public void ALongToolName_IsCutAt64() =>
        Assert.Equal(64, McpServerNames.ToolName("server", new string('t', 100)).Length);

    [Fact]
    public void NamesThatDifferOnlyInWhatNamingChanges_StayApart()
    {
        var common = new string('c', 70);

        Assert.NotEqual(McpServerNames.ToolName("s", common + "_read"), McpServerNames.ToolName("s", common + "_delete"));
        Assert.NotEqual(McpServerNames.ToolName("s", "a.b"), McpServerNames.ToolName("s", "a b"));
        Assert.NotEqual(McpServerNames.ToolName("s", "a.b"), McpServerNames.ToolName("s", "a_b"));
    }

    [Theory]
    [InlineData("github", true)]
    [InlineData("my-server_2", true)]
    [InlineData("a__b", false)]
    [InlineData("a_", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    public void AServerName_CannotMakeAnotherServersToolNames(string name, bool valid) =>
        Assert.Equal(valid, McpServerNames.IsValid(name));

    [Theory]
    [InlineData(true, null, false, ToolEffect.Read)]
    [InlineData(true, null, null, ToolEffect.Read | ToolEffect.Network)]
    [InlineData(false, null, false, ToolEffect.Execute)]
    [InlineData(null, true, false, ToolEffect.Execute | ToolEffect.Write)]
    [InlineData(false, false, true, ToolEffect.Execute | ToolEffect.Network)]
    public void TheEffect_ComesFromTheAnnotations(bool? readOnly, bool? destructive, bool? openWorld, ToolEffect expected) =>
        Assert.Equal(expected, McpToolFunction.EffectOf(new ToolAnnotations { ReadOnlyHint = readOnly, DestructiveHint = destructive, OpenWorldHint = openWorld }));

    [Fact]
    public void WithoutAnnotations_ATool_RunsSomething_SoItIsAsked() =>
        Assert.Equal(ToolEffect.Execute, McpToolFunction.EffectOf(null));

    [Fact]
    public void AResultMarkedAsError_AndMixedContent_BecomeText()
    {
        var result = new CallToolResult
        {
            Content = [new TextContentBlock { Text = "first" }, new ImageContentBlock { MimeType = "image/png", Data = "AAAA"u8.ToArray() }],
        };

        Assert.Equal("first\n[image image/png, 4 bytes of base64]", McpToolFunction.TextOf(result));
    }
}
