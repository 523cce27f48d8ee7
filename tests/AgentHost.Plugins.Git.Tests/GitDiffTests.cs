using AgentHost.Tests.GitTools;

namespace AgentHost.Plugins.Git.Tests;

/// <summary><c>git_diff</c>: unstaged, staged, path, range, the size cap, and refused arguments.</summary>
public sealed class GitDiffTests
{
    [Fact]
    public async Task Diff_ByDefault_ShowsUnstagedChanges_AsStatAndPatch()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "one\ntwo\n", "first");
        git.Write("a.txt", "one\nTWO\n");

        var diff = await git.InvokeAsync("git_diff");

        Assert.StartsWith("unstaged changes (working tree vs staging area):\n a.txt | 2 +-\n 1 file changed", diff, StringComparison.Ordinal);
        Assert.Contains("--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO", diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_Staged_ShowsOnlyWhatIsStaged()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");
        git.Commit("b.txt", "b\n", "second");
        git.Write("a.txt", "staged\n");
        git.Git("add", "a.txt");
        git.Write("b.txt", "not staged\n");

        var staged = await git.InvokeAsync("git_diff", ("staged", true));
        var unstaged = await git.InvokeAsync("git_diff");

        Assert.Contains("+staged", staged, StringComparison.Ordinal);
        Assert.DoesNotContain("b.txt", staged, StringComparison.Ordinal);
        Assert.Contains("+not staged", unstaged, StringComparison.Ordinal);
        Assert.DoesNotContain("a.txt", unstaged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_Path_LimitsToThatFile_WithSpacesAndNonAscii()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("dir with space/naïve ü.txt", "old\n", "first");
        git.Commit("other.txt", "x\n", "second");
        git.Write("dir with space/naïve ü.txt", "new\n");
        git.Write("other.txt", "y\n");

        var diff = await git.InvokeAsync("git_diff", ("path", "dir with space/naïve ü.txt"));

        Assert.Contains("+++ b/dir with space/naïve ü.txt", diff, StringComparison.Ordinal);
        Assert.Contains("+new", diff, StringComparison.Ordinal);
        Assert.DoesNotContain("other.txt", diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_Range_ComparesCommits()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "v1\n", "first");
        git.Commit("a.txt", "v2\n", "second");
        git.Commit("a.txt", "v3\n", "third");

        var diff = await git.InvokeAsync("git_diff", ("range", "HEAD~2..HEAD~1"));

        Assert.StartsWith("changes in HEAD~2..HEAD~1:\n", diff, StringComparison.Ordinal);
        Assert.Contains("-v1\n+v2", diff, StringComparison.Ordinal);
        Assert.DoesNotContain("v3", diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_WithNoChanges_SaysSo_AndPointsToStaged()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");
        git.Write("a.txt", "b\n");
        git.Git("add", "a.txt");

        var diff = await git.InvokeAsync("git_diff");

        Assert.Equal("No unstaged changes (working tree vs staging area). Staged changes: git_diff with staged=true; untracked files are listed by git_status.", diff);
    }

    [Fact]
    public async Task Diff_LargerThanTheLimit_IsCut_WithAHintToNarrowByPath()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: true, ("max_output_chars", "2000"));
        git.Commit("big.txt", "start\n", "first");
        git.Commit("small.txt", "small\n", "second");
        git.Write("big.txt", string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n")));
        git.Write("small.txt", "changed\n");

        var diff = await git.InvokeAsync("git_diff");

        Assert.True(diff.Length <= 2000, $"{diff.Length} characters");
        Assert.Contains(" big.txt   | 2001 ", diff, StringComparison.Ordinal);
        Assert.Contains(" small.txt |    2 ", diff, StringComparison.Ordinal);
        Assert.Contains("[truncated: ", diff, StringComparison.Ordinal);
        Assert.Contains("narrow it with path", diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_StagedWithRange_IsRefused()
    {
        await using var git = await GitPluginFixture.LoadAsync();

        var error = await git.FailAsync("git_diff", ("staged", true), ("range", "HEAD~1..HEAD"));

        Assert.StartsWith("staged and range cannot be combined", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_OptionInjection_IsRefused_BeforeGitRuns()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");
        var target = git.Temp.Combine("written-by-git.txt");

        var byRange = await git.FailAsync("git_diff", ("range", "--output=" + target));
        var byPath = await git.FailAsync("git_diff", ("path", "-x"));

        Assert.Contains("starts with '-', which git would read as an option", byRange, StringComparison.Ordinal);
        Assert.Contains("'-x' starts with '-'", byPath, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Diff_PathOutsideTheRoot_IsRefused()
    {
        await using var git = await GitPluginFixture.LoadAsync();

        var error = await git.FailAsync("git_diff", ("path", "../elsewhere.txt"));

        Assert.StartsWith("path: '../elsewhere.txt' is outside the project root", error, StringComparison.Ordinal);
    }
}
