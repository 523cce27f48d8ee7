using AgentHost.Agent.Context;
using AgentHost.Agent.Mcp;
using AgentHost.Hosting;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>An MCP prompt's arguments as typed (<c>/SERVER:PROMPT …</c>, <c>--prompt-arg</c>) and its messages as the turn's user message.</summary>
public sealed class McpPromptArgumentsTests
{
    private static readonly McpPromptInfo Weather = new(
        "everything",
        "args-prompt",
        "A prompt with two arguments",
        [new McpPromptArgument("city", "Name of the city", Required: true), new McpPromptArgument("state", "Name of the state", Required: false)]);

    private static readonly McpPromptInfo Simple = new("everything", "simple-prompt", null, []);

    [Fact]
    public void Split_KeepsQuotedSpaces_AndDropsTheQuotes()
    {
        Assert.Equal(["New York", "state=New York", "x", "it's"], McpPromptArguments.Split("  \"New York\" state='New York'  x \"it's\" "));
        Assert.Empty(McpPromptArguments.Split("   "));
        Assert.Equal([string.Empty], McpPromptArguments.Split("\"\""));
    }

    [Fact]
    public void Bind_ByName_ByPosition_AndMixed()
    {
        Assert.Equal(new Dictionary<string, string> { ["city"] = "Paris", ["state"] = "TX" }, McpPromptArguments.Bind(Weather, ["state=TX", "city=Paris"]));
        Assert.Equal(new Dictionary<string, string> { ["city"] = "Paris", ["state"] = "TX" }, McpPromptArguments.Bind(Weather, ["Paris", "TX"]));
        // A positional value fills the first argument not named.
        Assert.Equal(new Dictionary<string, string> { ["city"] = "Oslo", ["state"] = "N" }, McpPromptArguments.Bind(Weather, ["state=N", "Oslo"]));
        // A value with '=' is given by name; only the first '=' separates.
        Assert.Equal(new Dictionary<string, string> { ["city"] = "a=b" }, McpPromptArguments.Bind(Weather, ["city=a=b"]));
        Assert.Empty(McpPromptArguments.Bind(Simple, []));
    }

    [Theory]
    [InlineData(new[] { "state=TX" }, "everything:args-prompt: the required argument 'city' (Name of the city) is missing. Its arguments: city (required), state; give them as NAME=VALUE or in this order. Nothing was sent.")]
    [InlineData(new[] { "cty=Paris" }, "everything:args-prompt: it has no argument 'cty'. Its arguments: city (required), state;")]
    [InlineData(new[] { "city=A", "city=B" }, "everything:args-prompt: the argument 'city' is given twice.")]
    [InlineData(new[] { "Paris", "TX", "USA" }, "everything:args-prompt: 'USA' is one value too many.")]
    public void Bind_NamesWhatIsWrong(string[] words, string message)
    {
        var ex = Assert.Throws<AgentHostException>(() => McpPromptArguments.Bind(Weather, words));

        Assert.Equal(ErrorKind.Usage, ex.Kind);
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_APromptWithoutArguments_RefusesWords()
    {
        var ex = Assert.Throws<AgentHostException>(() => McpPromptArguments.Bind(Simple, ["hello"]));

        Assert.StartsWith("everything:simple-prompt: it takes no arguments, but was given 'hello'. Its arguments: no arguments", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("everything:args-prompt", "everything", "args-prompt")]
    [InlineData("a:b:c", "a", "b:c")]
    public void Request_ParsesServerAndPrompt(string command, string server, string name)
    {
        var request = McpPromptRequest.Parse(command, ["x"]);

        Assert.Equal((server, name), (request.Server, request.Name));
        Assert.Equal(["x"], request.Arguments);
    }

    [Theory]
    [InlineData("args-prompt")]
    [InlineData(":args-prompt")]
    [InlineData("everything:")]
    public void Request_WithoutServerOrPrompt_IsAUsageError(string command)
    {
        var ex = Assert.Throws<AgentHostException>(() => McpPromptRequest.Parse(command, []));

        Assert.Contains("is not SERVER:PROMPT (for example everything:simple-prompt)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_ShowsOptionalArgumentsInBrackets()
    {
        Assert.Equal("city [state]", Weather.ArgumentUsage);
        Assert.Equal("everything:args-prompt", Weather.Command);
    }

    [Fact]
    public void Map_UserMessages_AreParagraphs_ResourcesFollowAsContextBlocks_ImagesAreAttached()
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 1, 2, 3];
        PromptMessage[] messages =
        [
            new() { Role = Role.User, Content = new TextContentBlock { Text = "Analyse this:" } },
            new() { Role = Role.User, Content = new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = "demo://doc/1", Text = "the document" } } },
            new() { Role = Role.User, Content = ImageContentBlock.FromBytes(png, "image/png") },
            new() { Role = Role.User, Content = new ResourceLinkBlock { Uri = "demo://doc/2", Name = "second" } },
        ];

        var (text, references) = McpPrompts.Map("everything", messages, new ContextLimits());
        var expanded = new ExpandedPrompt(text, references, []);

        Assert.Equal("Analyse this:\n\n[resource everything:demo://doc/2 (second); read it with read_mcp_resource]", text);
        Assert.Equal([ContextReferenceKind.Mcp, ContextReferenceKind.Image], references.Select(r => r.Kind));
        Assert.Contains("<context ref=\"everything:demo://doc/1\" kind=\"mcp\">\nthe document\n</context>", expanded.ToModelText(), StringComparison.Ordinal);
        var image = Assert.Single(expanded.Images);
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal(png, image.Data.ToArray());
    }

    [Fact]
    public void Map_AssistantMessages_WrapEveryMessageWithItsRole()
    {
        PromptMessage[] messages =
        [
            new() { Role = Role.User, Content = new TextContentBlock { Text = "Hi" } },
            new() { Role = Role.Assistant, Content = new TextContentBlock { Text = "Hello, what shall I review?" } },
            new() { Role = Role.User, Content = new TextContentBlock { Text = "The diff." } },
        ];

        var (text, references) = McpPrompts.Map("s", messages, new ContextLimits());

        Assert.Empty(references);
        Assert.Equal(
            "<prompt-message role=\"user\">\nHi\n</prompt-message>\n\n<prompt-message role=\"assistant\">\nHello, what shall I review?\n</prompt-message>\n\n<prompt-message role=\"user\">\nThe diff.\n</prompt-message>",
            text);
    }

    [Fact]
    public void ResourceContents_BinaryIsDescribed_TextIsCapped()
    {
        var binary = McpResourceReferences.FromContents("s:demo://b", [BlobResourceContents.FromBytes(new byte[] { 0, 1, 2, 3 }, "demo://b", "application/octet-stream")], new ContextLimits());
        var text = McpResourceReferences.FromContents("s:demo://t", [new TextResourceContents { Uri = "demo://t", Text = new string('x', 5000) }], new ContextLimits { MaxCharacters = 1000 });

        Assert.Equal("(binary resource demo://b, application/octet-stream, 4 bytes, not inlined)", binary.Content);
        Assert.True(text.Truncated);
        Assert.True(text.Content.Length < 1200, text.Content);
    }
}
