using AgentHost.Tests.GitTools;

namespace AgentHost.Plugins.Git.Tests;

/// <summary><c>git_log</c> (pages, path filter) and <c>git_show</c> (commits and files at a commit).</summary>
public sealed class GitHistoryTests
{
    [Fact]
    public async Task Log_PagesWithLimitAndOffset_NewestFirst()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        for (var i = 1; i <= 5; i++)
        {
            git.Commit("a.txt", $"{i}\n", $"commit {i}");
        }

        var first = await git.InvokeAsync("git_log", ("limit", 2));
        var second = await git.InvokeAsync("git_log", ("limit", 2), ("offset", 2));
        var last = await git.InvokeAsync("git_log", ("limit", 2), ("offset", 4));
        var beyond = await git.InvokeAsync("git_log", ("offset", 9));

        Assert.StartsWith("commits 1-2, newest first (more: offset=2):\n", first, StringComparison.Ordinal);
        Assert.EndsWith("Test Author  commit 4", first, StringComparison.Ordinal);
        Assert.Contains("Test Author  commit 5\n", first, StringComparison.Ordinal);
        Assert.StartsWith("commits 3-4, newest first (more: offset=4):\n", second, StringComparison.Ordinal);
        Assert.Contains("commit 3", second, StringComparison.Ordinal);
        Assert.Contains("commit 2", second, StringComparison.Ordinal);
        Assert.StartsWith("commits 5-5, newest first (no more):\n", last, StringComparison.Ordinal);
        Assert.EndsWith("commit 1", last, StringComparison.Ordinal);
        Assert.Equal("No commits at offset 9: the history has fewer.", beyond);
    }

    [Fact]
    public async Task Log_Lines_HaveHashDateAuthorAndSubject()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        var id = git.Commit("a.txt", "a\n", "Add ä file");

        var log = await git.InvokeAsync("git_log");

        var line = log.Split('\n')[1];
        Assert.Matches(@"^[0-9a-f]{7,}  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)  Test Author  Add ä file$", line);
        Assert.StartsWith(line[..7], id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_Path_ListsOnlyCommitsThatTouchIt()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("dir with space/naïve ü.txt", "1\n", "touch odd file");
        git.Commit("other.txt", "1\n", "touch other");

        var log = await git.InvokeAsync("git_log", ("path", "dir with space/naïve ü.txt"));

        Assert.Contains("touch odd file", log, StringComparison.Ordinal);
        Assert.DoesNotContain("touch other", log, StringComparison.Ordinal);
        Assert.StartsWith("commits 1-1 touching dir with space/naïve ü.txt", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_OfAnEmptyRepository_SaysThereAreNoCommits()
    {
        await using var git = await GitPluginFixture.LoadAsync();

        var log = await git.InvokeAsync("git_log");

        Assert.StartsWith("No commits yet", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_RejectsALimitOutOfRange()
    {
        await using var git = await GitPluginFixture.LoadAsync();

        var error = await git.FailAsync("git_log", ("limit", 500));

        Assert.StartsWith("limit must be from 1 to 200", error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task Show_ACommit_HasMessageStatAndPatch()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "one\n", "first");
        git.Write("a.txt", "two\n");
        git.Git("add", "a.txt");
        git.Git("commit", "-q", "-m", "Change a\n\nBecause reasons.");

        var show = await git.InvokeAsync("git_show");

        Assert.StartsWith("commit ", show, StringComparison.Ordinal);
        Assert.Contains("Author: Test Author <author@example.com>", show, StringComparison.Ordinal);
        Assert.Contains("    Change a\n    \n    Because reasons.", show, StringComparison.Ordinal);
        Assert.Contains(" a.txt | 2 +-", show, StringComparison.Ordinal);
        Assert.Contains("-one\n+two", show, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_RevColonPath_ShowsTheFileAsItWas()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("dir with space/naïve ü.txt", "old content\n", "first");
        git.Commit("dir with space/naïve ü.txt", "new content\n", "second");

        var colon = await git.InvokeAsync("git_show", ("rev", "HEAD~1:dir with space/naïve ü.txt"));
        var separate = await git.InvokeAsync("git_show", ("rev", "HEAD~1"), ("path", "dir with space/naïve ü.txt"));

        Assert.Equal("HEAD~1:dir with space/naïve ü.txt\nold content\n", colon);
        Assert.Equal(colon, separate);
    }

    [Fact]
    public async Task Show_AFileOutsideTheRoot_IsRefused()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");

        var error = await git.FailAsync("git_show", ("rev", "HEAD:../../etc/passwd"));

        Assert.StartsWith("path: '../../etc/passwd' is outside the project root", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_AnUnknownRevision_RelaysGitsMessage()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");

        var error = await git.FailAsync("git_show", ("rev", "no-such-branch"));

        Assert.StartsWith("git show failed (exit code 128):", error, StringComparison.Ordinal);
        Assert.Contains("no-such-branch", error, StringComparison.Ordinal);
        Assert.Contains("git_log lists commits", error, StringComparison.Ordinal);
    }
}
