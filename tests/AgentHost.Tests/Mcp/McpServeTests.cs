using System.Diagnostics;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// <c>agent mcp serve</c> driven by the official MCP inspector CLI and by the official C# SDK's client: the plugins'
/// tools listed with annotations, calls through the permission system (headless: asks are denied, --allow allows).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpServeTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public McpServeTests() => File.WriteAllText(Path.Combine(_ws.Root, "notes.txt"), "hello from the project\n");

    public void Dispose() => _ws.Dispose();

    [McpFact]
    public async Task TheInspectorCli_ListsTheTools_AndCallsOne_AndAWriteIsDeniedWithTheFix()
    {
        using var list = JsonDocument.Parse(await InspectAsync(0, "--method", "tools/list"));
        using var view = JsonDocument.Parse(await InspectAsync(0, "--method", "tools/call", "--tool-name", "view", "--tool-arg", "path=notes.txt"));
        using var write = JsonDocument.Parse(await InspectAsync(ToolIsError, "--method", "tools/call", "--tool-name", "write", "--tool-arg", "path=new.txt", "content=x"));

        var tools = list.RootElement.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.True(tools["view"].GetProperty("annotations").GetProperty("readOnlyHint").GetBoolean());
        Assert.False(tools["write"].GetProperty("annotations").GetProperty("readOnlyHint").GetBoolean());
        Assert.Equal("object", tools["write"].GetProperty("inputSchema").GetProperty("type").GetString());
        Assert.False(view.RootElement.GetProperty("isError").GetBoolean());
        Assert.Contains("hello from the project", Text(view), StringComparison.Ordinal);
        Assert.True(write.RootElement.GetProperty("isError").GetBoolean());
        Assert.Contains("permission denied", Text(write), StringComparison.Ordinal);
        Assert.Contains("--allow 'write(new.txt)'", Text(write), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "new.txt")));
    }

    [McpFact]
    public async Task TheSdkClient_CallsThroughThePipeline_AndAnAllowRuleLetsAWriteThrough()
    {
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "agent",
            Command = "dotnet",
            Arguments = [AgentProcess.AgentDll, "mcp", "serve", "--plugin", "files", "--no-default-plugins", "--allow", "write(notes.txt)"],
            WorkingDirectory = _ws.Root,
            EnvironmentVariables = _ws.Environment.ToDictionary(p => p.Key, p => (string?)p.Value),
        }));

        var tools = await client.ListToolsAsync();
        var viewed = await client.CallToolAsync("view", new Dictionary<string, object?> { ["path"] = "notes.txt" });
        var written = await client.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "notes.txt", ["content"] = "rewritten\n" });
        var outside = await client.CallToolAsync("view", new Dictionary<string, object?> { ["path"] = "../outside.txt" });
        var unknown = await client.CallToolAsync("no_such_tool", new Dictionary<string, object?>());

        Assert.Equal("agent", client.ServerInfo?.Name);
        Assert.Contains(tools, t => t.Name == "grep");
        // Tools only: no resources or prompts declared, and a client that asks anyway gets "method not found".
        Assert.Null(client.ServerCapabilities.Resources);
        Assert.Null(client.ServerCapabilities.Prompts);
        var notAvailable = await Assert.ThrowsAnyAsync<Exception>(async () => await client.SendRequestAsync(
            new JsonRpcRequest { Method = "resources/list" }));
        Assert.Contains("-32601", notAvailable is ModelContextProtocol.McpProtocolException protocol ? ((int)protocol.ErrorCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : notAvailable.Message, StringComparison.Ordinal);
        // Optional parameters are typed portably: no ["integer", "null"] (the inspector's portability warning).
        var optional = tools.SelectMany(t => OptionalProperties(t.ProtocolTool.InputSchema).Select(p => (Tool: t.Name, p.Name, p.Schema))).ToList();
        Assert.Contains(optional, p => p.Tool == "grep");
        Assert.All(optional, p => Assert.DoesNotContain("\"null\"", p.Schema.GetRawText(), StringComparison.Ordinal));
        Assert.NotEqual(true, viewed.IsError);
        Assert.NotEqual(true, written.IsError);
        Assert.Equal("rewritten\n", File.ReadAllText(Path.Combine(_ws.Root, "notes.txt")));
        Assert.True(outside.IsError);
        Assert.True(unknown.IsError);
        Assert.Contains("no_such_tool", ((TextContentBlock)unknown.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAgent_RunsTheTaskAsAHeadlessAgentRun_AndAnswersWithItsFinalAnswerAndSession()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: notes.txt } }]
              - expect: { tool_results_contain: ["hello from the project"] }
                text: The notes greet you.
            """);
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "agent",
            Command = "dotnet",
            Arguments = [AgentProcess.AgentDll, "mcp", "serve", "--plugin", "files", "--plugin", "scripted", "--no-default-plugins", "--agent-tool", "--agent-model", "scripted/" + script, "--allow", "run_agent"],
            WorkingDirectory = _ws.Root,
            EnvironmentVariables = _ws.Environment.ToDictionary(p => p.Key, p => (string?)p.Value),
        }));

        var tools = await client.ListToolsAsync();
        var answer = await client.CallToolAsync("run_agent", new Dictionary<string, object?> { ["prompt"] = "what do the notes say?" });
        var text = ((TextContentBlock)answer.Content[0]).Text;
        var sessions = await _ws.RunAsync("session", "list", "--json");

        Assert.Equal(true, tools.Single(t => t.Name == "run_agent").ProtocolTool.Annotations?.DestructiveHint);
        Assert.True(answer.IsError != true, text);
        Assert.StartsWith("The notes greet you.", text, StringComparison.Ordinal);
        var session = System.Text.RegularExpressions.Regex.Match(text, @"\[session (\S+): continue it with agent run --session \1").Groups[1].Value;
        Assert.NotEmpty(session);
        Assert.Contains(session, sessions.Output, StringComparison.Ordinal);
    }

    /// <summary>The inspector's exit code for a call whose result has <c>isError</c> (it still prints the result).</summary>
    private const int ToolIsError = 5;

    private async Task<string> InspectAsync(int exitCode, params string[] method)
    {
        var start = new ProcessStartInfo(McpTestServers.Inspector) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _ws.Root };
        foreach (var arg in (string[])["--cli", "dotnet", AgentProcess.AgentDll, "mcp", "serve", "--plugin", "files", "--no-default-plugins", .. method])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in _ws.Environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(process.ExitCode == exitCode, $"inspector exited {process.ExitCode}: {await error}");
        return await output;
    }

    private static string Text(JsonDocument result) => result.RootElement.GetProperty("content")[0].GetProperty("text").GetString()!;

    /// <summary>The properties of <paramref name="schema"/> that are not required, with their schemas.</summary>
    private static IEnumerable<(string Name, JsonElement Schema)> OptionalProperties(JsonElement schema)
    {
        if (!schema.TryGetProperty("properties", out var properties))
        {
            yield break;
        }

        var required = schema.TryGetProperty("required", out var names) ? names.EnumerateArray().Select(n => n.GetString()).ToHashSet() : [];
        foreach (var property in properties.EnumerateObject().Where(p => !required.Contains(p.Name)))
        {
            yield return (property.Name, property.Value);
        }
    }
}
