using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// An MCP server's resources as <c>@SERVER:URI</c> references and its prompts as turns (<c>agent run --prompt</c>, the
/// chat's <c>/SERVER:PROMPT</c>), against the real server-everything started by a real <c>agent</c>; the scripted model
/// checks what it received.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpPromptsAndResourcesTests : IDisposable
{
    private const string Architecture = "demo://resource/static/document/architecture.md";

    private readonly RunWorkspace _ws = new();

    public McpPromptsAndResourcesTests() => _ws.WriteUserConfig($$"""
        mcp:
          servers:
            everything: { command: {{JsonSerializer.Serialize(McpTestServers.BinDirectory is null ? string.Empty : McpTestServers.Everything)}}, args: [stdio] }
        """);

    public void Dispose() => _ws.Dispose();

    [McpFact]
    public async Task AResourceReference_InThePrompt_IsReadFromTheServer_AndInlinedForTheModel()
    {
        var script = _ws.WriteScript($$"""
            turns:
              - expect: { last_user_contains: "<context ref=\"everything:{{Architecture}}\" kind=\"mcp\">\n# Everything Server – Architecture" }
                text: read the architecture
            """);

        var result = await _ws.RunAsync("run", $"summarise @everything:{Architecture}.", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("read the architecture", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", result.Error, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task ALazyServer_StartsForAResourceReference_AndForAPrompt()
    {
        _ws.WriteUserConfig($$"""
            mcp:
              start: lazy
              servers:
                everything: { command: {{JsonSerializer.Serialize(McpTestServers.Everything)}}, args: [stdio] }
            """);
        Assert.Equal(ExitCodes.Success, (await _ws.RunAsync("mcp", "list", "--no-default-plugins")).ExitCode); // fills the tool cache: the runs start it lazily
        var referenceScript = _ws.WriteScript($$"""
            turns:
              - expect: { last_user_contains: "# Everything Server – Architecture" }
                text: read lazily
            """);
        var promptScript = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "What's weather in Lisbon?" }
                text: prompted lazily
            """);

        var reference = await _ws.RunAsync("run", $"summarise @everything:{Architecture}", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + referenceScript);
        var prompt = await _ws.RunAsync("run", "--prompt", "everything:args-prompt", "--prompt-arg", "city=Lisbon", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + promptScript);

        Assert.True(reference.ExitCode == ExitCodes.Success, reference.Error);
        Assert.Contains("read lazily", reference.Output, StringComparison.Ordinal);
        Assert.True(prompt.ExitCode == ExitCodes.Success, prompt.Error);
        Assert.Contains("prompted lazily", prompt.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task AnUnknownServerOrResource_InThePrompt_IsAWarning_AndTheTurnGoesOn()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "(not included: MCP server 'everything' could not read 'demo://resource/static/document/nope.md'" }
                text: went on
            """);

        var result = await _ws.RunAsync(
            "run", "read @everything:demo://resource/static/document/nope.md and @nowhere:demo://x", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("went on", result.Output, StringComparison.Ordinal);
        Assert.Contains("@everything:demo://resource/static/document/nope.md was not included: MCP server 'everything' could not read", result.Error, StringComparison.Ordinal);
        Assert.Contains($"It offers {Architecture}", result.Error, StringComparison.Ordinal);
        Assert.Contains("@nowhere:demo://x was left as text: no MCP server 'nowhere' in this session (its servers: everything)", result.Error, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task AnExplicitContextReference_ToAMissingResource_FailsWithTheReason_BeforeTheModelIsAsked()
    {
        var script = _ws.WriteScript("turns:\n  - text: never asked\n");

        var result = await _ws.RunAsync(
            "run", "read it", "--context", "@everything:demo://resource/static/document/nope.md", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--context @everything:demo://resource/static/document/nope.md: MCP server 'everything' could not read", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("never asked", result.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task RunPrompt_SendsTheRenderedPrompt_WithItsArguments_ByNameOrPosition_AndTheAddedText()
    {
        var named = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "What's weather in Paris, Texas?\n\nanswer in one word" }
                text: sunny
            """);
        var positional = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "What's weather in Oslo?" }
                text: cold
            """);

        var byName = await _ws.RunAsync(
            "run", "--prompt", "everything:args-prompt", "--prompt-arg", "state=Texas", "--prompt-arg", "city=Paris", "answer in one word", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + named);
        var byPosition = await _ws.RunAsync("run", "--prompt", "everything:args-prompt", "--prompt-arg", "Oslo", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + positional);

        Assert.True(byName.ExitCode == ExitCodes.Success, byName.Error);
        Assert.Contains("sunny", byName.Output, StringComparison.Ordinal);
        Assert.True(byPosition.ExitCode == ExitCodes.Success, byPosition.Error);
        Assert.Contains("cold", byPosition.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task RunPrompt_WithAnEmbeddedResource_SendsItAsAContextBlock()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "Please analyze the following resource:\n\n<context ref=\"everything:demo://resource/dynamic/text/2\" kind=\"mcp\">\nResource 2: This is a plaintext resource" }
                text: analysed
            """);

        var result = await _ws.RunAsync(
            "run", "--prompt", "everything:resource-prompt", "--prompt-arg", "resourceType=Text", "--prompt-arg", "resourceId=2", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("analysed", result.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task RunPrompt_AMissingArgument_OrAnUnknownPrompt_IsAUsageError_NamingWhatToGive_AndNothingIsStored()
    {
        var script = _ws.WriteScript("turns:\n  - text: never asked\n");

        var missing = await _ws.RunAsync("run", "--prompt", "everything:args-prompt", "--prompt-arg", "state=Texas", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);
        var unknown = await _ws.RunAsync("run", "--prompt", "everything:weather", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);
        var noServer = await _ws.RunAsync("run", "--prompt", "elsewhere:weather", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);
        var sessions = await _ws.RunAsync("session", "list");

        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains(
            "everything:args-prompt: the required argument 'city' (Name of the city) is missing. Its arguments: city (required), state; give them as NAME=VALUE or in this order. Nothing was sent.",
            missing.Error,
            StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("MCP server 'everything' has no prompt 'weather'; its prompts: simple-prompt, args-prompt (city [state]),", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, noServer.ExitCode);
        Assert.Contains("no MCP server 'elsewhere' in this session (its servers: everything)", noServer.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("never asked", missing.Output + unknown.Output + noServer.Output, StringComparison.Ordinal);
        Assert.Contains("No sessions in ", sessions.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task McpList_WithTools_ListsThePrompts_WithTheirArguments()
    {
        var text = await _ws.RunAsync("mcp", "list", "--tools");
        var json = await _ws.RunAsync("mcp", "list", "--json");

        Assert.True(text.ExitCode == ExitCodes.Success, text.Error);
        Assert.Matches(@"everything:args-prompt\s+city \[state\]\s+A prompt with two arguments", text.Output);
        var server = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Single();
        var prompt = server.GetProperty("prompts").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "args-prompt");
        Assert.Equal(
            [("city", true), ("state", false)],
            prompt.GetProperty("arguments").EnumerateArray().Select(a => (a.GetProperty("name").GetString(), a.GetProperty("required").GetBoolean())));
    }

    [McpTmuxFact]
    public async Task Chat_ListsThePrompts_CompletesThem_AndSendsOne_WithItsArguments()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "What's weather in New York, NY?" }
                text: rainy in New York
              - expect: { last_user_contains: "<context ref=\"everything:demo://resource/static/document/architecture.md\" kind=\"mcp\">" }
                text: read the document
            """);
        await using var chat = await TmuxSession.StartAsync(160, 50, _ws.Root, _ws.Environment, "--no-default-plugins", "-p", "scripted", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("/help");
        var help = await chat.WaitForAsync("/everything:args-prompt city [state]");
        await chat.LineAsync("/everything:args-prompt state=NY");
        var missing = await chat.WaitForAsync("the required argument 'city' (Name of the city) is missing");
        await chat.TypeAsync("/everything:args-p");
        await chat.KeysAsync("Tab");
        await chat.WaitForAsync("/everything:args-prompt ");
        await chat.TypeAsync("\"New York\" NY");
        await chat.KeysAsync("Enter");
        await chat.WaitForAsync("rainy in New York");
        await chat.TypeAsync("read @everything:demo://resource/static/document/arch");
        await chat.KeysAsync("Tab");
        await chat.WaitForAsync("@everything:demo://resource/static/document/architecture.md ");
        await chat.KeysAsync("Enter");
        await chat.WaitForAsync("read the document");
        await chat.KeysAsync("C-d");

        Assert.Contains("MCP prompts (arguments as NAME=VALUE or in this order", help, StringComparison.Ordinal);
        Assert.Contains("/everything:simple-prompt", help, StringComparison.Ordinal);
        Assert.Contains("A prompt with two arguments, one required and one optional", help, StringComparison.Ordinal);
        Assert.Contains("Nothing was sent.", missing, StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }
}

/// <summary>A fact that drives the chat in tmux against the npm-installed MCP servers; skipped, saying which is missing.</summary>
public sealed class McpTmuxFactAttribute : FactAttribute
{
    public McpTmuxFactAttribute()
    {
        if (McpTestServers.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (!TmuxSession.IsAvailable)
        {
            Skip = "tmux is not installed (the chat's terminal tests drive agent through it; .ci/run installs it).";
        }
    }
}
