using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;

namespace AgentHost.Serve.Tests;

/// <summary>agent serve's server endpoints over real HTTP: health, readiness, the OpenAPI document, models, plugins, tools, skills; the token, DNS rebinding, size limits, unknown paths; a Unix socket.</summary>
[Trait("Speed", "Slow")]
public sealed class ServerCatalogApiTests : IAsyncLifetime
{
    private readonly RunWorkspace _ws = new();
    private AgentServer _server = null!;

    public async Task InitializeAsync()
    {
        var skill = Path.Combine(_ws.Root, ".agents", "skills", "release-notes");
        Directory.CreateDirectory(skill);
        await File.WriteAllTextAsync(Path.Combine(skill, "SKILL.md"), "---\nname: release-notes\ndescription: Writes release notes from the git log.\n---\nRead the log.\n");
        _ws.WriteUserConfig("server:\n  max_request_bytes: 2048\n");
        _server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: hi\n"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _ws.Dispose();
    }

    [Fact]
    public async Task HealthAndReady_AnswerOnceThePluginsAreLoaded()
    {
        var health = await _server.GetAsync("v1/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(1, health.GetProperty("engines").GetInt32());
        Assert.Equal("ok", (await _server.GetAsync("v1/ready")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryEndpoint_WithTheBearerScheme()
    {
        var document = await _server.GetAsync("openapi.json");

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[]
        {
            "/v1/sessions", "/v1/sessions/{id}", "/v1/sessions/{id}/fork", "/v1/sessions/{id}/messages", "/v1/runs/{runId}", "/v1/runs/{runId}/cancel",
            "/v1/sessions/{id}/permissions", "/v1/sessions/{id}/permissions/{requestId}", "/v1/sessions/{id}/questions", "/v1/sessions/{id}/questions/{questionId}", "/v1/workflows/runs", "/v1/workflows/runs/{id}", "/v1/workflows/runs/{id}/answer", "/v1/models", "/v1/plugins", "/v1/tools", "/v1/skills", "/v1/health", "/v1/ready",
        })
        {
            Assert.Contains(path, paths);
        }

        var create = document.GetProperty("paths").GetProperty("/v1/sessions").GetProperty("post");
        Assert.Equal("createSession", create.GetProperty("operationId").GetString());
        Assert.True(create.GetProperty("responses").TryGetProperty("201", out _));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task ToolsPluginsSkillsAndModels_AreThoseOfTheServersRoot()
    {
        var tools = (await _server.GetAsync("v1/tools")).EnumerateArray().ToList();
        Assert.Contains(tools, t => t.GetProperty("name").GetString() == "write" && t.GetProperty("plugin").GetString() == "files" && t.GetProperty("parameters").GetProperty("type").GetString() == "object");

        var engine = Assert.Single((await _server.GetAsync("v1/plugins")).EnumerateArray());
        Assert.Equal(Path.GetFullPath(_ws.Root), engine.GetProperty("root").GetString());
        var loaded = engine.GetProperty("loaded").EnumerateArray().ToList();
        Assert.Contains(loaded, p => p.GetProperty("id").GetString() == "files" && p.GetProperty("loaded").GetBoolean());
        Assert.Contains(loaded, p => p.GetProperty("id").GetString() == "scripted");

        var skill = Assert.Single((await _server.GetAsync("v1/skills")).EnumerateArray(), s => s.GetProperty("source").GetString() == "project");
        Assert.Equal("release-notes", skill.GetProperty("name").GetString());

        var models = await _server.GetAsync("v1/models");
        Assert.Equal(JsonValueKind.Array, models.GetProperty("models").ValueKind);
        Assert.Equal(JsonValueKind.Object, models.GetProperty("unusable").ValueKind);
    }

    [Fact]
    public async Task EveryRequest_NeedsTheToken_AndALoopbackName()
    {
        using var none = _server.Client(null);
        using var wrong = _server.Client("not-the-token");
        foreach (var client in new[] { none, wrong })
        {
            using var response = await client.GetAsync("v1/health");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }

        using var openApi = await none.GetAsync("openapi.json");
        Assert.Equal(HttpStatusCode.Unauthorized, openApi.StatusCode);

        // DNS rebinding: a page whose name resolves to 127.0.0.1 sends its own Host; the server refuses it.
        using var rebinding = new HttpRequestMessage(HttpMethod.Get, "v1/health");
        rebinding.Headers.Host = "attacker.example";
        using var refused = await _server.Http.SendAsync(rebinding);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        // CORS is off: no Access-Control-Allow-Origin for a loopback origin either.
        using var cors = new HttpRequestMessage(HttpMethod.Get, "v1/health");
        cors.Headers.Add("Origin", "http://localhost:3000");
        using var answered = await _server.Http.SendAsync(cors);
        Assert.False(answered.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task BadRequests_GetAClearJsonError()
    {
        // Expect: 100-continue, as a client sending a large body should: the server answers before the body is sent.
        using var large = new HttpRequestMessage(HttpMethod.Post, "v1/sessions") { Content = new StringContent("{\"root\":\"" + new string('a', 4096) + "\"}", Encoding.UTF8, "application/json") };
        large.Headers.ExpectContinue = true;
        using var tooLarge = await _server.Http.SendAsync(large);
        var error = await AgentServer.ReadAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("server.max_request_bytes", error.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var malformed = await _server.Http.PostAsync("v1/sessions", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.True(JsonDocument.Parse(await malformed.Content.ReadAsStringAsync()).RootElement.TryGetProperty("error", out _));

        using var unknown = await _server.Http.GetAsync("v2/anything");
        Assert.Contains("/openapi.json", (await AgentServer.ReadAsync(unknown, HttpStatusCode.NotFound)).GetProperty("error").GetString(), StringComparison.Ordinal);

        using var noSession = await _server.Http.PostAsJsonAsync("v1/sessions/01NOSUCHSESSION0000000000/messages", new { prompt = "hi" });
        Assert.Equal("not_found", (await AgentServer.ReadAsync(noSession, HttpStatusCode.NotFound)).GetProperty("kind").GetString());
    }
}
