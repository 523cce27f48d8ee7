using System.Text;
using System.Text.Json;
using AgentHost.Agent.Mcp;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>
/// What an MCP server sends is capped while it is read (#44): long strings keep their head and tail, the message stays
/// valid JSON of the same shape, a message too large even then becomes an error answer, and memory stays bounded.
/// </summary>
public sealed class McpMessageCutterTests
{
    private static readonly McpMessageLimits Small = new(MaxStringBytes: 64, MaxBinaryBytes: 256, MaxMessageBytes: 4096);

    private static string Cut(string input, McpMessageLimits? limits = null, int chunk = int.MaxValue, List<string>? dropped = null)
    {
        var cutter = new McpMessageCutter(limits ?? Small, dropped is null ? null : dropped.Add);
        var bytes = Encoding.UTF8.GetBytes(input);
        var output = new List<byte>();
        for (var at = 0; at < bytes.Length; at += chunk)
        {
            cutter.Write(bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at)));
            Drain(cutter, output);
        }

        cutter.Complete();
        Drain(cutter, output);
        return Encoding.UTF8.GetString([.. output]);
    }

    private static void Drain(McpMessageCutter cutter, List<byte> output)
    {
        var buffer = new byte[7];
        int read;
        while ((read = cutter.Output.Take(buffer)) > 0)
        {
            output.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    private static readonly JsonSerializerOptions Raw = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Result(string text) =>
        JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 7, result = new { content = new[] { new { type = "text", text } } } }, Raw);

    private static string TextOf(string line) =>
        JsonDocument.Parse(line).RootElement.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    public void MessagesWithinTheLimits_PassByteForByte_InAnyChunks(int chunk)
    {
        var input = string.Join('\n', [
            Result("short é ✓ 😀 \"quoted\" \\ back\tslash"),
            """{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"\u00e9\ud83d\ude00\n"}}""",
            """data: {"jsonrpc":"2.0","id":"a","result":{}}""",
            string.Empty,
            ": ping",
            string.Empty,
        ]);

        Assert.Equal(input, Cut(input, chunk: chunk));
    }

    [Fact]
    public void ALongText_KeepsItsHeadAndTail_WithAMarker_AndTheMessageStaysValid()
    {
        var text = "HEAD" + new string('x', 10_000) + "TAIL";

        var line = Cut(Result(text) + "\n").TrimEnd('\n');

        var cut = TextOf(line);
        Assert.StartsWith("HEAD", cut, StringComparison.Ordinal);
        Assert.EndsWith("TAIL", cut, StringComparison.Ordinal);
        Assert.Contains($"\n[… {text.Length - 64} bytes cut by agent …]\n", cut, StringComparison.Ordinal);
        Assert.Equal(64, cut.Replace($"\n[… {text.Length - 64} bytes cut by agent …]\n", string.Empty, StringComparison.Ordinal).Length);
        Assert.Equal(7, JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("é")]
    [InlineData("😀")]
    [InlineData("\\n")]
    [InlineData("\\u00e9")]
    [InlineData("\\ud83d\\ude00")]
    [InlineData("a\\\"")]
    public void ACut_NeverSplitsACharacterOrAnEscape(string unit)
    {
        for (var offset = 0; offset < 8; offset++)
        {
            var body = new string('a', offset) + string.Concat(Enumerable.Repeat(unit, 200));
            var input = $$$"""{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"{{{body}}}"}]}}""";

            var line = Cut(input);

            var text = TextOf(line); // throws on invalid JSON, a lone surrogate or a broken escape
            Assert.Contains("bytes cut by agent", text, StringComparison.Ordinal);
            Assert.True(Encoding.UTF8.GetByteCount(text) < 200, text);
        }
    }

    [Fact]
    public void AStringWithinItsCap_PassesWhole_EvenWhenItsCharactersDoNotFitTheHeadExactly()
    {
        var text = "a" + string.Concat(Enumerable.Repeat("😀", 15)) + "bbb"; // 64 bytes: the head (32 bytes) ends 3 bytes early, before a character
        var input = $$$"""{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"{{{text}}}"}]}}""";

        Assert.Equal(input, Cut(input));
    }

    [Fact]
    public void Base64OfImagesAndBlobs_HasTheLargerCap()
    {
        var data = new string('A', 200);
        var blob = new string('B', 300);
        var input = $$$"""{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"image","mimeType":"image/png","data":"{{{data}}}"},{"type":"resource","resource":{"uri":"x://y","blob":"{{{blob}}}"}}]}}""";

        var content = JsonDocument.Parse(Cut(input)).RootElement.GetProperty("result").GetProperty("content");

        Assert.Equal(data, content[0].GetProperty("data").GetString());
        Assert.Contains("bytes cut by agent", content[1].GetProperty("resource").GetProperty("blob").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("data: ")]
    public void AnAnswerTooLargeEvenCut_BecomesAnErrorAnswerToTheSameRequest(string prefix)
    {
        var parts = string.Join(',', Enumerable.Range(0, 500).Select(i => $$"""{"type":"text","text":"part {{i}}"}"""));
        var input = $$"""{{prefix}}{"result":{"content":[{{parts}}]},"jsonrpc":"2.0","id":"req-9"}""" + "\n";
        var dropped = new List<string>();

        var output = Cut(input, dropped: dropped);

        Assert.StartsWith(prefix + "{", output, StringComparison.Ordinal);
        var error = JsonDocument.Parse(output[prefix.Length..]).RootElement;
        Assert.Equal("req-9", error.GetProperty("id").GetString());
        Assert.Equal(-32603, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("larger than", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Single(dropped);
    }

    [Fact]
    public void ARequestOrNotificationTooLargeEvenCut_IsDropped_NotAnsweredForTheServer()
    {
        var parts = string.Join(',', Enumerable.Range(0, 2000).Select(i => $"\"p{i}\""));
        var input = $$$"""{"jsonrpc":"2.0","id":4,"method":"sampling/createMessage","params":{"list":[{{{parts}}}]}}""" + "\n" + Result("next") + "\n";
        var dropped = new List<string>();

        var output = Cut(input, dropped: dropped);

        Assert.Equal(Result("next") + "\n", output);
        Assert.Single(dropped);
    }

    [Fact]
    public void FiftyMegabytesOfText_AreReadWithBoundedMemory()
    {
        var cutter = new McpMessageCutter(McpMessageLimits.Default);
        var head = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"BEGIN""");
        var chunk = Encoding.UTF8.GetBytes(new string('x', 64 * 1024));
        var before = GC.GetAllocatedBytesForCurrentThread();

        cutter.Write(head);
        for (var i = 0; i < 800; i++)
        {
            cutter.Write(chunk);
        }

        cutter.Write(Encoding.UTF8.GetBytes("END\"}]}}\n"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var output = new byte[cutter.Output.Length];
        cutter.Output.Take(output);

        var text = TextOf(Encoding.UTF8.GetString(output));
        Assert.StartsWith("BEGIN", text, StringComparison.Ordinal);
        Assert.EndsWith("END", text, StringComparison.Ordinal);
        Assert.True(output.Length < McpMessageLimits.Default.MaxStringBytes + 200, $"{output.Length} bytes out");
        Assert.True(allocated < 8 * 1024 * 1024, $"{allocated} bytes allocated to cut 50 MB");
    }
}
