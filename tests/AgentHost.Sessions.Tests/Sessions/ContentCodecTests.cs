using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Sql;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

/// <summary>Plain text, function call and function result parts are written without the serializer, exactly as Microsoft.Extensions.AI writes them.</summary>
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

    public static TheoryData<string, AIContent> FunctionParts()
    {
        var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(
            """{"path":".","depth":2,"ratio":0.5,"flag":true,"none":null,"list":[1,"two",{"three":3}],"nested":{"a":"é \u0001 <b>"}}""", ContentCodec.Json)!;
        return new()
        {
            { "call with JSON arguments", new FunctionCallContent("c1", "ls", arguments) },
            { "call with plain values", new FunctionCallContent("c2", "view", new Dictionary<string, object?> { ["path"] = "a \"b\"", ["offset"] = 2, ["big"] = 5_000_000_000L, ["scale"] = 1.25, ["ok"] = false, ["gone"] = null }) },
            { "call without arguments", new FunctionCallContent("c3", "ls") },
            { "call with empty arguments", new FunctionCallContent("c4", "ls", new Dictionary<string, object?>()) },
            { "informational call", new FunctionCallContent("c5", "ls", arguments) { InformationalOnly = true } },
            { "text result", new FunctionResultContent("c1", "README.md\nsrc/\n\"quoted\" <tag> é \u0001") },
            { "null result", new FunctionResultContent("c1", null) },
            { "JSON result", new FunctionResultContent("c1", JsonDocument.Parse("""{"files":["a","b"],"count":2}""").RootElement.Clone()) },
            { "number result", new FunctionResultContent("c1", 42) },
        };
    }

    [Theory]
    [MemberData(nameof(FunctionParts))]
    public void APlainFunctionCallOrResult_IsStoredLikeTheSerializerWritesIt_AndReadsBack(string name, AIContent content)
    {
        var codec = new ContentCodec(new SecretScrubber(), 256 * 1024);

        var stored = codec.EncodeContents([content]);

        Assert.NotNull(ContentCodec.FunctionPart(content));
        var expected = new JsonArray(JsonSerializer.SerializeToNode(content, ContentCodec.Json.GetTypeInfo(typeof(AIContent))));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(stored)), $"{name}: {stored} != {expected.ToJsonString()}");
        var read = Assert.Single(ContentCodec.DecodeContents(stored));
        Assert.Equal(content.GetType(), read.GetType());
    }

    [Fact]
    public void FunctionParts_AreScrubbed_AndUnusualOnesStillGoThroughTheSerializer()
    {
        var codec = new ContentCodec(new SecretScrubber(), 256 * 1024);
        const string Secret = "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB";
        var call = new FunctionCallContent("c1", "shell", new Dictionary<string, object?> { ["command"] = "echo " + Secret });
        var result = new FunctionResultContent("c1", "token " + Secret);
        var annotated = new FunctionResultContent("c2", "ok") { AdditionalProperties = new() { ["origin"] = "cache" } };
        var unusual = new FunctionCallContent("c3", "when", new Dictionary<string, object?> { ["at"] = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero) });

        var stored = codec.EncodeContents([call, result, annotated, unusual]);

        Assert.DoesNotContain(Secret, stored, StringComparison.Ordinal);
        Assert.Null(ContentCodec.FunctionPart(annotated));
        Assert.Null(ContentCodec.FunctionPart(unusual));
        var read = ContentCodec.DecodeContents(stored);
        Assert.Equal("cache", read[2].AdditionalProperties?["origin"]?.ToString());
        Assert.Contains("2026-01-02", ((FunctionCallContent)read[3]).Arguments!["at"]!.ToString(), StringComparison.Ordinal);
    }
}
