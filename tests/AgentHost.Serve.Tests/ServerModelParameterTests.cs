using System.Net;
using System.Net.Http.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Model parameters over agent serve's API, through the openai plugin to a local server: a session's settings (create and
/// PATCH) under a message's own fields, the one validator (400 naming the field), and the OpenAPI document.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerModelParameterTests : IAsyncDisposable
{
    private readonly FakeOpenAIServer _provider = new();
    private readonly RunWorkspace _ws = new();

    public async ValueTask DisposeAsync()
    {
        _ws.Dispose();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task SessionSettings_AndMessageFields_ReachTheWire_TheRequestWinning()
    {
        _ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {_provider.BaseUrl}
            session:
              top_p: 0.6
            """);
        _provider.ReplySse(Chunks.Answer("one"));
        _provider.ReplySse(Chunks.Answer("two"));
        await using var server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "openai", "--no-default-plugins", "--model", "local/test-model");

        var id = (await server.CreateSessionAsync(new { settings = new Dictionary<string, string> { ["temperature"] = "0.4", ["seed"] = "11" } })).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await server.SendAndWaitAsync(id, new { prompt = "one", maxOutputTokens = 64 })).GetProperty("status").GetString());
        using var patched = await server.Http.PatchAsJsonAsync($"v1/sessions/{id}/settings", new { settings = new Dictionary<string, string> { ["reasoning_effort"] = "low", ["stop"] = "[\"END\"]" } });
        Assert.Equal("low", (await AgentServer.ReadAsync(patched, HttpStatusCode.OK)).GetProperty("settings").GetProperty("reasoning_effort").GetString());
        Assert.Equal("completed", (await server.SendAndWaitAsync(id, new { prompt = "two", temperature = 0.9, stop = (string[])["STOP"] })).GetProperty("status").GetString());

        var requests = _provider.Requests.Where(r => r.Path == "/v1/chat/completions").Select(r => r.Json).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(0.4, requests[0].GetProperty("temperature").GetDouble(), 3); // the session's setting
        Assert.Equal(11, requests[0].GetProperty("seed").GetInt64());
        Assert.Equal(0.6, requests[0].GetProperty("top_p").GetDouble(), 3); // the configuration
        Assert.Equal(64, requests[0].GetProperty("max_tokens").GetInt32()); // the message's field
        Assert.Equal(0.9, requests[1].GetProperty("temperature").GetDouble(), 3); // the message's field over the session's
        Assert.Equal("STOP", Assert.Single(requests[1].GetProperty("stop").EnumerateArray()).GetString());
        Assert.Equal("low", requests[1].GetProperty("reasoning_effort").GetString()); // patched
        Assert.False(requests[1].TryGetProperty("max_tokens", out _));
    }

    [Fact]
    public async Task BadValues_Are400_NamingTheField_AndChangeNothing()
    {
        var script = _ws.WriteScript("turns:\n  - text: Hi.\n");
        await using var server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script);

        using var create = await server.Http.PostAsJsonAsync("v1/sessions", new { settings = new Dictionary<string, string> { ["top_p"] = "2" } });
        Assert.Contains("settings.top_p: '2' is not valid; give a number from 0 to 1", (await AgentServer.ReadAsync(create, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
        using var patch = await server.Http.PatchAsJsonAsync($"v1/sessions/{id}/settings", new { settings = new Dictionary<string, string> { ["reasoning_effort"] = "extreme" } });
        Assert.Contains("settings.reasoning_effort: 'extreme' is not valid; give one of none, low, medium, high, xhigh", (await AgentServer.ReadAsync(patch, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);
        using var send = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "hi", temperature = 3.5 });
        Assert.Contains("temperature: '3.5' is not valid; give a number from 0 to 2", (await AgentServer.ReadAsync(send, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);
        using var tokens = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "hi", maxOutputTokens = -5 });
        Assert.Contains("maxOutputTokens: '-5' is not valid", (await AgentServer.ReadAsync(tokens, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);

        Assert.False((await server.GetAsync($"v1/sessions/{id}/settings")).GetProperty("settings").TryGetProperty("reasoning_effort", out _));
        Assert.Equal(0, (await server.GetAsync($"v1/sessions/{id}")).GetProperty("messageCount").GetInt64());
        var message = (await server.GetAsync("openapi.json")).GetProperty("components").GetProperty("schemas").GetProperty("SendMessageRequest").GetProperty("properties");
        foreach (var field in new[] { "temperature", "topP", "maxOutputTokens", "stop", "seed", "reasoningEffort" })
        {
            Assert.True(message.TryGetProperty(field, out _), field);
        }
    }
}
