using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Security;

/// <summary>
/// The chat at a real terminal (tmux, every byte it received recorded): a hostile command in a permission question
/// asked at the prompt, its output, the tool's status line, the model's reasoning and Markdown answer reach the terminal
/// without their control sequences, while the chat's own drawing (styles, the live area's cursor control) still works.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class TerminalInjectionChatTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task TheChat_ShowsAHostileQuestionToolAndAnswer_WithoutTheirControls()
    {
        var command = "sleep 1; echo " + HostileText.Text.Replace("\r", string.Empty, StringComparison.Ordinal) + " \u001b]0;SECOND\u0007";
        var script = _ws.WriteScript($$"""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: {{JsonSerializer.Serialize(command)}} } }]
              - reasoning: {{JsonSerializer.Serialize("thinking " + HostileText.Text)}}
                text: {{JsonSerializer.Serialize("**Done** " + HostileText.Text + "\n\n```\n" + HostileText.Text + "\n```\n")}}
            """);
        var recording = _ws.Combine("terminal.bytes");
        await using var chat = await TmuxSession.StartAsync(new TmuxStart(_ws.Root, _ws.Environment) { RecordTo = recording }, "-p", "scripted", "-p", "shell", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("go");
        await chat.WaitForAsync("answer [y");
        await chat.LineAsync("y");
        await chat.WaitForAsync("── ");
        await chat.KeysAsync("C-d");
        await chat.WaitForExitAsync();

        var bytes = await File.ReadAllTextAsync(recording);
        HostileText.AssertShownNotObeyed(bytes, HostileText.ShownTitle, "^[]0;SECOND^G", "\\u202eXX");
        Assert.DoesNotContain("\u001b]0;SECOND", bytes, StringComparison.Ordinal);
        Assert.Contains("\u001b[1m", bytes, StringComparison.Ordinal); // our own styling still drawn (the bold of **Done**)
    }
}
