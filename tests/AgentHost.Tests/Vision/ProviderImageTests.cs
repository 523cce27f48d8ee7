using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Providers.Ollama;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Vision;

/// <summary>A user message with an image, as each provider plugin puts it on the wire (fake servers on 127.0.0.1).</summary>
internal static class ImagePrompt
{
    public static List<ChatMessage> Create() =>
        [new ChatMessage(ChatRole.User, [new TextContent("what is wrong in this screenshot?"), new DataContent(Images.TinyPng, "image/png") { Name = "shot.png" }])];

    public static string Base64 => Convert.ToBase64String(Images.TinyPng);
}

/// <summary>OpenAI Chat Completions: a content array with a text part and an <c>image_url</c> data URI.</summary>
public sealed class OpenAIImageTests : OpenAIProviderHost
{
    [Fact]
    public async Task AnImage_IsSentAsAnImageUrlPart_WithADataUri()
    {
        Server.ReplySse(Chunks.Answer("The button is clipped."));

        var response = (await Client().GetStreamingResponseAsync(ImagePrompt.Create()).CollectAsync()).ToChatResponse();

        Assert.Equal("The button is clipped.", response.Text);
        var content = Server.LastChat.Node["messages"]![0]!["content"]!.AsArray();
        Assert.Equal(["text", "image_url"], content.Select(p => p!["type"]!.GetValue<string>()));
        Assert.Equal("what is wrong in this screenshot?", content[0]!["text"]!.GetValue<string>());
        Assert.Equal("data:image/png;base64," + ImagePrompt.Base64, content[1]!["image_url"]!["url"]!.GetValue<string>());
    }
}

/// <summary>Anthropic Messages: an <c>image</c> block with a base64 source.</summary>
public sealed class AnthropicImageTests : AnthropicPluginHost
{
    [Fact]
    public async Task AnImage_IsSentAsABase64ImageBlock()
    {
        Server.EnqueueStream(Sse.TextAnswer("The button is clipped."));

        var response = (await StreamAsync(Client(), ImagePrompt.Create())).ToChatResponse();

        Assert.Equal("The button is clipped.", response.Text);
        var content = Server.LastMessagesRequest.Node["messages"]![0]!["content"]!.AsArray();
        var image = content.Single(b => b!["type"]!.GetValue<string>() == "image")!;
        Assert.Equal("base64", image["source"]!["type"]!.GetValue<string>());
        Assert.Equal("image/png", image["source"]!["media_type"]!.GetValue<string>());
        Assert.Equal(ImagePrompt.Base64, image["source"]!["data"]!.GetValue<string>());
        Assert.Contains(content, b => b!["type"]!.GetValue<string>() == "text" && b["text"]!.GetValue<string>() == "what is wrong in this screenshot?");
    }
}

/// <summary>Ollama chat: the message's <c>images</c> array of base64 strings.</summary>
public sealed class OllamaImageTests : OllamaPluginFixture
{
    [Fact]
    public async Task AnImage_IsSentInTheMessagesImages()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("The button is clipped."), Ndjson.Done()));

        var response = (await CollectAsync(Client().GetStreamingResponseAsync(ImagePrompt.Create()))).ToChatResponse();

        Assert.Equal("The button is clipped.", response.Text);
        var message = Assert.Single(Server.ChatRequests).Node["messages"]![0]!;
        Assert.Equal("what is wrong in this screenshot?", message["content"]!.GetValue<string>());
        Assert.Equal(ImagePrompt.Base64, Assert.Single(message["images"]!.AsArray())!.GetValue<string>());
    }
}
