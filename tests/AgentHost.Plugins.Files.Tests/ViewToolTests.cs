using System.Text;
using AgentHost.Tests.Files;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>The <c>view</c> tool: long lines, page size, huge and binary files, "did you mean".</summary>
public sealed class ViewToolTests : IAsyncLifetime
{
    private readonly FileToolHarness _tools = new();

    private TempDirectory Temp => _tools.Temp;

    public Task InitializeAsync() => _tools.InitializeAsync();

    public Task DisposeAsync() => _tools.DisposeAsync();

    [Fact]
    public async Task View_CutsLongLines_WithAMarker()
    {
        Temp.WriteFile("ws/wide.txt", "short\n" + new string('x', 2500) + "\nend\n");

        var result = await _tools.ViewAsync("wide.txt");

        var lines = result.Split('\n');
        Assert.Equal("     1\tshort", lines[0]);
        Assert.Equal($"     2\t{new string('x', 2000)} [… line cut: 500 more characters …]", lines[1]);
        Assert.Equal("     3\tend", lines[2]);
    }

    [Fact]
    public async Task View_CapsThePageSize_AndOffersTheNextOffset()
    {
        Temp.WriteFile("ws/big.txt", string.Concat(Enumerable.Range(1, 100).Select(i => $"{i}:{new string('y', 995)}\n")));

        var first = await _tools.InvokeAsync("view", ("path", "big.txt"), ("limit", 100));

        Assert.True(first.Length < 31_000, $"the page has {first.Length} characters");
        Assert.EndsWith("[lines 1-29 of 100 (page cut at 30,000 characters); continue with offset 30]", first, StringComparison.Ordinal);
        var next = await _tools.InvokeAsync("view", ("path", "big.txt"), ("offset", 30), ("limit", 1));
        Assert.StartsWith("    30\t30:yyy", next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_FileOverTheWholeFileLimit_IsPagedWithoutCountingItsLines()
    {
        var path = Temp.Combine("ws", "huge.log");
        using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)))
        {
            for (var i = 1; i <= 700_000; i++)
            {
                writer.Write($"entry {i}\n");
            }
        }

        Assert.True(new FileInfo(path).Length > 5 * 1024 * 1024);

        var head = await _tools.InvokeAsync("view", ("path", "huge.log"), ("limit", 2));
        var deep = await _tools.InvokeAsync("view", ("path", "huge.log"), ("offset", 650_000), ("limit", 1));
        var tail = await _tools.InvokeAsync("view", ("path", "huge.log"), ("offset", 699_999), ("limit", 5));

        Assert.StartsWith("     1\tentry 1\n     2\tentry 2\n[lines 1-2; the file is ", head, StringComparison.Ordinal);
        Assert.EndsWith("bytes, too large to count its lines; continue with offset 3]", head, StringComparison.Ordinal);
        Assert.StartsWith("650000\tentry 650000\n", deep, StringComparison.Ordinal);
        Assert.Equal("699999\tentry 699999\n700000\tentry 700000\n[lines 699999-700000 of 700000]", tail);
    }

    [Fact]
    public async Task View_NulBytes_IsReportedAsABinaryFileWithItsSize()
    {
        File.WriteAllBytes(Temp.Combine("ws", "image.png"), [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]);

        var result = await _tools.ViewAsync("image.png");

        Assert.Equal("'image.png' is a binary file (6 bytes; it contains NUL bytes); it cannot be shown as text.", result);
    }

    [Fact]
    public async Task View_InvalidUtf8_IsReportedAsABinaryFile()
    {
        File.WriteAllBytes(Temp.Combine("ws", "latin1.txt"), [0x63, 0x61, 0x66, 0xE9, 0x0A]);

        var result = await _tools.ViewAsync("latin1.txt");

        Assert.Equal("'latin1.txt' is a binary file (5 bytes; it is not valid UTF-8); it cannot be shown as text.", result);
    }

    [Fact]
    public async Task View_Utf16WithByteOrderMark_IsShownAsText()
    {
        File.WriteAllBytes(Temp.Combine("ws", "wide16.txt"), [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("één\r\ntwee\r\n")]);

        var result = await _tools.ViewAsync("wide16.txt");

        Assert.Equal("     1\téén\n     2\ttwee", result);
    }

    [Fact]
    public async Task View_Crlf_ShowsLinesWithoutCarriageReturns()
    {
        File.WriteAllBytes(Temp.Combine("ws", "win.txt"), "one\r\ntwo\r\n"u8.ToArray());

        var result = await _tools.ViewAsync("win.txt");

        Assert.Equal("     1\tone\n     2\ttwo", result);
    }

    [Fact]
    public async Task View_EmptyFile_AndAnOffsetPastTheEnd_SaySo()
    {
        Temp.WriteFile("ws/empty.txt", string.Empty);
        Temp.WriteFile("ws/three.txt", "a\nb\nc\n");

        Assert.Equal("[the file 'empty.txt' is empty]", await _tools.ViewAsync("empty.txt"));
        Assert.Equal("[the file has 3 lines; offset 9 is past the end]", await _tools.InvokeAsync("view", ("path", "three.txt"), ("offset", 9)));
    }

    [Fact]
    public async Task View_MissingFile_SuggestsATypoFixInTheSameFolder()
    {
        Temp.WriteFile("ws/src/Program.cs", "x");
        Temp.WriteFile("ws/src/Other.cs", "x");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.ViewAsync("src/Porgram.cs"));

        Assert.Equal("no file 'src/Porgram.cs' in the project. Did you mean: src/Program.cs?", error.Message);
    }

    [Fact]
    public async Task View_MissingFile_SuggestsTheSameNameElsewhere_SkippingDependencyFolders()
    {
        Temp.WriteFile("ws/src/app/Startup.cs", "x");
        Temp.WriteFile("ws/node_modules/pkg/Startup.cs", "x");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.ViewAsync("lib/startup.cs"));

        Assert.Equal("no file 'lib/startup.cs' in the project. Did you mean: src/app/Startup.cs?", error.Message);
    }

    [Fact]
    public async Task View_MissingFile_WithNothingClose_SuggestsNothing()
    {
        Temp.WriteFile("ws/src/app.cs", "x");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.ViewAsync("zzzzzz.md"));

        Assert.Equal("no file 'zzzzzz.md' in the project.", error.Message);
    }

    [Fact]
    public async Task View_Directory_PointsToLs()
    {
        Directory.CreateDirectory(Temp.Combine("ws", "src"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.ViewAsync("src"));

        Assert.Equal("'src' is a directory; use ls to list it.", error.Message);
    }
}
