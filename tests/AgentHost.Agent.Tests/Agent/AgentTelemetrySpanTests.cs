using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentHost.Agent.Hooks;
using AgentHost.Agent.Telemetry;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Agent;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

/// <summary>
/// The agent's spans follow the OpenTelemetry GenAI conventions and carry no payloads: the turn is a root, the model
/// request a client span with usage, a denied call has its permission span, a hook its own span.
/// </summary>
public sealed class AgentTelemetrySpanTests
{
    private const string Prompt = "Read the file PROMPT-TEXT-8812";

    [Fact]
    public async Task Turn_IsTheRootOfItsOwnTrace_LinkedToTheCaller_WithChatSpansThatFollowTheGenAiConventions()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("read_file", (string path) => "RESULT-TEXT-4410"));
        harness.Client.Step(Call("c1", "read_file", """{"path":"ARGUMENT-TEXT-2207"}"""), Usage(30, 7)).Answer("ANSWER-TEXT-9931");
        using var recorded = Record(harness.Telemetry.ActivitySource);
        using var caller = new ActivitySource("test-caller");
        using var callerListener = Listen(caller);

        using (var outer = caller.StartActivity("http request"))
        {
            await harness.RunAsync(Prompt);
            Assert.Same(outer, Activity.Current); // the turn's root did not leak into the caller
        }

        var spans = recorded.Spans;
        var turn = Assert.Single(spans, s => s.OperationName == "agent.run");
        Assert.Equal("invoke_agent", turn.DisplayName);
        Assert.Null(turn.Parent);
        Assert.Equal(default, turn.ParentSpanId);
        Assert.Single(turn.Links);
        Assert.Equal("invoke_agent", turn.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(AgentHarness.SessionId, turn.GetTagItem("gen_ai.conversation.id"));
        Assert.Equal("completed", turn.GetTagItem("agenthost.run.outcome"));
        Assert.All(spans, s => Assert.Equal(turn.TraceId, s.TraceId));

        var chats = spans.Where(s => s.OperationName == "agent.model").ToList();
        Assert.Equal(2, chats.Count);
        Assert.All(chats, chat =>
        {
            Assert.Equal(ActivityKind.Client, chat.Kind);
            Assert.Equal("chat", chat.GetTagItem("gen_ai.operation.name"));
            Assert.Equal("scripted", chat.GetTagItem("gen_ai.provider.name"));
            Assert.Equal("agent.step", chat.Parent?.OperationName);
        });
        Assert.Contains(chats, c => Equals(c.GetTagItem("gen_ai.usage.input_tokens"), 30L) && Equals(c.GetTagItem("gen_ai.usage.output_tokens"), 7L));

        var tool = Assert.Single(spans, s => s.OperationName == "agent.tool");
        Assert.Equal("execute_tool read_file", tool.DisplayName);
        Assert.Equal("c1", tool.GetTagItem("gen_ai.tool.call.id"));
        var permission = Assert.Single(spans, s => s.OperationName == "agent.permission");
        Assert.Same(tool, permission.Parent);
        Assert.Equal("allow", permission.GetTagItem("agenthost.permission.decision"));
        AssertNoPayload(spans, "PROMPT-TEXT-8812", "RESULT-TEXT-4410", "ARGUMENT-TEXT-2207", "ANSWER-TEXT-9931");
    }

    [Fact]
    public async Task DeniedCall_HasAPermissionSpanWithTheDecision_AndAToolSpanWithTheStatus()
    {
        await using var harness = new AgentHarness(new DenyGate());
        harness.Add(AgentHarness.Tool("delete_file", (string path) => "deleted", ToolEffect.Write));
        harness.Client.Step(Call("c1", "delete_file", """{"path":"SUBJECT-TEXT-3302"}""")).Answer("stopped");
        using var recorded = Record(harness.Telemetry.ActivitySource);

        await harness.RunAsync();

        var permission = Assert.Single(recorded.Spans, s => s.OperationName == "agent.permission");
        Assert.Equal("permission delete_file", permission.DisplayName);
        Assert.Equal("deny", permission.GetTagItem("agenthost.permission.decision"));
        Assert.Equal("config", permission.GetTagItem("agenthost.permission.answered_by"));
        Assert.Equal("denied", Assert.Single(recorded.Spans, s => s.OperationName == "agent.tool").GetTagItem("agenthost.tool.status"));
        AssertNoPayload(recorded.Spans, "SUBJECT-TEXT-3302", "RULE-TEXT-5120");
    }

    [HookScriptFact]
    public async Task Hook_HasItsOwnSpan_WithTheEventAndOutcome_ButNotItsCommand()
    {
        using var temp = new TempDirectory();
        var problems = new List<string>();
        var hooks = HookConfiguration.Of(HookConfiguration.ReadJson(
            """{"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "echo COMMAND-TEXT-6604 > /dev/null; exit 0"}]}]}}""",
            "test.json", HookOrigin.User, problems));
        Assert.Empty(problems);
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        using var telemetry = new AgentTelemetry();
        using var recorded = Record(telemetry.ActivitySource);
        var dispatcher = new HookDispatcher(hooks, temp.Path, bus, new SecretScrubber()) { SessionId = "s1", Telemetry = telemetry };

        await dispatcher.RunAsync("PreToolUse", new JsonObject { ["tool_name"] = "Bash" }, ["shell", "Bash"], "shell");

        var hook = Assert.Single(recorded.Spans);
        Assert.Equal("hook PreToolUse", hook.DisplayName);
        Assert.Equal("PreToolUse", hook.GetTagItem("agenthost.hook.event"));
        Assert.Equal("shell", hook.GetTagItem("gen_ai.tool.name"));
        Assert.Equal("success", hook.GetTagItem("agenthost.hook.outcome"));
        Assert.Equal(0, hook.GetTagItem("agenthost.hook.exit_code"));
        AssertNoPayload(recorded.Spans, "COMMAND-TEXT-6604");
    }

    private static void AssertNoPayload(IEnumerable<Activity> spans, params string[] texts)
    {
        foreach (var span in spans)
        {
            var everything = string.Join('\n', span.TagObjects.Select(t => $"{t.Key}={Flatten(t.Value)}").Append(span.DisplayName));
            foreach (var text in texts)
            {
                Assert.False(everything.Contains(text, StringComparison.Ordinal), $"'{text}' is in span {span.DisplayName}: {everything}");
            }
        }
    }

    private static string Flatten(object? value) => value is System.Collections.IEnumerable list and not string ? string.Join(',', list.Cast<object?>()) : $"{value}";

    private static ActivityListener Listen(ActivitySource source)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static Recorder Record(ActivitySource source) => new(source);

    private sealed class Recorder : IDisposable
    {
        private readonly List<Activity> _stopped = [];
        private readonly ActivityListener _listener;

        public Recorder(ActivitySource source)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => ReferenceEquals(s, source),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    lock (_stopped)
                    {
                        _stopped.Add(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> Spans
        {
            get
            {
                lock (_stopped)
                {
                    return [.. _stopped];
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    private sealed class DenyGate : IToolPermissionGate
    {
        public ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default) =>
            new(PermissionVerdict.Deny("denied by deny rule delete_file(RULE-TEXT-5120)") with { AnsweredBy = "config", Rule = "delete_file(RULE-TEXT-5120)" });
    }
}
