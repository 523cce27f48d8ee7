using System.Text;
using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Sessions;
using AgentHost.Tests.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

public sealed class SessionContentTests
{
    private static readonly string[] FileNames = ["a", "b"];

    [Fact]
    public async Task AppendedMessages_RoundTripEveryContentKind_WithRoleAuthorAndProperties()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        var image = new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4 };
        var messages = new List<ChatMessage>
        {
            new(ChatRole.User, [new TextContent("Look at this"), new DataContent(image, "image/png") { Name = "shot.png" }, new UriContent(new Uri("https://example.com/a.pdf"), "application/pdf")])
            {
                AuthorName = "ada",
                AdditionalProperties = new() { ["client"] = "cli", ["attempt"] = 2L },
            },
            new(ChatRole.Assistant, [
                new TextReasoningContent("I should read the file") { ProtectedData = "opaque-provider-blob" },
                new FunctionCallContent("call_1", "read_file", new Dictionary<string, object?> { ["path"] = "src/a.cs", ["lines"] = 20, ["options"] = new Dictionary<string, object?> { ["follow"] = true } }),
            ]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "line 1\nline 2")]),
            new(ChatRole.Tool, [new FunctionResultContent("call_2", new Dictionary<string, object?> { ["count"] = 3, ["files"] = FileNames })]),
            new(ChatRole.Assistant, "Done."),
        };

        var ids = new List<string>();
        foreach (var message in messages)
        {
            ids.Add(await harness.Store.Conversation.AppendMessageAsync(session.Id, message));
        }

        var loaded = await harness.Store.Conversation.LoadConversationAsync(session.Id);

        Assert.Equal(messages.Count, loaded.Count);
        Assert.Equal(ids, loaded.Select(m => m.MessageId));
        for (var i = 0; i < messages.Count; i++)
        {
            Assert.Equal(messages[i].Role, loaded[i].Role);
            Assert.Equal(messages[i].AuthorName, loaded[i].AuthorName);
            Assert.Equal(Json(messages[i].Contents), Json(loaded[i].Contents));
        }

        var user = loaded[0];
        Assert.Equal("cli", user.AdditionalProperties!["client"]);
        Assert.Equal(2L, user.AdditionalProperties["attempt"]);
        var data = Assert.IsType<DataContent>(user.Contents[1]);
        Assert.Equal(image, data.Data.ToArray());
        Assert.Equal("shot.png", data.Name);
        Assert.Equal(new Uri("https://example.com/a.pdf"), Assert.IsType<UriContent>(user.Contents[2]).Uri);
        var reasoning = Assert.IsType<TextReasoningContent>(loaded[1].Contents[0]);
        Assert.Equal("opaque-provider-blob", reasoning.ProtectedData);
        var call = Assert.IsType<FunctionCallContent>(loaded[1].Contents[1]);
        Assert.Equal(("call_1", "read_file"), (call.CallId, call.Name));
        Assert.Equal("src/a.cs", call.Arguments!["path"]!.ToString());
        Assert.Equal("line 1\nline 2", Assert.IsType<FunctionResultContent>(loaded[2].Contents[0]).Result!.ToString());
        Assert.Equal("Done.", loaded[4].Text);
    }

    [Fact]
    public async Task AppendMessage_NumbersMessagesPerSession_AndTitlesTheSessionFromTheFirstPrompt()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var first = await harness.CreateAsync();
        var second = await harness.CreateAsync();

        await harness.Store.Conversation.AppendMessageAsync(first.Id, new ChatMessage(ChatRole.System, "You are helpful."));
        await harness.Store.Conversation.AppendMessageAsync(first.Id, new ChatMessage(ChatRole.User, "  Refactor the payment module so that the retry logic lives in one place and add tests\nmore details"));
        await harness.Store.Conversation.AppendMessageAsync(second.Id, new ChatMessage(ChatRole.User, "hi"));
        await harness.Store.Conversation.AppendMessageAsync(first.Id, new ChatMessage(ChatRole.User, "second prompt"));

        var page = await harness.Store.Conversation.GetHistoryAsync(first.Id);
        Assert.Equal([1L, 2L, 3L], page.Messages.Select(m => m.Sequence));
        var title = (await harness.Store.GetSessionAsync(first.Id)).Title;
        Assert.Equal("Refactor the payment module so that the retry logic lives in…", title);
        Assert.True(title.Length <= SessionTitles.MaxLength + 1);
        Assert.Equal("hi", (await harness.Store.GetSessionAsync(second.Id)).Title);
        await harness.Store.SetTitleAsync(first.Id, "Payment retries");
        Assert.Equal("Payment retries", (await harness.Store.GetSessionAsync(first.Id)).Title);
    }

    [Fact]
    public async Task LoadConversation_StartsAtTheLastSummaryMessage()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "q1"));
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "a1"));
        await harness.Store.Conversation.AppendMessageAsync(session.Id, Summary("summary 1"));
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "q2"));
        await harness.Store.Conversation.AppendMessageAsync(session.Id, Summary("summary 2"));
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "q3"));
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "a3"));

        var resumed = await harness.Store.Conversation.LoadConversationAsync(session.Id);

        Assert.Equal(["summary 2", "q3", "a3"], resumed.Select(m => m.Text));
        Assert.Equal(true, resumed[0].AdditionalProperties![IConversationRecorder.SummaryMarker]);
        var history = await harness.Store.Conversation.GetHistoryAsync(session.Id);
        Assert.Equal(7, history.Messages.Count);
        Assert.Equal([3L, 5L], history.Messages.Where(m => m.IsSummary).Select(m => m.Sequence));
    }

    [Fact]
    public async Task LoadConversation_WithoutSummary_ReturnsEverything()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "q1"));
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "a1") { AdditionalProperties = new() { [IConversationRecorder.SummaryMarker] = false } });

        var resumed = await harness.Store.Conversation.LoadConversationAsync(session.Id);

        Assert.Equal(["q1", "a1"], resumed.Select(m => m.Text));
    }

    [Fact]
    public async Task RecordUsage_AddsTokensAndCost_AndStatusIsStored()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync("hello");
        Assert.Equal(SessionStatus.Active, session.Status);

        await harness.Store.RecordUsageAsync(session.Id, new UsageDetails { InputTokenCount = 1200, OutputTokenCount = 300, CachedInputTokenCount = 1000 }, 0.00321m);
        await harness.Store.RecordUsageAsync(session.Id, new UsageDetails { InputTokenCount = 800, OutputTokenCount = 100 }, null);
        await harness.Store.RecordUsageAsync(session.Id, new UsageDetails { OutputTokenCount = 1 }, 0.001m);
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await harness.Store.SetStatusAsync(session.Id, SessionStatus.Completed);

        var stored = await harness.Store.GetSessionAsync(session.Id);
        Assert.Equal((2000L, 401L, 1000L), (stored.InputTokens, stored.OutputTokens, stored.CachedTokens));
        Assert.Equal(0.00421m, stored.Cost);
        Assert.Equal(SessionStatus.Completed, stored.Status);
        Assert.Equal(SessionTestStore.Start, stored.CreatedAt);
        Assert.Equal(SessionTestStore.Start.AddMinutes(5), stored.UpdatedAt);
    }

    [Fact]
    public async Task Writes_ToAnUnknownSession_FailWithNotFound_AndStoreNothing()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();

        var error = await Assert.ThrowsAsync<AgentHostException>(async () => await harness.Store.Conversation.AppendMessageAsync(OtherId(session.Id), new ChatMessage(ChatRole.User, "x")));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains(session.Id, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await harness.Store.GetSessionAsync(session.Id)).MessageCount);
    }

    [Fact]
    public async Task LargePayloads_AreCapped_KeepingHeadAndTailWithAMarker()
    {
        using var harness = await SessionTestStore.OpenAsync(options: new SessionStoreOptions { MaxPartBytes = 4096 });
        var session = await harness.CreateAsync();
        var big = "HEAD-" + new string('a', 3000) + new string('é', 3000) + "-TAIL";
        var attachment = new byte[10_000];

        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", big)]));
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, [new TextContent("see attached"), new DataContent(attachment, "image/png") { Name = "huge.png" }]));
        await harness.Store.Conversation.RecordToolEventAsync(new ToolEventRecord(session.Id, "c1", "read", null, "{\"text\":\"" + big + "\"}", AgentHost.Sdk.Events.ToolCallStatus.Failed, 1) { Error = big });

        var messages = await harness.Store.Conversation.LoadConversationAsync(session.Id);
        var result = Assert.IsType<FunctionResultContent>(messages[0].Contents[0]).Result!.ToString()!;
        Assert.StartsWith("HEAD-", result, StringComparison.Ordinal);
        Assert.EndsWith("-TAIL", result, StringComparison.Ordinal);
        Assert.Matches(@"\[… \d+ bytes truncated …\]", result);
        Assert.True(Encoding.UTF8.GetByteCount(result) <= 4096, "capped result must fit the cap");
        Assert.DoesNotContain('\uFFFD', result);
        var note = Assert.IsType<TextContent>(messages[1].Contents[1]).Text;
        Assert.Contains("huge.png", note, StringComparison.Ordinal);
        Assert.Contains("not stored", note, StringComparison.Ordinal);
        var tool = Assert.Single((await harness.Store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Tools)).ToolEvents);
        Assert.True(Encoding.UTF8.GetByteCount(tool.ArgumentsJson) <= 4096);
        Assert.Contains("bytes truncated", tool.Error, StringComparison.Ordinal);
    }

    private static ChatMessage Summary(string text) =>
        new(ChatRole.User, text) { AdditionalProperties = new() { [IConversationRecorder.SummaryMarker] = true } };

    private static string Json(IList<AIContent> contents) => JsonSerializer.Serialize(contents, AIJsonUtilities.DefaultOptions);

    /// <summary>A well-formed id of no session: the last character changed (to Z, or to Y when it already is Z).</summary>
    private static string OtherId(string id) => id[..^1] + (id[^1] == 'Z' ? "Y" : "Z");
}
