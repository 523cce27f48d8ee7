using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Tests.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

public sealed class SessionTransferTests
{
    [Fact]
    public async Task ExportJsonl_ThenImport_RoundTripsTheSession()
    {
        using var source = await SessionTestStore.OpenAsync();
        var session = await SeedAsync(source);
        using var export = new StringWriter();
        await source.Store.Transfer.ExportJsonlAsync(session.Id, export);
        var lines = export.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Header first, then messages, then tool events: one JSON object per line.
        Assert.Equal(["session", "message", "message", "message", "message", "message", "tool", "tool"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()));

        using var target = await SessionTestStore.OpenAsync();
        var imported = await target.Store.Transfer.ImportJsonlAsync(new StringReader(export.ToString()));

        Assert.Equal(session.Id, imported.Id);
        var original = await source.Store.GetSessionAsync(session.Id);
        Assert.Equal(original with { Settings = imported.Settings }, imported);
        Assert.Equal(original.Settings, imported.Settings);
        using var again = new StringWriter();
        await target.Store.Transfer.ExportJsonlAsync(imported.Id, again);
        Assert.Equal(export.ToString(), again.ToString());
        var resumed = await target.Store.Conversation.LoadConversationAsync(imported.Id);
        Assert.Equal(["summary so far", "continue", string.Empty], resumed.Select(m => m.Text).Take(3));
    }

    [Fact]
    public async Task Import_OfASessionThatExists_GetsNewIds_AndKeepsTheOriginal()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await SeedAsync(harness);
        using var export = new StringWriter();
        await harness.Store.Transfer.ExportJsonlAsync(session.Id, export);

        var copy = await harness.Store.Transfer.ImportJsonlAsync(new StringReader(export.ToString()));

        Assert.NotEqual(session.Id, copy.Id);
        Assert.Equal(session.MessageCount, copy.MessageCount);
        Assert.Equal(2, (await harness.Store.ListSessionsAsync()).Count);
        var originalIds = (await harness.Store.Conversation.GetHistoryAsync(session.Id)).Messages.Select(m => m.Id);
        var copyIds = (await harness.Store.Conversation.GetHistoryAsync(copy.Id)).Messages.Select(m => m.Id);
        Assert.Empty(originalIds.Intersect(copyIds));
    }

    [Fact]
    public async Task Import_ReportsTheLineOfABadExport_AndStoresNothing()
    {
        using var harness = await SessionTestStore.OpenAsync();
        const string Broken = """
            {"type":"session","format":1,"id":"01JX","title":"t","workspace":"/w","status":"completed","createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00Z"}
            {"type":"message","id":"m1","seq":1,"role":"user","createdAt":"2025-01-01T00:00:00Z","contents":[]}
            {"type":"message", oops
            """;

        var error = await Assert.ThrowsAsync<AgentHostException>(() => harness.Store.Transfer.ImportJsonlAsync(new StringReader(Broken), "broken.jsonl"));
        var headless = await Assert.ThrowsAsync<AgentHostException>(() => harness.Store.Transfer.ImportJsonlAsync(new StringReader("{\"type\":\"message\"}"), "x.jsonl"));

        Assert.Equal(ErrorKind.Usage, error.Kind);
        Assert.StartsWith("broken.jsonl:3: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("first line must be the 'session' line", headless.Message, StringComparison.Ordinal);
        Assert.Empty(await harness.Store.ListSessionsAsync());
    }

    [Fact]
    public async Task ExportMarkdown_IsAReadableTranscript()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await SeedAsync(harness);
        using var markdown = new StringWriter();

        await harness.Store.Transfer.ExportMarkdownAsync(session.Id, markdown);

        var text = markdown.ToString();
        Assert.StartsWith("# Fix the flaky test\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains($"- **Session:** `{session.Id}`", text, StringComparison.Ordinal);
        Assert.Contains("- **Model:** openai/gpt-4o", text, StringComparison.Ordinal);
        Assert.Contains("- **Tokens:** 1500 in, 200 out, 0 cached · **Cost:** $0.0042", text, StringComparison.Ordinal);
        Assert.Contains("## User (summary of earlier conversation)", text, StringComparison.Ordinal);
        Assert.Contains("## User\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("**Tool call** `run_tests` (`call_1`)", text, StringComparison.Ordinal);
        Assert.Contains("\"filter\": \"Flaky\"", text, StringComparison.Ordinal);
        Assert.Contains("**Tool result** (`call_1`)", text, StringComparison.Ordinal);
        Assert.Contains("````\n1 failed ``` weird output\n````", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("<details><summary>Reasoning</summary>", text, StringComparison.Ordinal);
        Assert.Contains("## Tool events", text, StringComparison.Ordinal);
        Assert.Contains("| 2 | `edit` | core | failed | 8 ms | +3 -1 src/Flaky.cs | no match \\| retry |", text, StringComparison.Ordinal);
    }

    internal static async Task<SessionInfo> SeedAsync(SessionTestStore harness)
    {
        var session = await harness.Store.CreateSessionAsync(new NewSession(harness.Workspace, "openai", "gpt-4o")
        {
            Prompt = "Fix the flaky test",
            Settings = new Dictionary<string, string> { ["max_steps"] = "9" },
        });
        var store = harness.Store;
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "Fix the flaky test"));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "summary so far") { AdditionalProperties = new() { [IConversationRecorder.SummaryMarker] = true } });
        harness.Time.Advance(TimeSpan.FromSeconds(3));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "continue"));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, [
            new TextReasoningContent("Run the tests first."),
            new FunctionCallContent("call_1", "run_tests", new Dictionary<string, object?> { ["filter"] = "Flaky" }),
        ]));
        await store.Conversation.RecordToolEventAsync(new ToolEventRecord(session.Id, "call_1", "run_tests", "dotnet", "{\"filter\":\"Flaky\"}", ToolCallStatus.Succeeded, 1234.5));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "1 failed ``` weird output")]));
        await store.Conversation.RecordToolEventAsync(new ToolEventRecord(session.Id, "call_2", "edit", "core", "{}", ToolCallStatus.Failed, 8) { Error = "no match | retry", DiffSummary = "+3 -1", Files = ["src/Flaky.cs"] });
        await store.RecordUsageAsync(session.Id, new UsageDetails { InputTokenCount = 1500, OutputTokenCount = 200 }, 0.0042m);
        await store.SetStatusAsync(session.Id, SessionStatus.Completed);
        return await store.GetSessionAsync(session.Id);
    }
}
