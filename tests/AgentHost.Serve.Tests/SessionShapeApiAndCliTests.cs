using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// A session's own system prompt, tool subset and MCP servers — <c>agent run</c> options and the server's create
/// settings — through the openai plugin to a local server: what reaches the wire, what a resumed session keeps, and the
/// refusals (a PATCH after create, a malformed value, an unknown MCP server).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class SessionShapeApiAndCliTests : IAsyncDisposable
{
    private readonly FakeOpenAIServer _provider = new();
    private readonly RunWorkspace _ws = new();

    public async ValueTask DisposeAsync()
    {
        _ws.Dispose();
        await _provider.DisposeAsync();
    }

    private void Configure() => _ws.WriteUserConfig($"""
        providers:
          local:
            type: openai
            base_url: {_provider.BaseUrl}
        """);

    [Fact]
    public async Task RunOptions_ReplaceAndAppendTheSystemPrompt_NarrowTheTools_AndAResumedRunKeepsThem()
    {
        Configure();
        _provider.ReplySse(Chunks.Answer("one"));
        _provider.ReplySse(Chunks.Answer("two"));

        var first = await _ws.RunAsync("run", "hi", "-m", "local/test-model", "-p", "files", "--system-prompt", "You review diffs tersely.", "--append-system-prompt", "End with DONE.", "--tools", "view,grep", "-o", "json");
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        var session = RunWorkspace.Events(first.Output).First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString()!;
        var second = await _ws.RunAsync("run", "again", "--session", session, "-m", "local/test-model", "-p", "files", "-o", "final");
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);

        var requests = _provider.Requests.Where(r => r.Path == "/v1/chat/completions").Select(r => r.Json).ToList();
        foreach (var request in requests)
        {
            var system = request.GetProperty("messages")[0].GetProperty("content").GetString()!;
            Assert.StartsWith("You review diffs tersely.", system, StringComparison.Ordinal);
            Assert.EndsWith("End with DONE.", system, StringComparison.Ordinal);
            Assert.Equal(["grep", "view"], Tools(request));
        }
    }

    [Fact]
    public async Task WithoutTheOptions_TheBuiltInPromptAndEveryToolAreSent()
    {
        Configure();
        _provider.ReplySse(Chunks.Answer("one"));

        var run = await _ws.RunAsync("run", "hi", "-m", "local/test-model", "-p", "files", "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        var request = _provider.LastChat.Json;
        Assert.DoesNotContain("End with DONE.", request.GetProperty("messages")[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Contains("write", Tools(request));
        Assert.True(Tools(request).Count > 2);
    }

    [Fact]
    public async Task BadOptions_AreUsageErrors_AndAnUnknownMcpServerIsNamed()
    {
        Configure();
        _provider.ReplySse(Chunks.Answer("one"));

        var badTools = await _ws.RunAsync("run", "hi", "-m", "local/test-model", "--tools", "view;rm -rf");
        var unknown = await _ws.RunAsync("run", "hi", "-m", "local/test-model", "-p", "files", "--mcp-server", "docs");

        Assert.Equal(ExitCodes.Usage, badTools.ExitCode);
        Assert.Contains("--tools: 'view;rm -rf' is not valid; give tool names separated by commas", badTools.Error, StringComparison.Ordinal);
        Assert.True(unknown.ExitCode == ExitCodes.Success, unknown.Error);
        Assert.Contains("the session's mcp_servers names 'docs', which is not an MCP server this session can start (none is configured)", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSettings_ShapeTheSession_AndAPatchOfThemIsRefused()
    {
        Configure();
        _provider.ReplySse(Chunks.Answer("one"));
        await using var server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "openai", "--plugin", "files", "--no-default-plugins", "--model", "local/test-model");

        var id = (await server.CreateSessionAsync(new { settings = new Dictionary<string, string> { ["system_prompt"] = "You are the release bot.", ["tools"] = "view", ["mcp_servers"] = "none" } })).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await server.SendAndWaitAsync(id, new { prompt = "go" })).GetProperty("status").GetString());
        using var patch = await server.Http.PatchAsJsonAsync($"v1/sessions/{id}/settings", new { settings = new Dictionary<string, string> { ["tools"] = "view,write" } });

        var request = _provider.LastChat.Json;
        Assert.StartsWith("You are the release bot.", request.GetProperty("messages")[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal(["view"], Tools(request));
        Assert.Contains("settings.tools: given when the session is created", (await AgentServer.ReadAsync(patch, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("view", (await server.GetAsync($"v1/sessions/{id}/settings")).GetProperty("settings").GetProperty("tools").GetString());
    }

    private static List<string> Tools(JsonElement request) =>
        request.TryGetProperty("tools", out var tools) ? [.. tools.EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!).Order(StringComparer.Ordinal)] : [];
}
