using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <summary><c>agent session import</c> when ids collide: the export is imported as a new session, nothing stored is touched.</summary>
public sealed class SessionImportCollisionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public SessionImportCollisionTests() => Directory.CreateDirectory(_temp.Combine("repo", ".git"));

    private HostEnvironment Environment => TestEnvironment.Create(_temp.Path, _temp.Combine("repo"));

    private string Database => SessionTestStore.DatabaseOf(Environment);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("the same export again", true)]
    [InlineData("a free session id, taken message ids", false)]
    [InlineData("a message line twice", false)]
    [InlineData("a session id that is a path", true)]
    [InlineData("an active session", false)]
    public async Task Import_WhenIdsCollide_ImportsANewSession_AndKeepsTheExistingOne(string change, bool renamed)
    {
        var id = await SeedAsync();
        var file = _temp.Combine("export.jsonl");
        Assert.Equal(ExitCodes.Success, (await RunAsync("session", "export", id, "--format", "jsonl", "--output", file)).ExitCode);
        var lines = File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        switch (change)
        {
            case "a free session id, taken message ids":
            case "an active session":
                lines[0]["id"] = "01JZZZZZZZZZZZZZZZZZZZZZZZ";
                lines[0]["status"] = change == "an active session" ? "active" : lines[0]["status"]!.GetValue<string>();
                break;
            case "a message line twice":
                lines[0]["id"] = "01JZZZZZZZZZZZZZZZZZZZZZZY";
                lines.Insert(2, JsonNode.Parse(lines[1].ToJsonString())!.AsObject());
                break;
            case "a session id that is a path":
                lines[0]["id"] = "../../../../../../tmp/xx/y";
                break;
        }

        File.WriteAllLines(file, lines.Select(l => l.ToJsonString()));

        var import = await RunAsync("session", "import", file);
        var list = await RunAsync("session", "list", "--json");

        Assert.True(import.ExitCode == ExitCodes.Success, import.Error);
        Assert.Equal(renamed, import.Error.Contains("imported as a new session", StringComparison.Ordinal));
        if (change == "the same export again")
        {
            Assert.Contains($"session {id} already exists in {Database}", import.Error, StringComparison.Ordinal);
        }

        var sessions = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.NotEqual("active", s.GetProperty("status").GetString()));
        using var store = await SessionStore.OpenAsync(Database, SecretScrubber.PatternsOnly);
        var original = await store.GetSessionAsync(id);
        Assert.Equal(2, original.MessageCount);
        Assert.Equal(["Fix the build", "Fixed."], (await store.Conversation.LoadConversationAsync(id)).Select(m => m.Text));
        Assert.False(Directory.Exists("/tmp/xx"));
    }

    private async Task<string> SeedAsync()
    {
        using var store = await SessionStore.OpenAsync(Database, SecretScrubber.PatternsOnly);
        var session = await store.CreateSessionAsync(new NewSession(_temp.Combine("repo"), "openai", "gpt-4o") { Prompt = "Fix the build" });
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "Fix the build"));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "Fixed."));
        await store.SetStatusAsync(session.Id, SessionStatus.Completed);
        return session.Id;
    }

    private Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync(Environment, args);
}
