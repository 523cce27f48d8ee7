using System.Net;
using System.Net.Http.Json;
using System.Text;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;
using AgentHost.Tests.Support.Otlp;

namespace AgentHost.Tests.Observability;

/// <summary>
/// <c>agent serve</c>'s telemetry over real HTTP with an OTLP receiver on 127.0.0.1: a server span per request, named by
/// its route, without query string or token; a turn started by a POST is its own trace (hooks included) linked to that
/// request; <c>/metrics</c> for admins only; and without telemetry, nothing of OpenTelemetry loaded.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServeTelemetryTests : IAsyncLifetime
{
    private const string QueryMarker = "QUERY-MARKER-8834";
    private const string PromptMarker = "PROMPT-MARKER-2275";

    private readonly RunWorkspace _ws = new();
    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await OtlpReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _ws.Dispose();
    }

    [HookScriptFact]
    public async Task EachRequest_IsAServerSpanNamedByItsRoute_AndTheTurnItStarted_IsItsOwnTraceLinkedToIt_WithItsHooks()
    {
        _ws.WriteUserConfig(TurnTraceHookTests.HooksYaml(("SessionStart", string.Empty), ("UserPromptSubmit", string.Empty), ("Stop", string.Empty)));
        await using var server = await StartAsync(Telemetry());
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;

        // 202 at once: the turn runs after the answer, in the background.
        using (var accepted = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages?note={QueryMarker}", new { prompt = $"Summarise {PromptMarker}" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await _receiver.WaitForAsync(r => r.Spans.Any(s => s.Name == "invoke_agent") && r.Spans.Any(s => s.Name == "POST /v1/sessions/{id}/messages"), "the turn's trace and the request's span");
        using (var scraped = await server.Http.GetAsync("metrics"))
        {
            Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        }

        await server.GetAsync($"v1/sessions/{id}"); // a request after the scrape: once its span is here, the scrape's would be too
        await _receiver.WaitForAsync(r => r.Spans.Any(s => s.Name == "GET /v1/sessions/{id}"), "the span of the request after the scrape");

        var spans = _receiver.Spans;
        var post = Assert.Single(spans, s => s.Name == "POST /v1/sessions/{id}/messages");
        Assert.Equal(2, post.Kind); // SPAN_KIND_SERVER
        Assert.Equal("/v1/sessions/{id}/messages", post["http.route"]);
        Assert.Equal(202L, post["http.response.status_code"]);
        Assert.Equal("POST", post["http.request.method"]);
        Assert.Contains(spans, s => s.Name == "POST /v1/sessions/" && Equals(s["http.response.status_code"], 201L));
        Assert.All(spans, s => Assert.False(s.Attributes.ContainsKey("url.query"), $"{s.Name} has url.query"));
        Assert.All(spans, s => Assert.DoesNotContain(s.Attributes.Keys, key => key.StartsWith("http.request.header", StringComparison.Ordinal)));
        Assert.DoesNotContain(spans, s => s.Name.Contains("/metrics", StringComparison.Ordinal) || Equals(s["url.path"], "/metrics")); // scrapes are not traced

        // The turn: the root of its own trace, linked to the request that started it; its hooks in that trace.
        var turn = Assert.Single(spans, s => s.Name == "invoke_agent");
        Assert.Equal(string.Empty, turn.ParentSpanId);
        Assert.NotEqual(post.TraceId, turn.TraceId);
        Assert.Equal([(post.TraceId, post.SpanId)], turn.Links);
        Assert.Equal(id, turn["gen_ai.conversation.id"]);
        var turnSpans = spans.Where(s => s.Scope == "AgentHost").ToList();
        Assert.Equal([turn.TraceId], turnSpans.Select(s => s.TraceId).Distinct());
        var hooks = turnSpans.Where(s => s.Name.StartsWith("hook ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["SessionStart", "Stop", "UserPromptSubmit"], hooks.Select(h => (string)h["agenthost.hook.event"]!).Order(StringComparer.Ordinal));
        Assert.All(hooks, hook => Assert.Equal(turn.SpanId, TurnTraceHookTests.RootOf(turnSpans, hook).SpanId));

        // Nothing of the request but its route and path: no query, no token, no prompt, no hook command.
        foreach (var (signal, _, body) in _receiver.Bodies)
        {
            var text = Encoding.UTF8.GetString(body);
            foreach (var marker in (string[])[QueryMarker, server.Token, "Bearer", PromptMarker])
            {
                Assert.False(text.Contains(marker, StringComparison.Ordinal), $"'{marker}' was exported in a {signal} body");
            }
        }

        TurnTraceHookTests.AssertNoCommand(_receiver);
    }

    [Fact]
    public async Task Metrics_AreForAdminsOnly_AMemberAndAViewerGet403SayingWhy_AnAdminAndTheServersTokenGetThem()
    {
        var admin = await AgentServer.AddUserAsync(_ws, "ada", "admin");
        var member = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var viewer = await AgentServer.AddUserAsync(_ws, "vera", "viewer");
        await using var server = await StartAsync(Telemetry());
        await server.CreateSessionAsync();
        using var ada = server.Client(admin);
        using var alice = server.Client(member);
        using var vera = server.Client(viewer);
        using var anonymous = server.Client(null);

        var asMember = await ScrapeAsync(alice);
        var asViewer = await ScrapeAsync(vera);
        var asAdmin = await ScrapeAsync(ada);
        var asServerToken = await ScrapeAsync(server.Http);
        var asNobody = await ScrapeAsync(anonymous);

        Assert.Equal(HttpStatusCode.Forbidden, asMember.Status);
        Assert.Contains("user 'alice' is a member; only admins may read the server's metrics (GET /metrics)", asMember.Body, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"denied\"", asMember.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, asViewer.Status);
        Assert.Contains("user 'vera' is a viewer; only admins may read the server's metrics", asViewer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("agenthost_", asMember.Body + asViewer.Body, StringComparison.Ordinal);
        Assert.True(asAdmin.Status == HttpStatusCode.OK, asAdmin.Body);
        Assert.Contains("agenthost_sessions_active", asAdmin.Body, StringComparison.Ordinal);
        Assert.True(asServerToken.Status == HttpStatusCode.OK, asServerToken.Body);
        Assert.Contains("agenthost_sessions_active", asServerToken.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, asNobody.Status);
    }

    [Fact]
    public async Task TelemetryOff_AgentServeLoadsNoOpenTelemetryAssembly_AndHasNoMetricsEndpoint()
    {
        var loaded = _ws.Combine("loaded-serve.txt");
        var env = _ws.Environment;
        env["DOTNET_STARTUP_HOOKS"] = StartupHook.Path;
        env["AGENT_TEST_LOADED_ASSEMBLIES"] = loaded;
        await using var server = await StartAsync(env);
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;

        var run = await server.SendAndWaitAsync(id, new { prompt = "Summarise" });
        using var metrics = await server.Http.GetAsync("metrics");
        var (exitCode, error) = await server.Process.TerminateAsync();

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        Assert.True(exitCode == 0, error);
        var names = File.ReadAllLines(loaded);
        Assert.Contains("AgentHost.Server", names); // the hook saw the server
        Assert.DoesNotContain(names, name => name.StartsWith("OpenTelemetry", StringComparison.Ordinal) || name == "AgentHost.Telemetry");
    }

    private Dictionary<string, string> Telemetry()
    {
        var env = _ws.Environment;
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.HttpEndpoint.ToString();
        env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        env["OTEL_BSP_SCHEDULE_DELAY"] = "50";
        return env;
    }

    private Task<AgentServer> StartAsync(Dictionary<string, string> env) =>
        AgentServer.StartAsync(_ws.Root, env, ["--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: done\n")]);

    private static async Task<(HttpStatusCode Status, string Body)> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("metrics");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
