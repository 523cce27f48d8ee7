using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>A Claude Code plugin's commands in the chat (real <c>agent</c> in tmux, scripted provider): listed by /help with their argument hints, and sent as prompts.</summary>
[Trait("Speed", "Slow")]
public sealed class PluginCommandTerminalTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task PluginCommands_AreListed_AndSendTheirPrompt_QualifiedOrPlain()
    {
        // The plugin's commands without its servers (they are the run tests' subject).
        var plugin = ClaudePluginFixtures.CopyTo("review-kit", _ws.Combine("sources"));
        File.Delete(Path.Combine(plugin, ".mcp.json"));
        File.Delete(Path.Combine(plugin, ".lsp.json"));
        File.WriteAllText(Path.Combine(plugin, ".claude-plugin", "plugin.json"), """{ "name": "review-kit" }""");
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "Review the file src/a.ts carefully. Focus on: naming." }
                text: first review done
              - expect: { last_user_contains: "Summarize what changed in this repository for a release note: since Monday" }
                text: summary done
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "--no-default-plugins", "--plugin", plugin, "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("/help");
        await chat.WaitForMatchAsync(@"/review-kit:review <file> \[focus\]\s+Review a file for bugs and style \(plugin review-kit\)");
        var help = await chat.WaitForMatchAsync(@"/review <file> \[focus\]\s+Review a file for bugs and style \(plugin review-kit; also /review-kit:review\)");
        await chat.LineAsync("/review-kit:review src/a.ts naming");
        await chat.WaitForAsync("first review done");
        await chat.LineAsync("/summarize since Monday");
        await chat.WaitForAsync("summary done");
        await chat.KeysAsync("C-d");

        Assert.Matches(@"/review-kit:review <file> \[focus\]\s+Review a file for bugs and style \(plugin review-kit\)", help);
        Assert.Matches(@"/review <file> \[focus\]\s+Review a file for bugs and style \(plugin review-kit; also /review-kit:review\)", help);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }
}
