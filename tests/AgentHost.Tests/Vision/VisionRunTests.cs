using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Vision;

/// <summary>End to end: `agent run` as a process with images, against fake provider servers on 127.0.0.1.</summary>
public sealed partial class VisionRunTests
{
    private static readonly string DataUri = "data:image/png;base64," + Convert.ToBase64String(Images.TinyPng);

    private static Dictionary<string, string> Configure(RunWorkspace ws, FakeOpenAIServer openAi, FakeAnthropicServer? anthropic = null, string models = "")
    {
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {openAi.BaseUrl}
                api_key_env: TEST_KEY
            {models}
            """ + (anthropic is null ? string.Empty : $"""

              claude:
                type: anthropic
                base_url: {anthropic.BaseUrl}
                api_key_env: TEST_KEY
            """));
        File.WriteAllBytes(Path.Combine(ws.Root, "shot.png"), Images.TinyPng);
        var environment = ws.Environment;
        environment["TEST_KEY"] = "sk-vision-test-0123456789";
        return environment;
    }

    private static List<RecordedRequest> Chats(FakeOpenAIServer server) => server.Requests.Where(r => r.Path == "/v1/chat/completions").ToList();

    private static JsonElement FirstUserMessage(RecordedRequest request) =>
        request.Json.GetProperty("messages").EnumerateArray().First(m => m.GetProperty("role").GetString() == "user");

    private static string ImageUrlOf(JsonElement message) =>
        message.GetProperty("content").EnumerateArray().Single(p => p.GetProperty("type").GetString() == "image_url").GetProperty("image_url").GetProperty("url").GetString()!;

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task ImageFlag_SendsTheImageToOpenAI_AndTheSessionKeepsIt_ForContinueAndExport()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        var environment = Configure(ws, server);
        server.ReplySse(Chunks.Answer("The button is clipped."));
        server.ReplySse(Chunks.Answer("Make it wider."));

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "what is wrong?", "--image", "shot.png", "--model", "local/gpt-4.1-mini", "--plugin", "openai", "--verbose");
        var resumed = await AgentProcess.RunAsync(ws.Root, environment, "run", "how do I fix it?", "--continue", "--model", "local/gpt-4.1-mini", "--plugin", "openai", "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("The button is clipped.", run.Output, StringComparison.Ordinal);
        Assert.Contains("model: local/gpt-4.1-mini (named with --model; needs vision)", run.Error, StringComparison.Ordinal);
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Error);
        Assert.Equal("Make it wider.", resumed.Output.Trim());
        var chats = Chats(server);
        Assert.Equal(2, chats.Count);
        var first = FirstUserMessage(chats[0]);
        var text = first.GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.StartsWith("what is wrong?", text, StringComparison.Ordinal);
        Assert.Contains($"[image: shot.png, image/png, {Images.TinyPng.Length} B] attached to this message as an image", text, StringComparison.Ordinal);
        Assert.Equal(DataUri, ImageUrlOf(first));
        Assert.Equal(DataUri, ImageUrlOf(FirstUserMessage(chats[1]))); // the stored image, resumed byte for byte

        var session = SessionId().Match(run.Error).Groups[1].Value;
        var export = await AgentProcess.RunAsync(ws.Root, environment, "session", "export", session, "--format", "jsonl");
        var history = await AgentProcess.RunAsync(ws.Root, environment, "session", "history", session);
        Assert.True(export.ExitCode == ExitCodes.Success, export.Error);
        Assert.Contains(Convert.ToBase64String(Images.TinyPng), export.Output, StringComparison.Ordinal);
        Assert.True(history.ExitCode == ExitCodes.Success, history.Error);
        Assert.Contains("[image: shot.png, image/png,", history.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Images.TinyPng), history.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnImageSessionStartedOnOpenAI_ContinuesOnAnthropic_WithTheImageInAnthropicsFormat()
    {
        await using var openAi = new FakeOpenAIServer();
        await using var anthropic = new FakeAnthropicServer();
        using var ws = new RunWorkspace();
        var environment = Configure(ws, openAi, anthropic);
        openAi.ReplySse(Chunks.Answer("A red pixel."));
        anthropic.EnqueueStream(Sse.TextAnswer("Still a red pixel."));

        var first = await AgentProcess.RunAsync(ws.Root, environment, "run", "what is in @shot.png?", "--model", "local/gpt-4o", "--plugin", "openai", "-o", "final");
        var second = await AgentProcess.RunAsync(ws.Root, environment, "run", "and now?", "--continue", "--model", "claude/claude-sonnet-4-5", "--plugin", "anthropic", "-o", "final");

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.Equal(DataUri, ImageUrlOf(FirstUserMessage(Chats(openAi).Single())));
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.Equal("Still a red pixel.", second.Output.Trim());
        var messages = anthropic.LastMessagesRequest.Node["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        var image = messages[0]!["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "image")!;
        Assert.Equal(("base64", "image/png"), (image["source"]!["type"]!.GetValue<string>(), image["source"]!["media_type"]!.GetValue<string>()));
        Assert.Equal(Convert.ToBase64String(Images.TinyPng), image["source"]!["data"]!.GetValue<string>());
    }

    [Fact]
    public async Task ANamedModelTheCatalogKnowsWithoutVision_StopsBeforeAnyRequest_SayingWhatToDo()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        var environment = Configure(ws, server);

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "what is wrong in @shot.png", "--model", "local/deepseek-chat", "--plugin", "openai");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("model local/deepseek-chat does not take images", run.Error, StringComparison.Ordinal);
        Assert.Contains("this prompt attaches an image (shot.png)", run.Error, StringComparison.Ordinal);
        Assert.Contains("--model local/", run.Error, StringComparison.Ordinal);
        Assert.Contains("providers.local.models: [{ id: deepseek-chat, features: [tools, vision] }]", run.Error, StringComparison.Ordinal);
        Assert.Empty(Chats(server));
    }

    [Fact]
    public async Task WithoutANamedModel_AnImagePrompt_AutoSelectsAModelWithVision_AndSaysWhy()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        var environment = Configure(ws, server, models: """
                models:
                  - { id: small-m, tier: fast, context_window: 32000, features: [tools], input_price: 0.1, output_price: 0.2 }
                  - gpt-4.1-mini
            """);
        server.ReplySse(Chunks.Answer("plain"));
        server.ReplySse(Chunks.Answer("seen"));

        var plain = await AgentProcess.RunAsync(ws.Root, environment, "run", "hello", "--prefer", "fast", "--plugin", "files", "-o", "final");
        var withImage = await AgentProcess.RunAsync(ws.Root, environment, "run", "what is in @shot.png", "--prefer", "fast", "--plugin", "files", "--verbose");

        Assert.True(plain.ExitCode == ExitCodes.Success, plain.Error);
        Assert.True(withImage.ExitCode == ExitCodes.Success, withImage.Error);
        Assert.Equal(["small-m", "gpt-4.1-mini"], Chats(server).Select(r => r.Json.GetProperty("model").GetString()));
        Assert.Contains("model: local/gpt-4.1-mini (auto-selected local/gpt-4.1-mini (prefer fast;", withImage.Error, StringComparison.Ordinal);
        Assert.Contains("needs tools and vision", withImage.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheScriptedProvider_TakesImagePrompts()
    {
        using var ws = new RunWorkspace();
        File.WriteAllBytes(Path.Combine(ws.Root, "shot.png"), Images.TinyPng);
        var script = ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "[image: shot.png, image/png" }
                text: A red pixel.
            """);

        var run = await ws.RunAsync("run", "what is this?", "--image", "shot.png", "-p", "scripted", "-m", "scripted/" + script, "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("A red pixel.", run.Output.Trim());
    }

    [GeneratedRegex(@"session (\w{26})")]
    private static partial Regex SessionId();
}
