using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>The README's first example, the offline chat, works as written: its arguments, in the repository, at a terminal.</summary>
[Trait("Speed", "Slow")]
public sealed partial class ChatReadmeTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task TheReadmesChatExample_AnswersItsPrompt_WithTheRealTools()
    {
        var readme = File.ReadAllText(Path.Combine(RunWorkspace.RepositoryRoot(), "README.md"));
        var example = ChatExample().Match(readme);
        Assert.True(example.Success, "README.md has no chat example: a line 'dotnet run --project src/AgentHost.Cli -- --plugin …' in its first code block.");
        Assert.True(readme.IndexOf(example.Value, StringComparison.Ordinal) < readme.IndexOf(" -- run ", StringComparison.Ordinal), "the chat is the README's first example.");
        var args = example.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var prompt = TypedPrompt().Match(readme).Groups["prompt"].Value;
        Assert.False(string.IsNullOrEmpty(prompt), "README.md says what to type in the chat: 'type: …'.");

        await using var chat = await TmuxSession.StartAsync(RunWorkspace.RepositoryRoot(), _ws.Environment, args);
        await chat.WaitForAsync("/help for commands");
        await chat.LineAsync(prompt);
        var screen = await chat.WaitForAsync("── ");
        await chat.KeysAsync("C-d");

        Assert.Equal(0, await chat.WaitForExitAsync());
        Assert.Contains("✓ ls", screen, StringComparison.Ordinal);
        Assert.Contains("✓ view", screen, StringComparison.Ordinal);
        Assert.Contains("This is the quickstart workspace", screen, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"dotnet run --project src/AgentHost\.Cli -- (?<args>--plugin [^\r\n`]+)")]
    private static partial Regex ChatExample();

    [GeneratedRegex(@"type: ""(?<prompt>[^""]+)""")]
    private static partial Regex TypedPrompt();
}
