using AgentHost.Agent.Engine;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Agent;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

/// <summary>
/// Tools that throw, block or never finish, a permission gate that throws and a compaction that fails, through the
/// real tool pipeline and agent loop, with the real file logger: the model gets a concise message, the log the stack.
/// </summary>
public sealed class ToolFailureTests : IDisposable
{
    private readonly LogCapture _log = new();

    /// <summary>Real programming errors, provoked the way buggy tool code does (each with a real stack).</summary>
    public static TheoryData<string> Bugs => ["null", "cast", "index", "key", "divide", "disposed", "reflection"];

    public static TheoryData<string, Exception, string> ExpectedFailures => new()
    {
        { "argument", new ArgumentException("path must be relative to the project root"), "path must be relative to the project root" },
        { "range", new ArgumentOutOfRangeException("limit", "limit must be at most 2000"), "limit must be at most 2000" },
        { "missing", new FileNotFoundException("Could not find file 'src/a.cs'."), "Could not find file 'src/a.cs'." },
        { "io", new IOException("The process cannot access the file 'a.txt' because it is being used by another process."), "being used by another process" },
        { "access", new UnauthorizedAccessException("Access to the path '/etc/shadow' is denied."), "Access to the path '/etc/shadow' is denied." },
        { "invalid", new InvalidOperationException("ACME_TOKEN is not set; export it first"), "ACME_TOKEN is not set; export it first" },
        { "timeout", new TimeoutException("the server did not answer within 30 s"), "the server did not answer within 30 s" },
        { "http", new HttpRequestException("Connection refused (127.0.0.1:9)"), "Connection refused (127.0.0.1:9)" },
        { "plugin-own", new ToolFailureForTests("the language server for .rs files is not installed"), "the language server for .rs files is not installed" },
    };

    private string LogText => _log.Text;

    [Theory]
    [MemberData(nameof(Bugs))]
    public async Task ToolThrowingABug_TellsTheModelInternalError_WithoutStack_AndLogsTheStack(string tool)
    {
        await using var harness = new AgentHarness(toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        harness.Add(AgentHarness.Tool(tool, () => Buggy(tool)));
        harness.Client.Step(Call("c1", tool)).Answer("done");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        var seen = harness.ResultsSeenBy(1)["c1"];
        Assert.Contains($"internal error in tool '{tool}'", seen, StringComparison.Ordinal);
        Assert.Contains("logged: see 'agent logs'", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", seen, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(Buggy), seen, StringComparison.Ordinal);
        var log = LogText;
        Assert.Contains($"Internal error in tool {tool}", log, StringComparison.Ordinal);
        Assert.Contains("\"level\":\"error\"", log.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(nameof(ToolFailureTests) + "." + nameof(Buggy), log, StringComparison.Ordinal); // the stack
    }

    [Theory]
    [MemberData(nameof(ExpectedFailures))]
    public async Task ToolThrowingAnExpectedFailure_GivesTheModelItsMessage_NotInternalError(string tool, Exception failure, string message)
    {
        await using var harness = new AgentHarness(toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        harness.Add(AgentHarness.Tool(tool, () => Throw(failure)));
        harness.Client.Step(Call("c1", tool)).Answer("done");

        await harness.RunAsync();

        var seen = harness.ResultsSeenBy(1)["c1"];
        Assert.StartsWith($"Error: '{tool}' failed: ", seen, StringComparison.Ordinal);
        Assert.Contains(message, seen, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", seen, StringComparison.Ordinal);
        Assert.Contains($"Tool {tool} failed", LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolThatBlocksItsThread_AndIgnoresItsToken_TimesOut_AndTheRunGoesOn()
    {
        using var release = new ManualResetEventSlim();
        await using var harness = new AgentHarness(toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        harness.Add(AgentHarness.Tool("hang", () => { release.Wait(); return "late"; }, timeout: TimeSpan.FromMilliseconds(300)));
        harness.Client.Step(Call("c1", "hang")).Answer("went on");
        try
        {
            // Without the deadline the run would wait for the blocked thread forever; one minute stands for forever.
            var result = await harness.RunAsync().WaitAsync(TimeSpan.FromMinutes(1));

            Assert.Equal(RunOutcome.Completed, result.Outcome);
            Assert.Equal("went on", result.FinalText);
            var seen = harness.ResultsSeenBy(1)["c1"];
            Assert.Contains("'hang' did not finish within 300 ms", seen, StringComparison.Ordinal);
            Assert.Contains("may still be running in the background", seen, StringComparison.Ordinal);
            Assert.Equal(ToolCallStatus.TimedOut, harness.Recorder.ToolEvents.Single().Status);
            Assert.Contains("Tool hang did not finish within 300 ms", LogText, StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
        }
    }

    [Theory]
    [InlineData("bug", "internal error in the permission gate")]
    [InlineData("io", "the permission gate failed (cannot read .agent/config.yaml)")]
    public async Task PermissionGateThatThrows_DeniesTheCall_AndLogsTheStack(string kind, string reason)
    {
        var gate = new ThrowingGate(kind);
        await using var harness = new AgentHarness(gate, toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        var invoked = false;
        harness.Add(AgentHarness.Tool("write_file", () => { invoked = true; return "written"; }, ToolEffect.Write));
        harness.Client.Step(Call("c1", "write_file")).Answer("done");

        await harness.RunAsync();

        Assert.False(invoked);
        Assert.Equal(ToolCallStatus.Denied, harness.Recorder.ToolEvents.Single().Status);
        var seen = harness.ResultsSeenBy(1)["c1"];
        Assert.Contains(reason, seen, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", seen, StringComparison.Ordinal);
        var decided = (await harness.EventsAsync()).OfType<PermissionDecidedEvent>().Single();
        Assert.Equal("deny", decided.Decision);
        var log = LogText;
        Assert.Contains("The permission gate failed deciding write_file", log, StringComparison.Ordinal);
        Assert.Contains(nameof(ThrowingGate) + "." + nameof(ThrowingGate.DecideAsync), log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompactionThatThrows_KeepsTheWholeHistory_AndLogsTheStack()
    {
        await using var harness = new AgentHarness(toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        harness.Client.Answer("Continuing without a summary.");
        var loop = new AgentLoop(new BrokenSummaries(harness.Client), harness.Pipeline, harness.Bus, harness.Recorder, TimeProvider.System);
        var history = Enumerable.Range(0, 6)
            .Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"message {i} " + new string('x', 1000)))
            .ToArray();

        var result = await loop.RunAsync(new AgentRunRequest(AgentHarness.SessionId, "continue")
        {
            SystemPrompt = "You are a test agent.",
            History = history,
            Model = new AgentHost.Sdk.Capabilities.ModelDescriptor("tiny", ContextWindow: 1000, MaxOutputTokens: 200),
        });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        var sent = harness.Client.Requests.Single();
        Assert.Equal(1 + history.Length + 1, sent.Length); // system, all six earlier messages, the prompt
        Assert.Equal(history.Select(m => m.Text), sent.Skip(1).Take(history.Length).Select(m => m.Text));
        var events = await harness.EventsAsync();
        Assert.Empty(events.OfType<CompactionEvent>());
        Assert.Contains(events.OfType<WarningEvent>(), w => w.Message.Contains("the full history is kept", StringComparison.Ordinal) && !w.Message.Contains("   at ", StringComparison.Ordinal));
        var log = LogText;
        Assert.Contains("Compacting session s-1 failed", log, StringComparison.Ordinal);
        Assert.Contains(nameof(BrokenSummaries) + "." + nameof(BrokenSummaries.GetResponseAsync), log, StringComparison.Ordinal);
    }

    public void Dispose() => _log.Dispose();

    private static string Throw(Exception exception) => throw exception;

    private static string Buggy(string kind)
    {
        var nothing = Environment.GetEnvironmentVariable("AGENT_TEST_NEVER_SET_" + kind);
        int[] one = [1];
        var zero = one.Length - 1;
        switch (kind)
        {
            case "null":
                return nothing!.Trim();
            case "cast":
                return ((int)(object)kind).ToString(System.Globalization.CultureInfo.InvariantCulture);
            case "index":
                return one[one.Length].ToString(System.Globalization.CultureInfo.InvariantCulture);
            case "key":
                return new Dictionary<string, string>()[kind];
            case "divide":
                return (1 / zero).ToString(System.Globalization.CultureInfo.InvariantCulture);
            case "disposed":
                var stream = new MemoryStream();
                stream.Dispose();
                return stream.ReadByte().ToString(System.Globalization.CultureInfo.InvariantCulture);
            default:
                // Reflection wraps the cast error in a TargetInvocationException.
                return (string)typeof(ToolFailureTests).GetMethod(nameof(Buggy), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, ["cast"])!;
        }
    }

    private sealed class ToolFailureForTests(string message) : Exception(message);

    private sealed class ThrowingGate(string kind) : IToolPermissionGate
    {
        public ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default)
        {
            if (kind == "io")
            {
                throw new IOException("cannot read .agent/config.yaml");
            }

            var rules = Environment.GetEnvironmentVariable("AGENT_TEST_NEVER_SET_RULES");
            return ValueTask.FromResult(PermissionVerdict.Allow(rules!.Trim())); // a null dereference
        }
    }

    /// <summary>The run's model, whose summary requests (non-streaming) hit a bug.</summary>
    private sealed class BrokenSummaries(IChatClient inner) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var summary = Environment.GetEnvironmentVariable("AGENT_TEST_NEVER_SET_SUMMARY");
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, summary!.Trim()))); // a null dereference
        }
    }
}
