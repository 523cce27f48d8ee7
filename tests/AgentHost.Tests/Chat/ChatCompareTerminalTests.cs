using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// The chat's <c>/compare</c> through the real <c>agent</c> in tmux (scripted provider): the last prompt goes to two
/// models, their answers are shown side by side with their figures, and the conversation goes on as if it had not run.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatCompareTerminalTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task Compare_ShowsBothAnswersSideBySide_AndLeavesTheConversationAsItWas()
    {
        var main = _ws.WriteScript("""
            turns:
              - text: the main model's answer
              - expect: { last_user_contains: "and again" }
                text: the main model goes on
            """);
        var alpha = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "why is the sky blue", system_contains: "Working directory" }
                text: ALPHA says scattering
                usage: { input: 120, output: 7 }
            """);
        var beta = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "why is the sky blue" }
                text: BETA says oxygen
                usage: { input: 130, output: 4 }
            """);
        await using var chat = await TmuxSession.StartAsync(160, 40, _ws.Root, _ws.Environment, "--no-default-plugins", "-p", "scripted", "-m", "scripted/" + main);
        await chat.WaitForAsync("/help for commands");
        await chat.LineAsync($"/compare scripted/{alpha}");
        var one = await chat.WaitForAsync("/compare takes 2 to 6 models, comma-separated");
        await chat.LineAsync($"/compare scripted/{alpha},scripted/{beta}");
        var nothing = await chat.WaitForAsync("/compare: no prompt to compare yet");
        await chat.LineAsync("why is the sky blue");
        await chat.WaitForAsync("the main model's answer");

        await chat.LineAsync($"/compare scripted/{alpha},scripted/{beta}");
        var shown = await chat.WaitForMatchAsync(@"ALPHA says scattering\s+│ BETA says oxygen[\s\S]*outcome: ok\s+│ outcome: ok");
        await chat.LineAsync("and again");
        var after = await chat.WaitForAsync("the main model goes on");
        await chat.KeysAsync("C-d");

        Assert.Contains("got 1.", one, StringComparison.Ordinal);
        Assert.Contains("give one after the models: /compare M1,M2 why is the build slow?", nothing, StringComparison.Ordinal);
        Assert.Contains("not added to this conversation", shown, StringComparison.Ordinal);
        Assert.Matches(@"tokens: 120 in / 7 out\s+│ tokens: 130 in / 4 out", shown);
        Assert.Matches(@"cost: unpriced\s+│ cost: unpriced", shown);
        Assert.Contains("the main model goes on", after, StringComparison.Ordinal); // its second turn: the compare's answers are not in its history
        Assert.Equal(0, await chat.WaitForExitAsync());
    }
}
