using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// What hands type from other tools (#47): <c>/status</c>, <c>/models</c> and <c>/model</c> alone listing the usable
/// models, a mistyped <c>/word</c> naming the close commands, Ctrl+P and Ctrl+N through the history, <c>/q</c> leaving.
/// The real <c>agent</c> in tmux with the scripted provider.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatMuscleMemoryTerminalTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task StatusModelsTyposHistoryKeysAndQ_WorkAsInOtherTools()
    {
        var script = _ws.WriteScript("turns:\n  - text: the first answer\n");
        var environment = _ws.Environment;
        environment["OPENAI_API_KEY"] = "sk-test-not-used"; // a service key in the environment: its models are usable (nothing is called)
        await using var chat = await TmuxSession.StartAsync(_ws.Root, environment, "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("/hlep");
        var typo = await chat.WaitForAsync("unknown command /hlep.");
        await chat.LineAsync("/modle");
        var typo2 = await chat.WaitForAsync("unknown command /modle.");
        await chat.LineAsync("/model");
        var model = await chat.WaitForAllAsync("usable models (", "switch with /model provider/model");
        await chat.LineAsync("/models");
        await chat.WaitForAsync("usable models (", count: 2);
        await chat.LineAsync("first prompt");
        await chat.WaitForAsync("the first answer");
        await chat.WaitForAsync("── ");
        await chat.LineAsync("/status");
        var status = await chat.WaitForAllAsync("  session    ", "  model      scripted/", "  mode       ask", "  workspace  ");
        await chat.KeysAsync("C-p");
        await chat.WaitForMatchAsync(@"(?m)^(ctx \S+ )?> /status\s*$");
        await chat.KeysAsync("C-p");
        await chat.WaitForMatchAsync(@"(?m)^(ctx \S+ )?> first prompt\s*$");
        await chat.KeysAsync("C-n");
        await chat.WaitForMatchAsync(@"(?m)^(ctx \S+ )?> /status\s*$");
        await chat.KeysAsync("C-u");
        await chat.LineAsync("/q");

        Assert.Contains("Did you mean /help?", typo, StringComparison.Ordinal);
        Assert.Contains("Did you mean /mode, /model", typo2, StringComparison.Ordinal);
        Assert.Contains("openai/", model, StringComparison.Ordinal);
        Assert.Matches(@"  session    [0-9A-Z]{26}", status);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }
}
