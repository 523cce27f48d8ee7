using System.Text;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

public sealed class SessionRedactionTests
{
    private const string OpenAiKey = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
    private const string GitHubToken = "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB";
    private const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkYSJ9.c2lnbmF0dXJlLXZhbHVlLWhlcmU";
    private const string BearerToken = "q8Zr2LmN4pX7vT1wK9";
    private const string EnvSecret = "hunter2-correct-horse-battery";

    private static readonly string[] Secrets = [OpenAiKey, GitHubToken, Jwt, BearerToken, EnvSecret];

    [Fact]
    public async Task Secrets_InMessagesToolArgumentsErrorsAndTitles_NeverReachTheDatabaseFile()
    {
        using var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Path, temp.Path, new Dictionary<string, string> { ["DEPLOY_PASSWORD"] = EnvSecret });
        using var harness = await SessionTestStore.OpenAsync(new SecretScrubber(environment), temp: new TempDirectory());
        var session = await harness.Store.CreateSessionAsync(new NewSession(harness.Workspace) { Prompt = $"use {OpenAiKey} please", Settings = new Dictionary<string, string> { ["token"] = GitHubToken } });
        var everything = $"key {OpenAiKey}, gh {GitHubToken}, jwt {Jwt}, header Authorization: Bearer {BearerToken}, password {EnvSecret}";

        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, everything) { AuthorName = EnvSecret });
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, [
            new TextReasoningContent("the user gave " + OpenAiKey),
            new FunctionCallContent("c1", "http_get", new Dictionary<string, object?>
            {
                ["url"] = "https://api.example.com/?token=" + GitHubToken,
                ["headers"] = new Dictionary<string, object?> { ["Authorization"] = "Bearer " + BearerToken },
                ["body"] = new object[] { Jwt, EnvSecret },
            }),
        ]) { AdditionalProperties = new() { ["note"] = everything } });
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "echo: " + everything)]));
        await harness.Store.Conversation.RecordToolEventAsync(new ToolEventRecord(session.Id, "c1", "http_get", "web", $"{{\"url\":\"https://x/?t={GitHubToken}\",\"auth\":\"Bearer {BearerToken}\",\"p\":\"{EnvSecret}\"}}", ToolCallStatus.Failed, 5)
        {
            Error = "401 for " + Jwt + " " + OpenAiKey,
            DiffSummary = EnvSecret,
            Files = [EnvSecret + ".txt"],
        });
        await harness.Store.SetSettingAsync(session.Id, "api", OpenAiKey);
        await harness.Store.SetTitleAsync(session.Id, "about " + GitHubToken);

        // What the store hands back is redacted too.
        var messages = await harness.Store.Conversation.LoadConversationAsync(session.Id);
        Assert.Contains(SecretScrubber.Mask, messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("header Authorization: Bearer " + SecretScrubber.Mask, messages[0].Text, StringComparison.Ordinal);
        var call = Assert.IsType<FunctionCallContent>(messages[1].Contents[1]);
        Assert.Equal("https://api.example.com/?token=" + SecretScrubber.Mask, call.Arguments!["url"]!.ToString());
        var tool = Assert.Single((await harness.Store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Tools)).ToolEvents);
        Assert.Contains(SecretScrubber.Mask, tool.ArgumentsJson, StringComparison.Ordinal);

        var bytes = harness.RawBytes();
        Assert.NotEmpty(bytes);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("http_get", text, StringComparison.Ordinal);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[..^1], text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ExportAndImport_ScrubAgain_SoAHandEditedExportCannotSmuggleASecretIn()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var jsonl = """
            {"type":"session","format":1,"id":"01JIMPORTED0000000000000000","title":"t","workspace":"/w","status":"completed","createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00Z"}
            {"type":"message","id":"01JIMPORTEDMSG000000000001","seq":1,"role":"user","createdAt":"2025-01-01T00:00:00Z","contents":[{"$type":"text","text":"key OPENAI"}]}
            {"type":"tool","seq":1,"messageSeq":1,"callId":"c","tool":"t","arguments":"{\"k\":\"GITHUB\"}","status":"succeeded","durationMs":1,"createdAt":"2025-01-01T00:00:00Z"}
            """.Replace("OPENAI", OpenAiKey, StringComparison.Ordinal).Replace("GITHUB", GitHubToken, StringComparison.Ordinal);

        var imported = await harness.Store.Transfer.ImportJsonlAsync(new StringReader(jsonl));

        Assert.Equal(1, imported.MessageCount);
        var text = Encoding.UTF8.GetString(harness.RawBytes());
        Assert.DoesNotContain(OpenAiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubToken, text, StringComparison.Ordinal);
    }
}
