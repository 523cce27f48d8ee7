using AgentHost.Sdk.Tools;
using AgentHost.Tests.Files;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>The <c>write</c> tool of the files plugin, on real temp folders.</summary>
public sealed class WriteToolTests : IAsyncLifetime
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly FileToolHarness _tools = new();

    private TempDirectory Temp => _tools.Temp;

    public Task InitializeAsync() => _tools.InitializeAsync();

    public Task DisposeAsync() => _tools.DisposeAsync();

    [Fact]
    public async Task Write_CreatesNewFile_AndParentDirectories_WithoutBom()
    {
        var result = await _tools.InvokeAsync("write", ("path", "a/b/c.txt"), ("content", "hello\nworld\n"));

        Assert.Equal("hello\nworld\n"u8.ToArray(), File.ReadAllBytes(Temp.Combine("ws", "a", "b", "c.txt")));
        Assert.StartsWith("Created 'a/b/c.txt' (2 lines, 12 bytes).", result, StringComparison.Ordinal);
        Assert.Contains("--- /dev/null\n+++ b/a/b/c.txt\n@@ -0,0 +1,2 @@\n+hello\n+world", result, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Temp.Combine("ws", "a", "b"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Write_Overwrite_KeepsCrlfAndBom()
    {
        var path = Temp.Combine("ws", "crlf.txt");
        File.WriteAllBytes(path, [.. Bom, .. "one\r\ntwo\r\n"u8]);
        await _tools.ViewAsync("crlf.txt");

        var result = await _tools.InvokeAsync("write", ("path", "crlf.txt"), ("content", "one\nTWO\nthree\n"));

        Assert.Equal([.. Bom, .. "one\r\nTWO\r\nthree\r\n"u8], File.ReadAllBytes(path));
        Assert.StartsWith("Overwrote 'crlf.txt' (+2 -1 lines).", result, StringComparison.Ordinal);
        Assert.Contains("--- a/crlf.txt\n+++ b/crlf.txt\n@@ -1,2 +1,3 @@\n one\n-two\n+TWO\n+three", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_Overwrite_KeepsLf_WhenContentHasCrlf()
    {
        var path = Temp.WriteFile("ws/lf.txt", "a\nb\n");
        await _tools.ViewAsync("lf.txt");

        await _tools.InvokeAsync("write", ("path", "lf.txt"), ("content", "a\r\nc\r\n"));

        Assert.Equal("a\nc\n"u8.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Write_DryRun_LeavesTheDiskUntouched()
    {
        var existing = Temp.WriteFile("ws/keep.txt", "old\n");
        await _tools.ViewAsync("keep.txt");

        var overwrite = await _tools.InvokeAsync("write", ("path", "keep.txt"), ("content", "new\n"), ("dry_run", true));
        var create = await _tools.InvokeAsync("write", ("path", "new/dir/file.txt"), ("content", "x\n"), ("dry_run", true));

        Assert.Equal("old\n"u8.ToArray(), File.ReadAllBytes(existing));
        Assert.False(Directory.Exists(Temp.Combine("ws", "new")));
        Assert.Contains("Nothing was written", overwrite, StringComparison.Ordinal);
        Assert.Contains("-old\n+new", overwrite, StringComparison.Ordinal);
        Assert.Contains("--- /dev/null\n+++ b/new/dir/file.txt", create, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_RefusesRelativePathsOutsideTheRoot_AndWritesNothing()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("write", ("path", "../escape.txt"), ("content", "x")));

        Assert.Contains("'../escape.txt' is outside the project root", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Temp.Combine("escape.txt")));
    }

    [Fact]
    public async Task Write_RefusesAbsolutePathsOutsideTheRoot_AndWritesNothing()
    {
        var outside = Temp.Combine("elsewhere", "abs.txt");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("write", ("path", outside), ("content", "x")));

        Assert.Contains("is outside the project root", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Temp.Combine("elsewhere")));
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public async Task Write_RefusesASymlinkToAFolderOutsideTheRoot()
    {
        Directory.CreateDirectory(Temp.Combine("outside"));
        Directory.CreateSymbolicLink(Temp.Combine("ws", "link"), Temp.Combine("outside"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("write", ("path", "link/x.txt"), ("content", "x")));

        Assert.Contains("outside the project root", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Temp.Combine("outside")));
    }

    [Fact]
    public async Task Write_LongDiff_IsCutWithANote()
    {
        var content = string.Concat(Enumerable.Range(1, 500).Select(i => $"line {i}\n"));

        var result = await _tools.InvokeAsync("write", ("path", "long.txt"), ("content", content));

        Assert.Equal(content, File.ReadAllText(Temp.Combine("ws", "long.txt")));
        Assert.Contains("+line 197\n", result, StringComparison.Ordinal);
        Assert.DoesNotContain("+line 198\n", result, StringComparison.Ordinal);
        Assert.EndsWith("… 303 more lines of the diff not shown", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_DescribesTheCallWithADiff_WithoutWriting()
    {
        var path = Temp.WriteFile("ws/src/notes.txt", "keep\nold\n");

        var description = _tools.Describe("write", ("path", "src/../src/notes.txt"), ("content", "keep\nnew\n"));

        Assert.Equal(ToolEffect.Write, _tools.Tool("write").Metadata.Effect);
        Assert.Equal("write", description.Action);
        Assert.Equal("src/notes.txt", description.Subject);
        Assert.Contains("-old\n+new", description.Details, StringComparison.Ordinal);
        Assert.Equal("keep\nold\n", File.ReadAllText(path));
    }

    [Fact]
    public void Write_DescribesOutsidePathsAsAbsolute_WithoutThrowing()
    {
        var description = _tools.Describe("write", ("path", "../escape.txt"), ("content", "x"));

        Assert.Equal(Path.Combine(WorkspacePaths.RealPath(Temp.Path), "escape.txt"), description.Subject);
        Assert.Null(description.Details);
        Assert.False(File.Exists(Temp.Combine("escape.txt")));
    }
}
