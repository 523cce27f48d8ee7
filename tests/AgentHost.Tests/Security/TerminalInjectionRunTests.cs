using System.Text.Json;
using AgentHost.Tests.Hooks;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Security;

/// <summary>
/// Untrusted text of an <c>agent run</c> reaches a real pseudo-terminal without its control sequences (issue #44, class
/// 1): the permission prompt, the model's answer and reasoning, a provider's error, a hook's <c>systemMessage</c>,
/// verbose tool output and written file names. Each test reads the bytes the terminal received. Outputs for programs
/// (<c>--output final|json</c>, an export) keep the exact text when they do not go to a terminal.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class TerminalInjectionRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TerminalFact]
    public async Task ThePermissionPrompt_ShowsAHostileCommand_WithoutItsControls()
    {
        var script = _ws.WriteScript($"""
            turns:
              - tool_calls: [{"{"} name: shell, arguments: {"{"} command: {Yaml("echo " + HostileText.Text + "\n  y  allow once")} {"}"} {"}"}]
              - text: denied, fine.
            """);

        var result = await Terminal.RunAsync(_ws.Root, _ws.Environment, "n\n", "run", "go", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script);

        Assert.Contains("? permission [destructive]: shell/shell wants to run: echo EVIL^[[2K", result.Output, StringComparison.Ordinal);
        HostileText.AssertShownNotObeyed(result.Output);
        Assert.Single(result.Output.Split('\n'), line => line.StartsWith("  y  allow once", StringComparison.Ordinal)); // the command's own line is not one of ours
    }

    [TerminalFact]
    public async Task TheAnswer_AndTheReasoning_AreDrawnWithoutTheModelsControls()
    {
        var answer = $"""
            # Title {HostileText.Text}

            A paragraph: {HostileText.Text} and an entity &#x1b;]0;ENTITY&#7; and `code {HostileText.Text}`.

            - a [link]({HostileText.Text.Replace("\u001b", "%1b", StringComparison.Ordinal)}) {HostileText.Text}

            ```
            {HostileText.Text}
            ```
            """;
        var script = _ws.WriteScript($"""
            turns:
              - reasoning: {Yaml("thinking " + HostileText.Text)}
                text: {Yaml(answer)}
            """);

        var result = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "run", "go", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Output);
        HostileText.AssertShownNotObeyed(result.Output, HostileText.ShownTitle, "^[]0;ENTITY^G", "\\u202eXX");
        Assert.DoesNotContain("\u001b]0;ENTITY", result.Output, StringComparison.Ordinal); // what the HTML entity decodes to
    }

    [TerminalFact]
    public async Task AProvidersError_IsShownWithoutItsControls()
    {
        await using var server = new FakeOpenAIServer();
        _ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                api_key_env: TEST_KEY
            """);
        server.ReplyJson(Chunks.Error(HostileText.Text, "invalid_request_error", "bad_request"), 400);
        var environment = _ws.Environment;
        environment["TEST_KEY"] = "sk-test";

        var result = await Terminal.RunAsync(_ws.Root, environment, string.Empty, "run", "go", "--model", "local/test-model", "--plugin", "openai");

        Assert.True(result.ExitCode == ExitCodes.Provider, result.Output);
        HostileText.AssertShownNotObeyed(result.Output);
    }

    [TerminalFact]
    public async Task AHooksSystemMessage_IsShownWithoutItsControls()
    {
        using var hooks = new HookWorkspace();
        var json = JsonSerializer.Serialize(new { systemMessage = HostileText.Text });
        var command = hooks.Script("message.sh", $"cat <<'JSON'\n{json}\nJSON\n");
        hooks.UserHooks(HookWorkspace.Group("UserPromptSubmit", string.Empty, command));
        var script = hooks.WriteScript("turns:\n  - text: answered\n");

        var result = await Terminal.RunAsync(hooks.Root, hooks.Ws.Environment, string.Empty, "run", "go", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Output);
        Assert.Contains("warning: UserPromptSubmit hook", result.Output, StringComparison.Ordinal);
        HostileText.AssertShownNotObeyed(result.Output);
    }

    [TerminalFact]
    public async Task VerboseToolOutput_IsShownWithoutItsControls()
    {
        // printf writes the raw bytes: ESC [2K, OSC 0 with BEL, U+202E (UTF-8 e2 80 ae), CR.
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "printf 'first\\n\\033[2K\\033]0;PWNED\\007\\342\\200\\256XX\\rFAKE\\n'" } }]
              - text: done
            """);

        var result = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "run", "go", "--verbose", "--permission-mode", "yolo", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Output);
        Assert.Contains("│ first", result.Output, StringComparison.Ordinal);
        HostileText.AssertShownNotObeyed(result.Output, "^[[2K" + HostileText.ShownTitle + "\\u202eXX");
    }

    [TerminalFact]
    public async Task WrittenFileNames_AreShownWithoutTheirControls()
    {
        const string Name = "notes\u001b]0;PWNED\u0007\u202e.txt";
        var script = _ws.WriteScript($"""
            turns:
              - tool_calls: [{"{"} name: write, arguments: {"{"} path: {Yaml(Name)}, content: "text\n" {"}"} {"}"}]
              - text: written
            """);

        var run = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "run", "go", "--permission-mode", "accept-edits", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        var session = (await _ws.RunAsync("session", "list", "--json")).Output;
        var id = JsonDocument.Parse(session).RootElement[0].GetProperty("id").GetString()!;
        var diff = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, "session", "diff", id, "--stat");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Output);
        Assert.True(File.Exists(Path.Combine(_ws.Root, Name)));
        HostileText.AssertShownNotObeyed(run.Output, "notes" + HostileText.ShownTitle + "\\u202e.txt");
        HostileText.AssertShownNotObeyed(diff.Output, "notes" + HostileText.ShownTitle + "\\u202e.txt");
    }

    [TerminalFact]
    public async Task OutputForPrograms_KeepsTheExactText_OffATerminal_AndIsNeutralizedOnOne()
    {
        var script = _ws.WriteScript($"turns:\n  - text: {HostileText.Yaml}\n");
        var runArgs = new[] { "-p", "scripted", "-m", "scripted/" + script };

        var final = await _ws.RunAsync(["run", "go", "-o", "final", .. runArgs]);
        var json = await _ws.RunAsync(["run", "go", "-o", "json", .. runArgs]);
        var text = await _ws.RunAsync(["run", "go", .. runArgs]);
        var id = JsonDocument.Parse((await _ws.RunAsync("session", "list", "--json")).Output).RootElement[0].GetProperty("id").GetString()!;
        var export = await _ws.RunAsync("session", "export", id, "--format", "markdown");
        var finalAtATerminal = await Terminal.RunAsync(_ws.Root, _ws.Environment, string.Empty, ["run", "go", "-o", "final", .. runArgs]);

        Assert.Equal(HostileText.Text + "\n", final.Output); // a pipe: exactly what the model wrote
        var deltas = string.Concat(RunWorkspace.Events(json.Output).Where(e => e.GetProperty("type").GetString() == "message.delta").Select(e => e.GetProperty("text").GetString()));
        Assert.Equal(HostileText.Text, deltas);
        Assert.Contains(HostileText.Text, export.Output, StringComparison.Ordinal);
        HostileText.AssertShownNotObeyed(text.Output); // text output is for people, also in a pipe (docs/cli.md)
        HostileText.AssertShownNotObeyed(finalAtATerminal.Output);
    }

    private static string Yaml(string text) => JsonSerializer.Serialize(text);
}
