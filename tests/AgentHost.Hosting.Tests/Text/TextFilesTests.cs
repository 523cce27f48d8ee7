using System.Text;
using AgentHost.Hosting.Text;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Text;

/// <summary>
/// <see cref="TextFiles.Read"/> gives the text <see cref="File.ReadAllText(string)"/> gives, for every byte order mark
/// it knows, without one, and with bytes that are not UTF-8.
/// </summary>
public sealed class TextFilesTests
{
    public static TheoryData<string, byte[]> Files()
    {
        const string Text = "name: café ✓ 𝄞\r\nline two\n";
        return new TheoryData<string, byte[]>
        {
            { "utf-8", Encoding.UTF8.GetBytes(Text) },
            { "utf-8 with a mark", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Text)] },
            { "utf-16 little-endian", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Text)] },
            { "utf-16 big-endian", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(Text)] },
            { "utf-32 little-endian", [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(Text)] },
            { "utf-32 big-endian", [.. new UTF32Encoding(true, true).GetPreamble(), .. new UTF32Encoding(true, false).GetBytes(Text)] },
            { "not utf-8", [0x61, 0xC3, 0x28, 0xFF, 0x62, 0x0A] },
            { "empty", [] },
            { "a mark only", [.. Encoding.UTF8.GetPreamble()] },
        };
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Read_GivesWhatFileReadAllTextGives(string kind, byte[] bytes)
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, kind + ".txt");
        File.WriteAllBytes(path, bytes);

        Assert.Equal(File.ReadAllText(path), TextFiles.Read(path));
    }

    [Fact]
    public void Read_OfAMissingFile_ThrowsAsFileReadAllTextDoes()
    {
        using var temp = new TempDirectory();

        Assert.Throws<FileNotFoundException>(() => TextFiles.Read(Path.Combine(temp.Path, "missing.md")));
    }
}
