using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// <c>/login</c> in the chat (#47): the key is asked for masked in the editor, stored as <c>agent auth login</c> stores
/// it, used by the next turn, and never written to the terminal, the prompt history or the session store. The real
/// <c>agent</c> in tmux against a local server that speaks OpenAI's wire format.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatLoginTerminalTests
{
    private const string Key = "sk-typed-in-chat-7c41d0";

    [TmuxFact]
    public async Task Login_AsksMasked_StoresTheKey_TheNextTurnSendsIt_AndItIsNeverShownOrKept()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
            """);
        server.ReplySse(Chunks.Answer("answered with the new key"));
        var environment = ws.Environment;
        environment["AGENT_KEY_STORE"] = "file";
        var home = environment["AGENT_HOME"];
        var credentials = Path.Combine(home, "credentials.json");
        var recorded = ws.Combine("terminal.bytes");

        await using (var chat = await TmuxSession.StartAsync(new TmuxStart(ws.Root, environment) { RecordTo = recorded }, "-m", "local/test-model"))
        {
            await chat.WaitForAsync("/help for commands");
            await chat.LineAsync("/login local");
            await chat.WaitForAsync("API key for local (masked");
            await chat.TypeAsync("typo");
            await chat.KeysAsync("C-c");
            var cancelled = await chat.WaitForAsync("no key entered; nothing was stored.");
            Assert.False(File.Exists(credentials), "a cancelled /login stored something");

            await chat.LineAsync("/login");
            await chat.WaitForAsync("API key for local (masked"); // the cancelled question left no line behind
            await chat.TypeAsync(Key);
            var masked = await chat.WaitForAsync(new string('•', Key.Length));
            await chat.KeysAsync("Enter");
            var stored = await chat.WaitForAllAsync($"Stored the API key for local in {credentials}.", "local/test-model uses it from the next turn on.");
            await chat.LineAsync("say hello");
            await chat.WaitForAsync("answered with the new key");
            await chat.LineAsync("/q");

            Assert.Equal(0, await chat.WaitForExitAsync());
            Assert.DoesNotContain("typo", cancelled, StringComparison.Ordinal);
            Assert.DoesNotContain(Key, masked + stored, StringComparison.Ordinal);
        }

        Assert.Equal("Bearer " + Key, server.LastChat.Header("Authorization"));
        Assert.Contains(Key, File.ReadAllText(credentials), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, File.ReadAllText(recorded), StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories).Where(f => f != credentials))
        {
            Assert.False(File.ReadAllText(file).Contains(Key, StringComparison.Ordinal), $"{file} holds the key typed at /login");
        }
    }

    [TmuxFact]
    public async Task Login_SaysWhenAConfiguredSource_TakesPrecedenceOverTheStoredKey()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                api_key_env: LOCAL_KEY
            """);
        var environment = ws.Environment;
        environment["AGENT_KEY_STORE"] = "file";
        environment["LOCAL_KEY"] = "sk-from-the-variable";
        var config = Path.Combine(environment["AGENT_HOME"], "config.yaml");

        // Wide enough that the note, with the config file's path, is one row.
        await using var chat = await TmuxSession.StartAsync(new TmuxStart(ws.Root, environment) { Columns = 500 }, "-m", "local/test-model");
        await chat.WaitForAsync("/help for commands");
        await chat.LineAsync("/login local");
        await chat.WaitForAsync("API key for local (masked");
        await chat.TypeAsync(Key);
        await chat.KeysAsync("Enter");
        var screen = await chat.WaitForAllAsync("Stored the API key for local", "takes precedence over the stored key");
        await chat.LineAsync("/q");

        Assert.Equal(0, await chat.WaitForExitAsync());
        Assert.Contains($"note: providers.local.api_key_env ($LOCAL_KEY) in {config}:5 takes precedence over the stored key", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-from-the-variable", screen, StringComparison.Ordinal);
    }
}
