using System.Text;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;
using AgentHost.Tests.Support.Otlp;

namespace AgentHost.Tests.Observability;

/// <summary>
/// A turn's hooks are spans of the turn's one trace, those that run before the model is asked (UserPromptSubmit, and
/// SessionStart on a session's first turn) included: a real <c>agent run</c> exporting to an OTLP receiver on 127.0.0.1.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class TurnTraceHookTests : IAsyncLifetime
{
    /// <summary>In every hook's command: a command is never exported (it may hold a secret).</summary>
    internal const string CommandMarker = "HOOK-COMMAND-MARKER-6120";

    private readonly RunWorkspace _ws = new();
    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        File.WriteAllText(Path.Combine(_ws.Root, "notes.txt"), "notes\n");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _ws.Dispose();
    }

    [HookScriptFact]
    public async Task AgentRun_HooksBeforeAndDuringTheTurn_AreSpansOfTheTurnsOneTrace()
    {
        _ws.WriteUserConfig(HooksYaml(("SessionStart", "startup"), ("UserPromptSubmit", string.Empty), ("PreToolUse", "*"), ("PostToolUse", "*"), ("Stop", string.Empty)));
        var env = _ws.Environment;
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.HttpEndpoint.ToString();
        env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: notes.txt } }]
              - text: done
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, env, ["run", "Summarise the notes", "-p", "scripted", "-p", "files", "-m", "scripted/" + script]);

        Assert.True(result.ExitCode == 0, result.Error);
        await _receiver.WaitForAsync(r => r.Spans.Any(s => s.Name == "invoke_agent"), "the turn's trace");
        var spans = _receiver.Spans.Where(s => s.Scope == "AgentHost").ToList();
        var turn = Assert.Single(spans, s => s.Name == "invoke_agent");
        Assert.Equal(string.Empty, turn.ParentSpanId);
        Assert.Equal([turn.TraceId], spans.Select(s => s.TraceId).Distinct()); // one trace: the turn and all its hooks
        var hooks = spans.Where(s => s.Name.StartsWith("hook ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["PostToolUse", "PreToolUse", "SessionStart", "Stop", "UserPromptSubmit"], hooks.Select(h => (string)h["agenthost.hook.event"]!).Order(StringComparer.Ordinal));
        Assert.Equal(turn.SpanId, Assert.Single(hooks, h => h.Name == "hook UserPromptSubmit").ParentSpanId);
        Assert.Equal(turn.SpanId, Assert.Single(hooks, h => h.Name == "hook SessionStart").ParentSpanId);
        Assert.All(hooks, hook => Assert.Equal(turn.SpanId, RootOf(spans, hook).SpanId));
        Assert.Equal(Assert.IsType<string>(turn["gen_ai.conversation.id"]), turn["agenthost.session.id"]); // tagged once the new session had its id
        Assert.Equal("completed", turn["agenthost.run.outcome"]);
        AssertNoCommand(_receiver);
    }

    /// <summary>User hooks (<c>$AGENT_HOME/config.yaml</c>) for these events, each running a command that does nothing.</summary>
    internal static string HooksYaml(params (string Event, string Matcher)[] events)
    {
        var yaml = new StringBuilder("hooks:\n");
        foreach (var (hookEvent, matcher) in events)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  {hookEvent}:\n    - matcher: \"{matcher}\"\n      hooks:\n        - type: command\n          command: \"echo {CommandMarker} > /dev/null\"\n");
        }

        return yaml.ToString();
    }

    /// <summary>The span at the top of <paramref name="span"/>'s parent chain.</summary>
    internal static OtlpSpan RootOf(IReadOnlyList<OtlpSpan> spans, OtlpSpan span)
    {
        while (span.ParentSpanId.Length > 0)
        {
            span = Assert.Single(spans, s => s.SpanId == span.ParentSpanId);
        }

        return span;
    }

    internal static void AssertNoCommand(OtlpReceiver receiver) =>
        Assert.All(receiver.Bodies, b => Assert.DoesNotContain(CommandMarker, Encoding.UTF8.GetString(b.Body), StringComparison.Ordinal));
}
