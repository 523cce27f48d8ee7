using AgentHost.Sdk.Tools;
using AgentHost.Tests.Files;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>The <c>move</c> tool, on real temp folders.</summary>
public sealed class MoveToolTests : IAsyncLifetime
{
    private readonly FileToolHarness _tools = new();

    private TempDirectory Temp => _tools.Temp;

    public Task InitializeAsync() => _tools.InitializeAsync();

    public Task DisposeAsync() => _tools.DisposeAsync();

    [Fact]
    public async Task Move_RenamesAFile_CreatingParentFolders()
    {
        Temp.WriteFile("ws/a.txt", "hello\n");
        await _tools.ViewAsync("a.txt");

        var result = await _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "docs/notes/b.txt"));

        Assert.False(File.Exists(Temp.Combine("ws", "a.txt")));
        Assert.Equal("hello\n", File.ReadAllText(Temp.Combine("ws", "docs", "notes", "b.txt")));
        Assert.Equal("Moved 'a.txt' (6 bytes) to 'docs/notes/b.txt'.\nCreating the folders 'docs/', 'docs/notes/'.", result);
    }

    [Fact]
    public async Task Move_ADestinationEndingInASlash_MovesIntoThatFolder()
    {
        Temp.WriteFile("ws/a.txt", "a");
        Directory.CreateDirectory(Temp.Combine("ws", "dir"));
        await _tools.ViewAsync("a.txt");

        await _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "dir/"));

        Assert.True(File.Exists(Temp.Combine("ws", "dir", "a.txt")));
    }

    [Fact]
    public async Task Move_AFolder_MovesEverythingInIt()
    {
        Temp.WriteFile("ws/old/x.txt", "x");
        Temp.WriteFile("ws/old/sub/y.txt", "yy");

        var result = await _tools.InvokeAsync("move", ("source", "old"), ("destination", "new"));

        Assert.False(Directory.Exists(Temp.Combine("ws", "old")));
        Assert.Equal("yy", File.ReadAllText(Temp.Combine("ws", "new", "sub", "y.txt")));
        Assert.Equal("Moved 'old/' (2 files, 1 folder, 3 bytes) to 'new/'.", result);
    }

    [Fact]
    public async Task Move_RefusesToReplaceAnExistingFile_UnlessOverwriteIsSet()
    {
        Temp.WriteFile("ws/a.txt", "new content\n");
        var target = Temp.WriteFile("ws/b.txt", "old content\n");
        await _tools.ViewAsync("a.txt");
        await _tools.ViewAsync("b.txt");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "b.txt")));
        Assert.Equal("old content\n", File.ReadAllText(target));
        var result = await _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "b.txt"), ("overwrite", true));

        Assert.Equal("destination 'b.txt' already exists; set overwrite to true to replace it, or choose another destination.", error.Message);
        Assert.Equal("new content\n", File.ReadAllText(target));
        Assert.False(File.Exists(Temp.Combine("ws", "a.txt")));
        Assert.Contains("Replacing the existing file 'b.txt'.", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Move_NeverReplacesAFolder_AndNeverMovesAFolderIntoItself()
    {
        Temp.WriteFile("ws/a.txt", "a");
        Temp.WriteFile("ws/dir/keep.txt", "k");
        await _tools.ViewAsync("a.txt");

        var intoFolder = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "dir"), ("overwrite", true)));
        var intoItself = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("move", ("source", "dir"), ("destination", "dir/sub/dir")));

        Assert.Contains("destination 'dir/' is an existing folder, and move never replaces a folder", intoFolder.Message, StringComparison.Ordinal);
        Assert.Contains("'dir/a.txt'", intoFolder.Message, StringComparison.Ordinal);
        Assert.Contains("is inside the folder being moved ('dir/')", intoItself.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Temp.Combine("ws", "a.txt")));
        Assert.True(File.Exists(Temp.Combine("ws", "dir", "keep.txt")));
    }

    [Theory]
    [InlineData("../outside.txt", "a.txt", "source '../outside.txt' is outside the project root")]
    [InlineData("a.txt", "../moved.txt", "destination '../moved.txt' is outside the project root")]
    [InlineData("a.txt", "sub/../../moved.txt", "destination 'sub/../../moved.txt' is outside the project root")]
    [InlineData(".", "elsewhere", "source '.' is the project root itself; it cannot be moved.")]
    [InlineData(".git", "git-backup", "source '.git' is in the repository's .git folder")]
    [InlineData("a.txt", ".git/hooks/pre-commit", "destination '.git/hooks/pre-commit' is in the repository's .git folder")]
    public async Task Move_RefusesPathsOutsideTheRoot_TheRootAndGit(string source, string destination, string expected)
    {
        Temp.WriteFile("outside.txt", "outside\n");
        Temp.WriteFile("ws/a.txt", "a\n");
        Temp.WriteFile("ws/.git/HEAD", "ref: refs/heads/main\n");
        await _tools.ViewAsync("a.txt");
        var before = _tools.Snapshot();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("move", ("source", source), ("destination", destination)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _tools.Snapshot());
    }

    [Fact]
    public async Task Move_RefusesAnAbsoluteDestinationOutsideTheRoot()
    {
        Temp.WriteFile("ws/a.txt", "a\n");
        await _tools.ViewAsync("a.txt");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", Temp.Combine("elsewhere", "a.txt"))));

        Assert.Contains("is outside the project root", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Temp.Combine("elsewhere")));
        Assert.True(File.Exists(Temp.Combine("ws", "a.txt")));
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public async Task Move_RefusesPathsThroughASymlinkToAFolderOutsideTheRoot()
    {
        Temp.WriteFile("outside/secret.txt", "secret\n");
        Temp.WriteFile("ws/a.txt", "a\n");
        Directory.CreateSymbolicLink(Temp.Combine("ws", "link"), Temp.Combine("outside"));
        await _tools.ViewAsync("a.txt");
        var before = _tools.Snapshot();

        var fromLink = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("move", ("source", "link/secret.txt"), ("destination", "stolen.txt")));
        var intoLink = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "link/a.txt")));

        Assert.Contains("source 'link/secret.txt' is outside the project root", fromLink.Message, StringComparison.Ordinal);
        Assert.Contains("destination 'link/a.txt' is outside the project root", intoLink.Message, StringComparison.Ordinal);
        Assert.Equal(before, _tools.Snapshot());
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public async Task Move_ASymbolicLink_MovesTheLinkItself()
    {
        Temp.WriteFile("outside/keep.txt", "keep\n");
        Directory.CreateSymbolicLink(Temp.Combine("ws", "link"), Temp.Combine("outside"));

        var result = await _tools.InvokeAsync("move", ("source", "link"), ("destination", "renamed"));

        Assert.Equal(Temp.Combine("outside"), new FileInfo(Temp.Combine("ws", "renamed")).LinkTarget);
        Assert.False(Path.Exists(Temp.Combine("ws", "link")));
        Assert.Equal("keep\n", File.ReadAllText(Temp.Combine("outside", "keep.txt")));
        Assert.StartsWith("Moved 'link' (a symbolic link to ", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Move_MissingSource_SuggestsCloseNames()
    {
        Temp.WriteFile("ws/notes.txt", "n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("move", ("source", "note.txt"), ("destination", "x.txt")));

        Assert.Equal("no file or folder 'note.txt' in the project; nothing to move. Did you mean: notes.txt?", error.Message);
    }

    [Fact]
    public async Task Move_DryRun_LeavesTheDiskUntouched_AndShowsThePlan()
    {
        Temp.WriteFile("ws/a.txt", "a\n");
        Temp.WriteFile("ws/b.txt", "b\n");
        await _tools.ViewAsync("a.txt");
        await _tools.ViewAsync("b.txt");
        var before = _tools.Snapshot();

        var rename = await _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "new/dir/a.txt"), ("dry_run", true));
        var replace = await _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "b.txt"), ("overwrite", true), ("dry_run", true));

        Assert.Equal(before, _tools.Snapshot());
        Assert.Equal("Dry run: would move 'a.txt' (2 bytes) to 'new/dir/a.txt'. Nothing was moved.\nCreating the folders 'new/', 'new/dir/'.", rename);
        Assert.Equal("Dry run: would move 'a.txt' (2 bytes) to 'b.txt'. Nothing was moved.\nReplacing the existing file 'b.txt'.", replace);
    }

    [Fact]
    public void Move_DescribesTheCallWithThePlan_WithoutMoving()
    {
        Temp.WriteFile("ws/src/a.txt", "a\n");
        var before = _tools.Snapshot();

        var description = _tools.Describe("move", ("source", "src/a.txt"), ("destination", "lib/a.txt"));

        Assert.Equal(ToolEffect.Write, _tools.Tool("move").Metadata.Effect);
        Assert.Equal(new ToolCallDescription("write", "src/a.txt") { Details = "move 'src/a.txt' (2 bytes) to 'lib/a.txt'\ncreating the folder 'lib/'", Paths = [new ToolCallPath("lib/a.txt", ToolEffect.Write)] }, description);
        Assert.Equal(before, _tools.Snapshot());
    }

    [Fact]
    public void Move_DescribesAnOutsideSourceAsAbsolute()
    {
        var description = _tools.Describe("move", ("source", "../x.txt"), ("destination", "x.txt"));

        Assert.Equal(new ToolCallDescription("write", Path.Combine(WorkspacePaths.RealPath(Temp.Path), "x.txt")) { Paths = [new ToolCallPath("x.txt", ToolEffect.Write)] }, description);
    }
}
