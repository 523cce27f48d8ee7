using AgentHost.Sdk.Tools;
using AgentHost.Tests.Files;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>The <c>delete</c> tool, on real temp folders.</summary>
public sealed class DeleteToolTests : IAsyncLifetime
{
    private readonly FileToolHarness _tools = new();

    private TempDirectory Temp => _tools.Temp;

    public Task InitializeAsync() => _tools.InitializeAsync();

    public Task DisposeAsync() => _tools.DisposeAsync();

    [Fact]
    public async Task Delete_AFile_ReturnsTheDiffOfTheRemovedLines()
    {
        var path = Temp.WriteFile("ws/old.txt", "one\ntwo\n");
        await _tools.ViewAsync("old.txt");

        var result = await _tools.InvokeAsync("delete", ("path", "old.txt"));

        Assert.False(File.Exists(path));
        Assert.Equal("Deleted 'old.txt' (2 lines, 8 bytes).\n\n--- a/old.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two", result);
    }

    [Fact]
    public async Task Delete_ABinaryFile_IsSummarisedBySize()
    {
        var path = Temp.Combine("ws", "blob.bin");
        File.WriteAllBytes(path, [1, 0, 2, 0]);
        await _tools.ViewAsync("blob.bin");

        var result = await _tools.InvokeAsync("delete", ("path", "blob.bin"));

        Assert.False(File.Exists(path));
        Assert.Equal("Deleted 'blob.bin' (a binary or large file, 4 bytes).", result);
    }

    [Fact]
    public async Task Delete_AFolder_NeedsRecursive_AndThenListsWhatWent()
    {
        Temp.WriteFile("ws/build/out.txt", "out");
        Temp.WriteFile("ws/build/sub/more.txt", "more!");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("delete", ("path", "build")));
        Assert.True(Directory.Exists(Temp.Combine("ws", "build")));
        var result = await _tools.InvokeAsync("delete", ("path", "build"), ("recursive", true));

        Assert.Equal("'build/' is a folder with 2 files, 1 folder, 8 bytes; set recursive to true to delete it and everything in it, or delete single files.", error.Message);
        Assert.False(Directory.Exists(Temp.Combine("ws", "build")));
        Assert.Equal("Deleted the folder 'build/' and everything in it (2 files, 1 folder, 8 bytes).\n\nbuild/out.txt\nbuild/sub/\nbuild/sub/more.txt", result);
    }

    [Fact]
    public async Task Delete_ListsAtMostFiftyEntries()
    {
        for (var i = 0; i < 60; i++)
        {
            Temp.WriteFile($"ws/many/f{i:D2}.txt", "x");
        }

        var result = await _tools.InvokeAsync("delete", ("path", "many"), ("recursive", true), ("dry_run", true));

        Assert.Contains("many/f49.txt\n… and 10 more", result, StringComparison.Ordinal);
        Assert.DoesNotContain("many/f50.txt", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".", "path '.' is the project root itself; it cannot be deleted.")]
    [InlineData("src/..", "path 'src/..' is the project root itself; it cannot be deleted.")]
    [InlineData(".git", "path '.git' is in the repository's .git folder")]
    [InlineData(".git/config", "path '.git/config' is in the repository's .git folder")]
    [InlineData("vendor", "'vendor/' holds a git repository ('vendor/lib/.git')")]
    [InlineData("../outside.txt", "path '../outside.txt' is outside the project root")]
    public async Task Delete_RefusesTheRoot_Git_Repositories_AndPathsOutside(string path, string expected)
    {
        Temp.WriteFile("outside.txt", "outside\n");
        Temp.WriteFile("ws/src/a.txt", "a\n");
        Temp.WriteFile("ws/.git/config", "[core]\n");
        Temp.WriteFile("ws/vendor/lib/.git/HEAD", "ref: refs/heads/main\n");
        var before = _tools.Snapshot();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("delete", ("path", path), ("recursive", true)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _tools.Snapshot());
    }

    [Fact]
    public async Task Delete_RefusesAnAbsolutePathOutsideTheRoot()
    {
        var outside = Temp.WriteFile("outside.txt", "outside\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("delete", ("path", outside)));

        Assert.Contains("is outside the project root", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(outside));
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public async Task Delete_ThroughASymlinkToAFolderOutside_IsRefused_ButTheLinkItselfCanGo()
    {
        var secret = Temp.WriteFile("outside/secret.txt", "secret\n");
        Directory.CreateSymbolicLink(Temp.Combine("ws", "link"), Temp.Combine("outside"));

        var through = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("delete", ("path", "link/secret.txt")));
        var result = await _tools.InvokeAsync("delete", ("path", "link"), ("recursive", true));

        Assert.Contains("path 'link/secret.txt' is outside the project root", through.Message, StringComparison.Ordinal);
        Assert.StartsWith("Deleted the symbolic link 'link' (it points to ", result, StringComparison.Ordinal);
        Assert.False(Path.Exists(Temp.Combine("ws", "link")));
        Assert.Equal("secret\n", File.ReadAllText(secret));
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public async Task Delete_AFolderHoldingALinkToOutside_RemovesTheLink_NotWhatItPointsTo()
    {
        var secret = Temp.WriteFile("outside/secret.txt", "secret\n");
        Temp.WriteFile("ws/tmp/a.txt", "a");
        Directory.CreateSymbolicLink(Temp.Combine("ws", "tmp", "out"), Temp.Combine("outside"));

        var result = await _tools.InvokeAsync("delete", ("path", "tmp"), ("recursive", true));

        Assert.False(Directory.Exists(Temp.Combine("ws", "tmp")));
        Assert.Equal("secret\n", File.ReadAllText(secret));
        Assert.Contains($"tmp/out -> {Temp.Combine("outside")}", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_DryRun_LeavesTheDiskUntouched_AndShowsWhatWouldGo()
    {
        Temp.WriteFile("ws/a.txt", "alpha\n");
        Temp.WriteFile("ws/dir/b.txt", "b");
        await _tools.ViewAsync("a.txt");
        var before = _tools.Snapshot();

        var file = await _tools.InvokeAsync("delete", ("path", "a.txt"), ("dry_run", true));
        var folder = await _tools.InvokeAsync("delete", ("path", "dir"), ("recursive", true), ("dry_run", true));

        Assert.Equal(before, _tools.Snapshot());
        Assert.Equal("Dry run: would delete 'a.txt' (1 line, 6 bytes). Nothing was deleted.\n\n--- a/a.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-alpha", file);
        Assert.Equal("Dry run: would delete the folder 'dir/' and everything in it (1 file, 0 folders, 1 byte). Nothing was deleted.\n\ndir/b.txt", folder);
    }

    [Fact]
    public async Task Delete_MissingPath_SuggestsCloseNames()
    {
        Temp.WriteFile("ws/src/config.json", "{}");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("delete", ("path", "src/confg.json")));

        Assert.Equal("no file or folder 'src/confg.json' in the project; nothing to delete. Did you mean: src/config.json?", error.Message);
    }

    [Fact]
    public void Delete_DescribesTheCallWithTheDiff_WithoutDeleting()
    {
        var path = Temp.WriteFile("ws/src/old.txt", "bye\n");

        var description = _tools.Describe("delete", ("path", "src/old.txt"));

        Assert.Equal(ToolEffect.Write, _tools.Tool("delete").Metadata.Effect);
        Assert.Equal(("write", "src/old.txt"), (description.Action, description.Subject));
        Assert.Equal("delete 'src/old.txt' (1 line, 4 bytes)\n\n--- a/src/old.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-bye", description.Details);
        Assert.True(File.Exists(path));
    }
}
