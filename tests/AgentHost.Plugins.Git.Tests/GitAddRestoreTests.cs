using AgentHost.Tests.GitTools;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Git.Tests;

/// <summary><c>git_add</c> and <c>git_restore</c>: named paths only, confined to the project root.</summary>
public sealed class GitAddRestoreTests
{
    [Fact]
    public async Task Add_StagesPathsWithSpacesAndNonAscii_AndReportsWhatIsStaged()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("dir with space/naïve ü.txt", "x\n");
        git.Write("other.txt", "y\n");

        var result = await git.InvokeAsync("git_add", ("paths", GitPluginFixture.Paths("dir with space/naïve ü.txt")));

        Assert.Equal("Staged dir with space/naïve ü.txt. Now staged for the next commit (1):\n  added: dir with space/naïve ü.txt", result);
        Assert.Equal("dir with space/naïve ü.txt\n", git.Git("diff", "--cached", "--name-only"));
    }

    [Fact]
    public async Task Add_TakesPathsLiterally_NotAsGlobs()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("a.txt", "a\n");
        git.Write("b.txt", "b\n");

        var error = await git.FailAsync("git_add", ("paths", GitPluginFixture.Paths("*.txt")));

        Assert.Contains("did not match any files", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, git.Git("diff", "--cached", "--name-only"));
    }

    [Fact]
    public async Task Add_ADeletedFile_StagesTheDeletion()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("gone.txt", "x\n", "first");
        File.Delete(Path.Combine(git.Root, "gone.txt"));

        var result = await git.InvokeAsync("git_add", ("paths", GitPluginFixture.Paths("gone.txt")));

        Assert.Contains("  deleted: gone.txt", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside.txt", "is outside the project root")]
    [InlineData("-A", "starts with '-', which git would read as an option")]
    [InlineData("--all", "starts with '-', which git would read as an option")]
    public async Task Add_RefusesPathsOutsideTheRootAndOptionInjection_AndStagesNothing(string path, string message)
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("a.txt", "a\n");

        var error = await git.FailAsync("git_add", ("paths", GitPluginFixture.Paths("a.txt", path)));

        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.StartsWith("paths[1]: ", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, git.Git("diff", "--cached", "--name-only"));
    }

    [SymlinkFact]
    public async Task Add_ThroughASymbolicLinkLeavingTheRoot_IsRefused()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        Directory.CreateDirectory(git.Temp.Combine("outside"));
        File.WriteAllText(git.Temp.Combine("outside", "secret.txt"), "s\n");
        Directory.CreateSymbolicLink(Path.Combine(git.Root, "link"), git.Temp.Combine("outside"));

        var error = await git.FailAsync("git_add", ("paths", GitPluginFixture.Paths("link/secret.txt")));

        Assert.Contains("is outside the project root", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_WithoutPaths_IsRefused()
    {
        await using var git = await GitPluginFixture.LoadAsync();

        var error = await git.FailAsync("git_add", ("paths", GitPluginFixture.Paths()));

        Assert.StartsWith("paths is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_DiscardsWorkingTreeChanges_OfTheNamedFileOnly()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("dir with space/naïve ü.txt", "original\n", "first");
        git.Commit("keep.txt", "original\n", "second");
        git.Write("dir with space/naïve ü.txt", "edited\n");
        git.Write("keep.txt", "edited\n");

        var result = await git.InvokeAsync("git_restore", ("paths", GitPluginFixture.Paths("dir with space/naïve ü.txt")));

        Assert.Equal("Restored dir with space/naïve ü.txt in the working tree (unstaged changes discarded) from the staging area.", result);
        Assert.Equal("original\n", git.Read("dir with space/naïve ü.txt"));
        Assert.Equal("edited\n", git.Read("keep.txt"));
    }

    [Fact]
    public async Task Restore_Staged_Unstages_AndKeepsTheWorkingTree()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "original\n", "first");
        git.Write("a.txt", "edited\n");
        git.Git("add", "a.txt");

        await git.InvokeAsync("git_restore", ("paths", GitPluginFixture.Paths("a.txt")), ("staged", true));

        Assert.Equal(string.Empty, git.Git("diff", "--cached", "--name-only"));
        Assert.Equal("edited\n", git.Read("a.txt"));
    }

    [Fact]
    public async Task Restore_FromASource_TakesTheFileFromThatCommit()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "v1\n", "first");
        git.Commit("a.txt", "v2\n", "second");

        await git.InvokeAsync("git_restore", ("paths", GitPluginFixture.Paths("a.txt")), ("source", "HEAD~1"));

        Assert.Equal("v1\n", git.Read("a.txt"));
    }

    [Fact]
    public async Task Restore_WithoutPaths_IsRefused_AndNothingChanges()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "original\n", "first");
        git.Write("a.txt", "edited\n");

        var error = await git.FailAsync("git_restore", ("paths", GitPluginFixture.Paths()));

        Assert.StartsWith("paths is required: name the files to restore", error, StringComparison.Ordinal);
        Assert.Equal("edited\n", git.Read("a.txt"));
    }

    [Fact]
    public async Task Restore_AnUntrackedFile_SaysGitDoesNotKnowIt()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");
        git.Write("new.txt", "n\n");

        var error = await git.FailAsync("git_restore", ("paths", GitPluginFixture.Paths("new.txt")));

        Assert.Contains("untracked files cannot be restored", error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(git.Root, "new.txt")));
    }

    [Fact]
    public async Task RestoreCall_IsAWrite_NamingThePath_WithTheChangesItWouldDiscard()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "original\n", "first");
        git.Write("a.txt", "edited\n");

        var description = await git.DescribeAsync("git_restore", null, ("paths", GitPluginFixture.Paths("a.txt")));

        Assert.Equal(("write", "a.txt"), (description.Action, description.Subject));
        Assert.StartsWith("Working-tree changes that will be discarded", description.Details, StringComparison.Ordinal);
        Assert.Contains("-original\n+edited", description.Details, StringComparison.Ordinal);
        Assert.Equal("edited\n", git.Read("a.txt"));
    }

    [Fact]
    public async Task AddCall_WithSeveralPaths_NamesEachOnItsOwnLine_AndAnOutsidePathAbsolutely()
    {
        await using var git = await GitPluginFixture.LoadAsync();

        var description = await git.DescribeAsync("git_add", null, ("paths", GitPluginFixture.Paths("a.txt", "../x.txt")));

        Assert.Equal("stage", description.Action);
        var lines = description.Subject!.Split('\n');
        Assert.Equal("a.txt", lines[0]);
        Assert.True(Path.IsPathFullyQualified(lines[1]), lines[1]);
        Assert.EndsWith("x.txt", lines[1], StringComparison.Ordinal);
    }
}
