using System.Text.Json;
using AgentHost.Sessions;
namespace AgentHost.Sessions.Tests;

/// <summary>The store's settings and file-list columns: the same text the serializer writes, read back exactly.</summary>
public sealed class StringJsonTests
{
    private static readonly Dictionary<string, string> Settings = new(StringComparer.Ordinal)
    {
        ["model"] = "openai/gpt-5",
        ["note"] = "quotes \" \\ <tags> & 'x', é 日本 🚀, tab\t, newline\n",
        ["empty"] = string.Empty,
    };

    [Fact]
    public void Map_WritesWhatTheSerializerWrites_AndReadsBack()
    {
        var text = StringJson.Map(Settings);

        Assert.Equal(JsonSerializer.Serialize(Settings), text);
        Assert.Equal(Settings, StringJson.ReadMap(text));
        Assert.Empty(StringJson.ReadMap("null"));
        Assert.Equal("3", StringJson.ReadMap("""{"n":3}""")["n"]);
        Assert.Throws<JsonException>(() => StringJson.ReadMap("[1]"));
    }

    [Fact]
    public void List_WritesWhatTheSerializerWrites_AndReadsBack()
    {
        List<string> files = ["src/a.cs", "dir with space/ü.txt", "C:\\win\\path"];

        var text = StringJson.List(files);

        Assert.Equal(JsonSerializer.Serialize(files), text);
        Assert.Equal(files, StringJson.ReadList(text));
        Assert.Equal("[]", StringJson.List([]));
        Assert.Empty(StringJson.ReadList("null"));
        Assert.ThrowsAny<JsonException>(() => StringJson.ReadList("[1]"));
    }
}
