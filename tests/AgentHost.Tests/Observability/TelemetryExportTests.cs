using System.Net;
using System.Text;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;
using AgentHost.Tests.Support.Otlp;

namespace AgentHost.Tests.Observability;

/// <summary>
/// OpenTelemetry export of real <c>agent run</c> and <c>agent serve</c> processes to an OTLP receiver on 127.0.0.1: a
/// trace per turn with GenAI spans, the metrics, configuration by <c>OTEL_*</c> variables or <c>telemetry.*</c> keys,
/// nothing of the conversation in what is exported, and nothing of the SDK loaded while telemetry is off.
/// </summary>
public sealed class TelemetryExportTests : IAsyncLifetime
{
    private const string PromptMarker = "PROMPT-MARKER-3391";
    private const string Secret = "ghp_Zq8d7Ht2LmX4cVb9Nw3Kp6Rs1Ty5Ua0Ei7Og";
    private const string FileMarker = "FILE-CONTENT-MARKER-7781";
    private const string AnswerMarker = "ANSWER-MARKER-5521";
    private const string ArgumentMarker = "argument-marker-4410.txt";

    private readonly RunWorkspace _ws = new();
    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        File.WriteAllText(Path.Combine(_ws.Root, ArgumentMarker), $"private notes: {FileMarker}\n");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _ws.Dispose();
    }

    [Fact]
    public async Task AgentRun_ExportsOneTracePerTurn_WithGenAiSpans_AndMetrics_OverOtlpHttp()
    {
        var env = Env(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.HttpEndpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "agent-under-test",
        });

        var result = await AgentProcess.RunAsync(_ws.Root, env, ["run", $"Summarise {PromptMarker} with key {Secret}", .. ScriptedRun()]);

        Assert.True(result.ExitCode == 0, result.Error);
        await _receiver.WaitForAsync(r => r.Spans.Any(s => s.Name == "invoke_agent") && r.Points.Any(p => p.Metric == "agenthost.runs"), "the turn's trace and metrics");
        Assert.All(_receiver.Bodies, b => Assert.Equal("http", b.Transport));
        Assert.Contains(_receiver.Resources, r => Equals(r.GetValueOrDefault("service.name"), "agent-under-test"));

        var spans = _receiver.Spans.Where(s => s.Scope == "AgentHost").ToList();
        var turn = Assert.Single(spans, s => s.Name == "invoke_agent");
        Assert.Equal(string.Empty, turn.ParentSpanId); // the root of its own trace
        Assert.All(spans, s => Assert.Equal(turn.TraceId, s.TraceId));
        Assert.Equal("invoke_agent", turn["gen_ai.operation.name"]);
        Assert.Equal("completed", turn["agenthost.run.outcome"]);
        Assert.Equal(320L, turn["gen_ai.usage.input_tokens"]);
        var session = Assert.IsType<string>(turn["gen_ai.conversation.id"]);

        var chats = spans.Where(s => s["gen_ai.operation.name"] as string == "chat").ToList();
        Assert.Equal(2, chats.Count);
        Assert.All(chats, chat =>
        {
            Assert.StartsWith("chat ", chat.Name, StringComparison.Ordinal);
            Assert.Equal(3, chat.Kind); // SPAN_KIND_CLIENT
            Assert.Equal("scripted", chat["gen_ai.provider.name"]);
            Assert.NotNull(chat["gen_ai.request.model"]);
            Assert.Equal(session, chat["gen_ai.conversation.id"]);
        });
        Assert.Equal([120L, 200L], chats.Select(c => c["gen_ai.usage.input_tokens"]).Order());
        Assert.Contains(chats, c => c["gen_ai.response.finish_reasons"] is object[] reasons && reasons.Contains("tool_calls"));

        var tool = Assert.Single(spans, s => s.Name == "execute_tool view");
        Assert.Equal("execute_tool", tool["gen_ai.operation.name"]);
        Assert.Equal("view", tool["gen_ai.tool.name"]);
        Assert.Equal("function", tool["gen_ai.tool.type"]);
        Assert.Equal("succeeded", tool["agenthost.tool.status"]);
        Assert.NotNull(tool["gen_ai.tool.call.id"]);
        var permission = Assert.Single(spans, s => s.Name == "permission view");
        Assert.Equal(tool.SpanId, permission.ParentSpanId);
        Assert.Equal("allow", permission["agenthost.permission.decision"]);

        var points = _receiver.Points;
        Assert.Contains(points, p => p.Metric == "agenthost.runs" && Equals(p.Attributes.GetValueOrDefault("agenthost.run.outcome"), "completed") && p.Value == 1);
        Assert.Equal(320, points.Where(p => p.Metric == "agenthost.model.tokens" && Equals(p.Attributes.GetValueOrDefault("agenthost.token.type"), "input")).Sum(p => p.Value));
        Assert.Equal(2UL, points.Where(p => p.Metric == "gen_ai.client.token.usage" && Equals(p.Attributes.GetValueOrDefault("gen_ai.token.type"), "output")).Aggregate(0UL, (sum, p) => sum + p.Count));
        Assert.Equal(2UL, points.Where(p => p.Metric == "gen_ai.client.operation.duration").Aggregate(0UL, (sum, p) => sum + p.Count));
        Assert.Contains(points, p => p.Metric == "agenthost.tool.duration" && Equals(p.Attributes.GetValueOrDefault("gen_ai.tool.name"), "view") && p.Count == 1 && p.Unit == "s");
        Assert.Contains(points, p => p.Metric == "agenthost.run.duration" && p.Count == 1);
        Assert.Contains(points, p => p.Metric == "agenthost.sessions.active");
        AssertNothingOfTheConversation();
    }

    /// <summary>
    /// A provider of the user's configuration (an OpenAI-compatible server on 127.0.0.1) with a model the catalog does
    /// not know: the turn's and the model requests' spans and the metrics still name the model (they used to carry it
    /// only when the catalog described the model, as for the presets).
    /// </summary>
    [Fact]
    public async Task AgentRun_WithAConfiguredProvidersUncataloguedModel_SpansAndMetricsNameTheModel()
    {
        await using var server = new FakeOpenAIServer();
        server.ReplySse(Chunks.Answer("hello"));
        _ws.WriteUserConfig($"providers:\n  local:\n    type: openai\n    base_url: {server.BaseUrl}\n");
        var env = Env(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.HttpEndpoint.ToString(), ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" });

        var result = await AgentProcess.RunAsync(_ws.Root, env, "run", "hi", "--plugin", "openai", "--no-default-plugins", "--model", "local/house-model-7b");

        Assert.True(result.ExitCode == 0, result.Error);
        await _receiver.WaitForAsync(r => r.Spans.Any(s => s.Name == "invoke_agent") && r.Points.Any(p => p.Metric == "gen_ai.client.operation.duration"), "the turn's trace and metrics");
        var spans = _receiver.Spans.Where(s => s.Scope == "AgentHost").ToList();
        var turn = Assert.Single(spans, s => s.Name == "invoke_agent");
        Assert.Equal(("local", "house-model-7b"), (turn["gen_ai.provider.name"], turn["gen_ai.request.model"]));
        var chat = Assert.Single(spans, s => s["gen_ai.operation.name"] as string == "chat");
        Assert.Equal("chat house-model-7b", chat.Name);
        Assert.Equal(("local", "house-model-7b"), (chat["gen_ai.provider.name"], chat["gen_ai.request.model"]));
        Assert.Contains(_receiver.Points, p => p.Metric == "gen_ai.client.operation.duration" && Equals(p.Attributes.GetValueOrDefault("gen_ai.request.model"), "house-model-7b"));
    }

    [Fact]
    public async Task AgentRun_ExportsOverGrpc_WhenTheTelemetryKeysSaySo()
    {
        var result = await AgentProcess.RunAsync(_ws.Root, Env(), [
            "run", $"Summarise {PromptMarker}", .. ScriptedRun(),
            "-c", "telemetry.enabled=true", "-c", $"telemetry.otlp.endpoint={_receiver.GrpcEndpoint}", "-c", "telemetry.otlp.protocol=grpc",
            "-c", "telemetry.service_name=agent-grpc", "-c", "telemetry.metrics=false"]);

        Assert.True(result.ExitCode == 0, result.Error);
        await _receiver.WaitForAsync(r => r.Spans.Any(s => s.Name == "invoke_agent"), "the turn's trace over gRPC");
        Assert.All(_receiver.Bodies, b => Assert.Equal("grpc", b.Transport));
        Assert.DoesNotContain(_receiver.Bodies, b => b.Signal == "metrics"); // telemetry.metrics=false
        Assert.Contains(_receiver.Resources, r => Equals(r.GetValueOrDefault("service.name"), "agent-grpc"));
        Assert.Contains(_receiver.Spans, s => s.Name == "execute_tool view");
        AssertNothingOfTheConversation();
    }

    [Fact]
    public async Task AgentServe_ExportsTheTurnsTrace_AndServesPrometheusMetrics_BehindTheToken()
    {
        var env = Env(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.HttpEndpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "50",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
        });
        await using var server = await AgentServer.StartAsync(_ws.Root, env, ["--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript(Script)]);
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;

        var run = await server.SendAndWaitAsync(id, new { prompt = $"Summarise {PromptMarker} with key {Secret}" });

        Assert.Contains(AnswerMarker, run.GetProperty("finalText").GetString(), StringComparison.Ordinal);
        await _receiver.WaitForAsync(
            r => r.Spans.Any(s => s.Name == "invoke_agent") && r.Spans.Any(s => s.Name == "execute_tool view") && r.Points.Any(p => p.Metric == "agenthost.runs"),
            "the served turn's trace and metrics");
        var turn = Assert.Single(_receiver.Spans, s => s.Name == "invoke_agent");
        Assert.Equal(id, turn["gen_ai.conversation.id"]);
        Assert.Equal(string.Empty, turn.ParentSpanId);
        Assert.Contains(_receiver.Resources, r => Equals(r.GetValueOrDefault("service.name"), "agent"));

        using var anonymous = server.Client(null);
        using var refused = await anonymous.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var scraped = await server.Http.GetAsync("metrics");
        var text = await scraped.Content.ReadAsStringAsync();
        Assert.True(scraped.StatusCode == HttpStatusCode.OK, text);
        Assert.Contains("agenthost_runs_total", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_client_token_usage", text, StringComparison.Ordinal);
        Assert.Contains("agenthost_sessions_active", text, StringComparison.Ordinal);
        Assert.DoesNotContain(PromptMarker, text, StringComparison.Ordinal);
        AssertNothingOfTheConversation();
    }

    [Fact]
    public async Task TelemetryOff_AgentRunLoadsNoOpenTelemetryAssembly_AndOnItDoes()
    {
        var off = _ws.Combine("loaded-off.txt");
        var on = _ws.Combine("loaded-on.txt");

        var plain = await AgentProcess.RunAsync(_ws.Root, Env(Hook(off)), ["run", "Summarise", .. ScriptedRun()]);
        var exporting = await AgentProcess.RunAsync(_ws.Root, Env(new(Hook(on)) { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.HttpEndpoint.ToString(), ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" }), ["run", "Summarise", .. ScriptedRun()]);

        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.True(exporting.ExitCode == 0, exporting.Error);
        var loadedOff = File.ReadAllLines(off);
        var loadedOn = File.ReadAllLines(on);
        Assert.Contains("AgentHost.Agent", loadedOff); // the hook saw the run
        Assert.DoesNotContain(loadedOff, name => name.StartsWith("OpenTelemetry", StringComparison.Ordinal) || name == "AgentHost.Telemetry");
        Assert.Contains("OpenTelemetry", loadedOn);
        Assert.Contains("AgentHost.Telemetry", loadedOn);
    }

    [Fact]
    public async Task UnsupportedExporterOrProtocol_IsAClearConfigurationError()
    {
        var zipkin = await AgentProcess.RunAsync(_ws.Root, Env(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.HttpEndpoint.ToString(), ["OTEL_TRACES_EXPORTER"] = "zipkin" }), ["run", "Summarise", .. ScriptedRun()]);
        var json = await AgentProcess.RunAsync(_ws.Root, Env(), ["run", "Summarise", .. ScriptedRun(), "-c", "telemetry.enabled=true", "-c", "telemetry.otlp.protocol=http/json"]);
        var notBoolean = await AgentProcess.RunAsync(_ws.Root, Env(), ["run", "Summarise", .. ScriptedRun(), "-c", "telemetry.enabled=yes"]);

        Assert.Equal(ExitCodes.Configuration, zipkin.ExitCode);
        Assert.Contains("OTEL_TRACES_EXPORTER=zipkin", zipkin.Error, StringComparison.Ordinal);
        Assert.Contains("otlp or none", zipkin.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Configuration, json.ExitCode);
        Assert.Contains("telemetry.otlp.protocol", json.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Configuration, notBoolean.ExitCode);
        Assert.Contains("telemetry.enabled", notBoolean.Error, StringComparison.Ordinal);
        Assert.Empty(_receiver.Bodies);
    }

    [Fact]
    public async Task UntrustedProject_CannotTurnTelemetryOn_OrChooseWhereItGoes()
    {
        _ws.WriteProjectConfig($"telemetry:\n  enabled: true\n  otlp:\n    endpoint: {_receiver.HttpEndpoint}\n    protocol: http/protobuf\n");

        var result = await AgentProcess.RunAsync(_ws.Root, Env(), ["run", "Summarise", .. ScriptedRun()]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("telemetry", result.Error, StringComparison.Ordinal); // named in the project-trust warning
        Assert.Empty(_receiver.Bodies); // the export flushes before the process exits: nothing was sent
    }

    private const string Script = $$"""
        turns:
          - text: Reading the notes.
            tool_calls: [{ name: view, arguments: { path: {{ArgumentMarker}} } }]
            usage: { input: 120, output: 15 }
          - expect: { tool_results_contain: [{{FileMarker}}] }
            text: {{AnswerMarker}} the notes are private.
            usage: { input: 200, output: 20 }
        """;

    private string[] ScriptedRun() => ["-p", "scripted", "-p", "files", "-m", "scripted/" + _ws.WriteScript(Script)];

    private Dictionary<string, string> Env(Dictionary<string, string>? more = null)
    {
        var env = _ws.Environment;
        foreach (var (key, value) in more ?? [])
        {
            env[key] = value;
        }

        return env;
    }

    private static Dictionary<string, string> Hook(string output) => new()
    {
        ["DOTNET_STARTUP_HOOKS"] = StartupHook.Path,
        ["AGENT_TEST_LOADED_ASSEMBLIES"] = output,
    };

    /// <summary>No prompt, secret, tool argument, tool result or answer anywhere in any exported body (raw bytes, every attribute included).</summary>
    private void AssertNothingOfTheConversation()
    {
        Assert.NotEmpty(_receiver.Bodies);
        foreach (var (signal, _, body) in _receiver.Bodies)
        {
            var text = Encoding.UTF8.GetString(body);
            foreach (var marker in (string[])[PromptMarker, Secret, FileMarker, AnswerMarker, ArgumentMarker, "Summarise"])
            {
                Assert.False(text.Contains(marker, StringComparison.Ordinal), $"'{marker}' was exported in a {signal} body");
            }
        }
    }
}
