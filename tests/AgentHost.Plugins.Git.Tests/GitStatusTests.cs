using AgentHost.Tests.GitTools;
using AgentHost.Tests.Support;
namespace AgentHost.Plugins.Git.Tests;

/// <summary><c>git_status</c> on real repositories, and the refusals every tool shares (no repository, no git).</summary>
public sealed class GitStatusTests
{
    private const string OddPath = "dir with space/naïve ü.txt";

    [Fact]
    public async Task Status_GroupsStagedUnstagedAndUntracked_WithSpacesAndNonAsciiPaths()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("tracked.txt", "one\n", "first");
        git.Commit("gone.txt", "bye\n", "second");
        git.Write(OddPath, "new\n");
        git.Git("add", "--", OddPath);
        git.Write("tracked.txt", "two\n");
        File.Delete(Path.Combine(git.Root, "gone.txt"));
        git.Write("ünïcode notes.md", "untracked\n");

        var status = await git.InvokeAsync("git_status");

        Assert.StartsWith("branch: main (no upstream)\n", status, StringComparison.Ordinal);
        Assert.Contains("staged (will be committed) (1):\n  added: dir with space/naïve ü.txt\n", status, StringComparison.Ordinal);
        Assert.Contains("(2):\n  deleted: gone.txt\n  modified: tracked.txt\n", status, StringComparison.Ordinal);
        Assert.Contains("unstaged (not staged", status, StringComparison.Ordinal);
        Assert.EndsWith("untracked (1):\n  ünïcode notes.md", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ShowsAStagedRename_AsOldArrowNew()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("old name.txt", "content that stays the same\n", "first");
        git.Git("mv", "old name.txt", "new näme.txt");

        var status = await git.InvokeAsync("git_status");

        Assert.Contains("  renamed: old name.txt -> new näme.txt", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ListsConflicts_AfterAConflictingMerge()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("shared.txt", "base\n", "base");
        git.Git("switch", "-q", "-c", "other");
        git.Commit("shared.txt", "theirs\n", "theirs");
        git.Git("switch", "-q", "main");
        git.Commit("shared.txt", "ours\n", "ours");
        var (code, _, _) = GitPluginFixture.RunGit(git.Root, "merge", "-q", "other");
        Assert.NotEqual(0, code);

        var status = await git.InvokeAsync("git_status");

        Assert.Contains("conflicts (resolve, then git_add each file) (1):\n  both modified: shared.txt", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ShowsUpstreamWithAheadAndBehind()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: false);
        var origin = git.Temp.Combine("origin");
        Directory.CreateDirectory(origin);
        GitPluginFixture.GitIn(origin, "init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(origin, "a.txt"), "a\n");
        GitPluginFixture.GitIn(origin, "add", "a.txt");
        GitPluginFixture.GitIn(origin, "commit", "-q", "-m", "a");
        GitPluginFixture.GitIn(git.Temp.Path, "clone", "-q", origin, "ws");
        File.WriteAllText(Path.Combine(origin, "b.txt"), "b\n");
        GitPluginFixture.GitIn(origin, "add", "b.txt");
        GitPluginFixture.GitIn(origin, "commit", "-q", "-m", "b");
        git.Git("fetch", "-q");
        git.Commit("c.txt", "c\n", "c");

        var status = await git.InvokeAsync("git_status");

        Assert.StartsWith("branch: main (upstream origin/main, ahead 1, behind 1)\nclean", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_OfACleanNewRepository_SaysSo()
    {
        await using var git = await GitPluginFixture.LoadAsync();

        var status = await git.InvokeAsync("git_status");

        Assert.Equal("branch: main (no commits yet) (no upstream)\nclean: nothing to commit, no untracked files", status);
    }

    [Fact]
    public async Task Status_InASubfolderProject_ShowsPathsRelativeToTheProjectRoot()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: false);
        GitPluginFixture.GitIn(git.Temp.Path, "init", "-q", "-b", "main");
        git.Commit("inside.txt", "x\n", "first");
        git.Write("inside.txt", "changed\n");
        File.WriteAllText(git.Temp.Combine("outside.txt"), "y\n");

        var status = await git.InvokeAsync("git_status");
        var diff = await git.InvokeAsync("git_diff");

        Assert.Contains("  modified: inside.txt\n", status, StringComparison.Ordinal);
        Assert.EndsWith("untracked (1):\n  ../outside.txt", status, StringComparison.Ordinal);
        Assert.DoesNotContain("ws/inside.txt", status, StringComparison.Ordinal);
        Assert.Contains("+++ b/inside.txt", diff, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("git_status")]
    [InlineData("git_log")]
    [InlineData("git_branch_list")]
    public async Task ReadTools_OutsideARepository_SayToRunGitInit(string tool)
    {
        await using var git = await GitPluginFixture.LoadAsync(init: false);

        var error = await git.FailAsync(tool);

        Assert.StartsWith("not a git repository: the project root ", error, StringComparison.Ordinal);
        Assert.Contains("run git init", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_OutsideARepository_SaysToRunGitInit_AndCreatesNothing()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: false);

        var error = await git.FailAsync("git_commit", ("message", "x"));

        Assert.StartsWith("not a git repository", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(git.Root, ".git")));
    }

    [Fact]
    public async Task WithoutGit_TheToolSaysGitIsNotInstalled()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: true, ("program", "agenthost-no-such-git"));

        var error = await git.FailAsync("git_status");

        Assert.StartsWith("git is not installed or not on PATH", error, StringComparison.Ordinal);
        Assert.Contains("plugins.settings.git.program", error, StringComparison.Ordinal);
    }

    [UnixFact("the planted git is a POSIX shell script")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the analyzer's view of the [UnixFact] skip
    public async Task AGitProgramInsideTheProject_IsNeverRun()
    {
        await using var git = await GitPluginFixture.LoadAsync(true, root => [("program", Path.Combine(root, "tools", "git"))]);
        var fake = git.Write("tools/git", "#!/bin/sh\ntouch \"$(dirname \"$0\")/ran\"\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var error = await git.FailAsync("git_status");

        Assert.Contains("is inside the project, which could have supplied it", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(git.Root, "tools", "ran")));
    }
}
