using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <summary>Plain text parts are written without the serializer, exactly as Microsoft.Extensions.AI writes them.</summary>
public sealed class ContentCodecTests
{
    [Theory]
    [InlineData("hello")]
    [InlineData("")]
    [InlineData("quotes \" and \\ backslashes, tabs\t, newlines\r\n, <html> & 'apostrophes'")]
    [InlineData("unicode: é, 日本語, emoji 🚀, control \u0001")]
    public void APlainTextPart_IsStoredLikeTheSerializerWritesIt_AndReadsBack(string text)
    {
        var codec = new ContentCodec(new SecretScrubber(), 256 * 1024);

        var stored = codec.EncodeContents([new TextContent(text)]);

        var expected = new JsonArray(JsonSerializer.SerializeToNode<AIContent>(new TextContent(text), ContentCodec.Json));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(stored)), stored);
        Assert.Equal(text, Assert.IsType<TextContent>(Assert.Single(ContentCodec.DecodeContents(stored))).Text);
    }

    [Fact]
    public void TextWithPropertiesOrAnnotations_StillGoesThroughTheSerializer()
    {
        var codec = new ContentCodec(new SecretScrubber(), 256 * 1024);
        var text = new TextContent("see [1]") { AdditionalProperties = new() { ["source"] = "docs" } };

        var stored = codec.EncodeContents([text]);

        var read = Assert.IsType<TextContent>(Assert.Single(ContentCodec.DecodeContents(stored)));
        Assert.Equal("docs", read.AdditionalProperties?["source"]?.ToString());
    }
}
