using AgentHost.Tests.GitTools;

namespace AgentHost.Plugins.Git.Tests;

/// <summary><c>git_branch_list</c>, <c>git_branch_create</c> and <c>git_switch</c>.</summary>
public sealed class GitBranchTests
{
    [Fact]
    public async Task BranchCreate_MakesABranchWithoutSwitching_AndListShowsBoth()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");

        var created = await git.InvokeAsync("git_branch_create", ("name", "feature/ünï"));
        var list = await git.InvokeAsync("git_branch_list");

        Assert.StartsWith("Created branch 'feature/ünï' at ", created, StringComparison.Ordinal);
        Assert.Contains("Still on 'main'", created, StringComparison.Ordinal);
        Assert.Equal("main", git.Git("branch", "--show-current").Trim());
        Assert.Contains("\n* main ", list, StringComparison.Ordinal);
        Assert.Contains("\n  feature/ünï ", list, StringComparison.Ordinal);
        Assert.Contains("first", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BranchCreate_AtStartPoint_UsesIt()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        var first = git.Commit("a.txt", "1\n", "first");
        git.Commit("a.txt", "2\n", "second");

        await git.InvokeAsync("git_branch_create", ("name", "old"), ("start_point", "HEAD~1"));

        Assert.Equal(first, git.Git("rev-parse", "old").Trim());
    }

    [Fact]
    public async Task BranchCreate_OfAnExistingBranch_IsRefused_AndItIsNotMoved()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        var first = git.Commit("a.txt", "1\n", "first");
        git.Git("branch", "keep");
        git.Commit("a.txt", "2\n", "second");

        var error = await git.FailAsync("git_branch_create", ("name", "keep"));

        Assert.Contains("already exists", error, StringComparison.Ordinal);
        Assert.Equal(first, git.Git("rev-parse", "keep").Trim());
    }

    [Fact]
    public async Task BranchCreate_WithANameLikeAnOption_IsRefused()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "1\n", "first");

        var error = await git.FailAsync("git_branch_create", ("name", "-D"));

        Assert.StartsWith("name: '-D' starts with '-'", error, StringComparison.Ordinal);
        Assert.Equal("main", git.Git("branch", "--format=%(refname:short)").Trim());
    }

    [Fact]
    public async Task Switch_ToAnExistingBranch_ChangesTheWorkingTree()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "main\n", "first");
        git.Git("switch", "-q", "-c", "other");
        git.Commit("a.txt", "other\n", "on other");
        git.Git("switch", "-q", "main");

        var result = await git.InvokeAsync("git_switch", ("branch", "other"));

        Assert.StartsWith("Switched to branch 'other' at ", result, StringComparison.Ordinal);
        Assert.Contains("\"on other\"", result, StringComparison.Ordinal);
        Assert.Equal("other\n", git.Read("a.txt"));
        Assert.Equal("other", git.Git("branch", "--show-current").Trim());
    }

    [Fact]
    public async Task Switch_Create_MakesAndChecksOutANewBranch()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");

        var result = await git.InvokeAsync("git_switch", ("branch", "fix/x"), ("create", true));

        Assert.StartsWith("Switched to a new branch 'fix/x'", result, StringComparison.Ordinal);
        Assert.Equal("fix/x", git.Git("branch", "--show-current").Trim());
    }

    [Fact]
    public async Task Switch_ThatWouldLoseUncommittedChanges_IsRefused_AndTheChangesStay()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "main\n", "first");
        git.Git("switch", "-q", "-c", "other");
        git.Commit("a.txt", "other\n", "on other");
        git.Git("switch", "-q", "main");
        git.Write("a.txt", "precious local edit\n");

        var error = await git.FailAsync("git_switch", ("branch", "other"));

        Assert.StartsWith("git refused to switch to 'other'; nothing was changed.", error, StringComparison.Ordinal);
        Assert.Contains("a.txt", error, StringComparison.Ordinal);
        Assert.Contains("commit them (git_add, git_commit) or discard them (git_restore) first", error, StringComparison.Ordinal);
        Assert.Equal("precious local edit\n", git.Read("a.txt"));
        Assert.Equal("main", git.Git("branch", "--show-current").Trim());
    }

    [Fact]
    public async Task Switch_ToAMissingBranch_RelaysGit_AndSuggestsCreate()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");

        var error = await git.FailAsync("git_switch", ("branch", "nope"));

        Assert.Contains("invalid reference: nope", error, StringComparison.Ordinal);
        Assert.Contains("pass create=true", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BranchList_OnADetachedHead_SaysSo()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "1\n", "first");
        git.Commit("a.txt", "2\n", "second");
        git.Git("switch", "-q", "--detach", "HEAD~1");

        var list = await git.InvokeAsync("git_branch_list");

        Assert.Contains("* (HEAD detached at ", list, StringComparison.Ordinal);
        Assert.Contains("\n  main ", list, StringComparison.Ordinal);
    }
}
