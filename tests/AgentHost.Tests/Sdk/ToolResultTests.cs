using System.ComponentModel;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Sdk;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Agent;

namespace AgentHost.Tests.Sdk;

/// <summary><see cref="ToolResult"/> through the real <see cref="ToolPipeline"/>: text, structured value, summary and failure without throwing.</summary>
public sealed class ToolResultTests
{
    private static readonly ToolCallContext Context = new("s-results", "call-1");

    [Fact]
    public async Task TextAndStructured_TheModelGetsTheText_TheOutcomeTheJson_PeopleTheSummary()
    {
        await using var sdk = new SdkBuilder();
        sdk.Builder.AddTool("issue", "Reads an issue.", ToolEffect.Read,
            ([Description("Key.")] string key) => ToolResult.Success(new Issue(key, "Login fails", 3), $"{key}: Login fails (3 comments)").WithSummary(key + " read"));
        await using var harness = Harness(sdk);

        var outcome = await harness.Pipeline.InvokeAsync("issue", """{"key":"ABC-1"}""", Context);

        Assert.Equal((ToolCallStatus.Succeeded, "ABC-1: Login fails (3 comments)"), (outcome.Status, outcome.Text));
        Assert.NotNull(outcome.Structured);
        Assert.Equal("ABC-1", outcome.Structured.Value.GetProperty("key").GetString());
        Assert.Equal(3, outcome.Structured.Value.GetProperty("comments").GetInt32());
        var completed = (await harness.EventsAsync()).OfType<ToolCallCompletedEvent>().Single();
        Assert.Equal(("ABC-1 read", ToolCallStatus.Succeeded, (string?)null), (completed.ResultPreview, completed.Status, completed.Error));
    }

    [Fact]
    public async Task StructuredOnly_TheModelGetsCompactJson_SerializedWithThePluginsOptions()
    {
        await using var sdk = new SdkBuilder();
        sdk.Builder.AddTool("issue", "Reads an issue.", ToolEffect.Read, async (string key) =>
        {
            await Task.Yield();
            return ToolResult.Success(new Issue(key, "Title", 0));
        });
        await using var harness = Harness(sdk);

        var outcome = await harness.Pipeline.InvokeAsync("issue", """{"key":"ABC-2"}""", Context);

        Assert.Equal(ToolCallStatus.Succeeded, outcome.Status);
        Assert.Equal("""{"key":"ABC-2","title":"Title","comments":0}""", outcome.Text);
        Assert.True(sdk.Context.SerializerOptions.TryGetTypeInfo(typeof(Issue), out _), "the plugin's options serialized the value");
    }

    [Fact]
    public async Task Failure_EndsTheCallAsFailed_WithTheMessageForTheModel_WithoutAnException()
    {
        await using var sdk = new SdkBuilder();
        sdk.Builder.AddTool("issue", "Reads an issue.", ToolEffect.Read, (string key) => ToolResult.Failure($"{key} does not exist; search with jira_search first."));
        await using var harness = Harness(sdk);

        var outcome = await harness.Pipeline.InvokeAsync("issue", """{"key":"ABC-404"}""", Context);

        Assert.Equal(ToolCallStatus.Failed, outcome.Status);
        Assert.Equal("Error: ABC-404 does not exist; search with jira_search first.", outcome.Text);
        Assert.Equal("ABC-404 does not exist; search with jira_search first.", outcome.Error);
        Assert.Null(outcome.Structured);
        var completed = (await harness.EventsAsync()).OfType<ToolCallCompletedEvent>().Single();
        Assert.Equal((ToolCallStatus.Failed, "ABC-404 does not exist; search with jira_search first."), (completed.Status, completed.Error));
    }

    [Fact]
    public async Task AFailure_ReachesTheModel_AndTheRunGoesOn()
    {
        await using var sdk = new SdkBuilder();
        sdk.Builder.AddTools<EchoLikeTools>();
        await using var harness = Harness(sdk);
        harness.Client.Step(ScriptedChatClient.Call("c1", "refuse", """{"reason":"not today"}""")).Answer("Understood.");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("Error: refused: not today", harness.ResultsSeenBy(1)["c1"]);
    }

    [Fact]
    public async Task PlainStringsAndObjects_KeepWorking()
    {
        await using var sdk = new SdkBuilder();
        sdk.Builder.AddTool("text", "Text.", ToolEffect.None, () => "plain");
        sdk.Builder.AddTool("object", "Object.", ToolEffect.None, () => new Issue("K", "T", 1));
        await using var harness = Harness(sdk);

        var text = await harness.Pipeline.InvokeAsync("text", "{}", Context);
        var value = await harness.Pipeline.InvokeAsync("object", "{}", Context);

        Assert.Equal(("plain", (JsonElement?)null), (text.Text, text.Structured));
        Assert.Equal("""{"key":"K","title":"T","comments":1}""", value.Text);
    }

    [Fact]
    public void ToolResult_FactoriesCheckTheirArguments_AndToStringIsTheModelsText()
    {
        Assert.Throws<ArgumentException>(() => ToolResult.Failure(" "));
        Assert.Throws<ArgumentNullException>(() => ToolResult.Success((string)null!));
        Assert.Equal("Error: no", ToolResult.Failure("no").ToString());
        Assert.Equal("yes", ToolResult.Success("yes").ToString());
        Assert.True(ToolResult.Failure("no").IsError);
    }

    [Fact]
    public void AppendText_KeepsAToolResultsValueAndSummary_LeavesFailuresAlone_AndTurnsOtherValuesIntoText()
    {
        var issue = new Issue("K-1", "T", 2);
        var structured = Assert.IsType<ToolResult>(ToolResult.AppendText(ToolResult.Success(issue, "K-1: T").WithSummary("read K-1"), "\n\nnote"));
        var valueOnly = Assert.IsType<ToolResult>(ToolResult.AppendText(ToolResult.Success(JsonDocument.Parse("""{"a":1}""").RootElement), "+"));
        var failure = ToolResult.Failure("no such issue");

        Assert.Equal(("K-1: T\n\nnote", "read K-1", false), (structured.Text, structured.Summary, structured.IsError));
        Assert.Same(issue, structured.Structured);
        Assert.Equal("""{"a":1}+""", valueOnly.Text);
        Assert.Same(failure, ToolResult.AppendText(failure, "\n\nnote"));
        Assert.Equal("listing\n\nnote", ToolResult.AppendText("listing", "\n\nnote"));
        Assert.Equal("quoted+", ToolResult.AppendText(JsonDocument.Parse("\"quoted\"").RootElement, "+"));
        Assert.Equal("""{"n":[1,2]}+""", ToolResult.AppendText(JsonDocument.Parse("""{"n":[1,2]}""").RootElement, "+"));
        Assert.Equal("(no output)+", ToolResult.AppendText(null, "+"));
        Assert.Equal("(no output)+", ToolResult.AppendText(JsonDocument.Parse("null").RootElement, "+"));
    }

    private static AgentHarness Harness(SdkBuilder sdk)
    {
        var harness = new AgentHarness();
        harness.Registry.AddRange("test-plugin", "1.0.0", sdk.Builder.Capabilities);
        return harness;
    }

    public sealed record Issue(string Key, string Title, int Comments);

    public sealed class EchoLikeTools
    {
        [AgentTool("refuse")]
        [Description("Always fails.")]
        public static ToolResult Refuse([Description("Why.")] string reason) => ToolResult.Failure("refused: " + reason);
    }
}
