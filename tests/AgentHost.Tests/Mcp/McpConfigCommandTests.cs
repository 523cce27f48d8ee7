using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// <c>agent mcp add|get|remove</c> through the real CLI, and an HTTP server's bearer token from the provider key
/// sources: sent as <c>Authorization: Bearer …</c>, never printed, a stored one only to the user's own server.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpConfigCommandTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private string UserConfig => _ws.Combine("home", "config.yaml");

    private string McpJson => Path.Combine(_ws.Root, ".mcp.json");

    [McpFact]
    public async Task Add_AStdioServerToTheUserConfig_GetStartsIt_RemoveTakesItOut()
    {
        var add = await _ws.RunAsync("mcp", "add", "everything", "-e", "LOG_LEVEL=warn", "-e", "API_TOKEN=s3cret-value", "--", McpTestServers.Everything, "stdio");
        var get = await _ws.RunAsync("mcp", "get", "everything", "--no-default-plugins");
        var json = await _ws.RunAsync("mcp", "get", "everything", "--no-default-plugins", "--json");
        var remove = await _ws.RunAsync("mcp", "remove", "everything");
        var list = await _ws.RunAsync("mcp", "list", "--no-default-plugins");

        Assert.True(add.ExitCode == ExitCodes.Success, add.Error);
        Assert.Contains($"Added MCP server 'everything' (stdio: {McpTestServers.Everything} stdio) to {UserConfig}", add.Output, StringComparison.Ordinal);
        Assert.True(get.ExitCode == ExitCodes.Success, get.Output + get.Error);
        Assert.Matches(@"state:\s+ready, 1\d tools", get.Output);
        Assert.Contains("API_TOKEN=***", get.Output, StringComparison.Ordinal);
        Assert.Contains("LOG_LEVEL=warn", get.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value", get.Output + json.Output, StringComparison.Ordinal);
        Assert.Matches(@"mcp__everything__echo\s+read\s", get.Output);
        Assert.NotEmpty(Directory.EnumerateFiles(_ws.Combine("home", "cache", "mcp"), "everything-*.json")); // the listing a lazy start is offered from
        using (var document = JsonDocument.Parse(json.Output))
        {
            Assert.Equal("ready", document.RootElement.GetProperty("state").GetString());
            Assert.Equal(["stdio"], document.RootElement.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        }

        Assert.True(remove.ExitCode == ExitCodes.Success, remove.Error);
        Assert.Contains($"Removed MCP server 'everything' from {UserConfig}", remove.Output, StringComparison.Ordinal);
        Assert.Contains("No MCP servers", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_ToTheProject_WritesMcpJsonInThePeersFormat_KeepingWhatIsThere()
    {
        File.WriteAllText(McpJson, """{ "mcpServers": { "other": { "command": "other-server" } }, "note": "kept" }""");

        var add = await _ws.RunAsync("mcp", "add", "tracker", "https://mcp.example.com/mcp", "--scope", "project", "--bearer-token-env", "TRACKER_TOKEN", "-H", "X-Team: core");
        var written = JsonNode.Parse(File.ReadAllText(McpJson))!;
        var removeWrongScope = await _ws.RunAsync("mcp", "remove", "tracker", "--scope", "user");
        var remove = await _ws.RunAsync("mcp", "remove", "tracker");

        Assert.True(add.ExitCode == ExitCodes.Success, add.Error);
        Assert.Contains("not trusted", add.Error, StringComparison.Ordinal);
        Assert.Equal("http", (string?)written["mcpServers"]!["tracker"]!["type"]);
        Assert.Equal("https://mcp.example.com/mcp", (string?)written["mcpServers"]!["tracker"]!["url"]);
        Assert.Equal("Bearer ${TRACKER_TOKEN}", (string?)written["mcpServers"]!["tracker"]!["headers"]!["Authorization"]);
        Assert.Equal("core", (string?)written["mcpServers"]!["tracker"]!["headers"]!["X-Team"]);
        Assert.Equal("other-server", (string?)written["mcpServers"]!["other"]!["command"]);
        Assert.Equal("kept", (string?)written["note"]);
        Assert.Equal(ExitCodes.NotFound, removeWrongScope.ExitCode);
        Assert.Contains("remove it there with 'agent mcp remove tracker --scope project'", removeWrongScope.Error, StringComparison.Ordinal);
        Assert.True(remove.ExitCode == ExitCodes.Success, remove.Error);
        var after = JsonNode.Parse(File.ReadAllText(McpJson))!;
        Assert.Null(after["mcpServers"]!["tracker"]);
        Assert.NotNull(after["mcpServers"]!["other"]);
    }

    [Theory]
    [InlineData("is not a usable server name", "add", "no such thing!", "--", "node")]
    [InlineData("an http server needs one http(s) URL", "add", "x", "--transport", "http", "--", "node", "server.js")]
    [InlineData("--env is for stdio servers", "add", "x", "https://mcp.example.com/mcp", "-e", "A=b")]
    [InlineData("--header and --bearer-token-env are for HTTP servers", "add", "x", "-H", "A: b", "--", "node")]
    [InlineData("--scope 'team' is not one of user, project", "add", "x", "--scope", "team", "--", "node")]
    public async Task Add_RefusesBadInput_WithTheFix_AndWritesNothing(string message, params string[] args)
    {
        var result = await _ws.RunAsync(["mcp", .. args]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(UserConfig));
        Assert.False(File.Exists(McpJson));
    }

    [Fact]
    public async Task Add_ANameThatIsTaken_IsRefused_AndRemoveOfAPluginsOrMissingServer_SaysWhatToDo()
    {
        Assert.Equal(ExitCodes.Success, (await _ws.RunAsync("mcp", "add", "fs", "--", "node", "fs.js")).ExitCode);
        var before = File.ReadAllText(UserConfig);

        var again = await _ws.RunAsync("mcp", "add", "fs", "--", "node", "other.js");
        var missing = await _ws.RunAsync("mcp", "remove", "nothing", "--no-default-plugins");

        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Contains("already has mcp.servers.fs; remove it first with 'agent mcp remove fs'", again.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(UserConfig));
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Contains("there is no MCP server 'nothing'", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABearerTokenFromAFile_IsSentAsAuthorization_AndNeverPrinted()
    {
        await using var endpoint = new RecordingMcpEndpoint();
        File.WriteAllText(_ws.Combine("token.txt"), "tok-from-file-123\n");
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                tracker: { url: "{{endpoint.Root}}mcp", bearer_token_file: ../token.txt, start_timeout: 5 }
            """);

        var get = await _ws.RunAsync("mcp", "get", "tracker", "--no-default-plugins", "--json");

        Assert.Contains(endpoint.Requests, r => r.Header("Authorization") == "Bearer tok-from-file-123");
        Assert.DoesNotContain("tok-from-file-123", get.Output + get.Error, StringComparison.Ordinal);
        Assert.Contains("\"Authorization\": \"***\"", get.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProjectThatPointsYourServerElsewhere_GetsNoneOfTheCredentialsYouAttached_NamingBothOrigins()
    {
        await using var yours = new RecordingMcpEndpoint();
        await using var theirs = new RecordingMcpEndpoint();
        var environment = new Dictionary<string, string>(_ws.Environment) { ["TRACKER_TOKEN"] = "tok-of-the-user-789" };
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                tracker:
                  url: "{{yours.Root}}mcp"
                  bearer_token_env: TRACKER_TOKEN
                  headers: { X-Api-Key: key-of-the-user-123 }
                  start_timeout: 5
            """);
        await AgentProcess.RunAsync(_ws.Root, environment, "mcp", "get", "tracker", "--no-default-plugins");
        _ws.WriteProjectConfig($$"""
            mcp:
              servers:
                tracker: { url: "{{theirs.Root}}mcp" }
            """);
        Assert.Equal(ExitCodes.Success, (await AgentProcess.RunAsync(_ws.Root, environment, "trust", _ws.Root)).ExitCode);

        var get = await AgentProcess.RunAsync(_ws.Root, environment, "mcp", "get", "tracker", "--no-default-plugins");

        Assert.Contains(yours.Requests, r => r.Header("Authorization") == "Bearer tok-of-the-user-789" && r.Header("X-Api-Key") == "key-of-the-user-123");
        Assert.NotEmpty(theirs.Requests);
        Assert.All(theirs.Requests, r => Assert.Equal((null, null), (r.Header("Authorization"), r.Header("X-Api-Key"))));
        Assert.Contains($"mcp.servers.tracker: its URL is set by {Path.Combine(_ws.Root, ".agent", "config.yaml")}:3, so what {_ws.Combine("home", "config.yaml")} attached to that server (bearer_token_env, headers) is not used for it", get.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-of-the-user-789", get.Output + get.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoredToken_GoesToTheUsersOwnServer_NotToAProjectsServerOfTheSameName()
    {
        await using var endpoint = new RecordingMcpEndpoint();
        var environment = new Dictionary<string, string>(_ws.Environment) { ["AGENT_KEY_STORE"] = "file" };
        var login = await AgentProcess.RunWithInputAsync(_ws.Root, environment, "stored-tok-456\n", "auth", "login", "mcp.tracker");
        Assert.True(login.ExitCode == ExitCodes.Success, login.Error);
        _ws.WriteProjectConfig($$"""
            mcp:
              servers:
                tracker: { url: "{{endpoint.Root}}mcp", start_timeout: 5 }
            """);
        Assert.Equal(ExitCodes.Success, (await AgentProcess.RunAsync(_ws.Root, environment, "trust", _ws.Root)).ExitCode);

        await AgentProcess.RunAsync(_ws.Root, environment, "mcp", "get", "tracker", "--no-default-plugins");
        var fromProject = endpoint.Requests.ToList();
        endpoint.Requests.Clear();
        File.Delete(Path.Combine(_ws.Root, ".agent", "config.yaml"));
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                tracker: { url: "{{endpoint.Root}}mcp", start_timeout: 5 }
            """);
        var get = await AgentProcess.RunAsync(_ws.Root, environment, "mcp", "get", "tracker", "--no-default-plugins");

        Assert.NotEmpty(fromProject);
        Assert.All(fromProject, r => Assert.Null(r.Header("Authorization")));
        Assert.Contains(endpoint.Requests, r => r.Header("Authorization") == "Bearer stored-tok-456");
        Assert.DoesNotContain("stored-tok-456", get.Output + get.Error, StringComparison.Ordinal);
    }
}
