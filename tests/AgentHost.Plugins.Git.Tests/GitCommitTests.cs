using AgentHost.Hosting.Plugins;
using AgentHost.Tests.GitTools;
using AgentHost.Tests.ShellTools;
using AgentHost.Tests.Support;
namespace AgentHost.Plugins.Git.Tests;

/// <summary><c>git_commit</c>: attribution trailers, the generated-with line, hooks that pass or reject, nothing staged, cancellation.</summary>
public sealed class GitCommitTests
{
    [Fact]
    public async Task Commit_ByDefault_AddsAnAssistedByTrailer_AndReportsTheNewCommit()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("dir with space/naïve ü.txt", "x\n");
        git.Git("add", ".");

        var result = await git.InvokeAsync("git_commit", ("message", "Add the naïve file\n\nWith details."));

        var id = git.Git("rev-parse", "HEAD").Trim();
        Assert.StartsWith($"Committed {id[..7]} on main: Add the naïve file\ncommit: {id}\ntrailer: Assisted-by: AgentHost\n", result, StringComparison.Ordinal);
        Assert.Contains("1 file changed, 1 insertion(+)", result, StringComparison.Ordinal);
        Assert.Equal("Add the naïve file\n\nWith details.\n\nGenerated with AgentHost\n\nAssisted-by: AgentHost\n", git.Git("log", "-1", "--format=%B").TrimEnd('\n') + "\n");
        Assert.Equal(string.Empty, git.Git("status", "--porcelain"));
    }

    [Fact]
    public async Task Commit_WhenTheHostNamesTheModel_PutsItInTheTrailer()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("a.txt", "a\n");
        git.Git("add", ".");
        var arguments = git.Arguments([("message", "Add a")], model: "gpt-test-1");

        await git.Tool("git_commit").Function.InvokeAsync(arguments);

        Assert.Equal("Add a\n\nGenerated with AgentHost\n\nAssisted-by: AgentHost:gpt-test-1", git.Git("log", "-1", "--format=%B").Trim());
    }

    [Fact]
    public async Task Commit_WithCoAuthoredBy_UsesTheConfiguredCoAuthor_InTheExistingTrailerBlock()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: true, ("attribution", "co-authored-by"), ("co_author", "Helper Bot <bot@example.com>"));
        git.Write("a.txt", "a\n");
        git.Git("add", ".");

        await git.InvokeAsync("git_commit", ("message", "Fix it\n\nRefs: #12"));

        Assert.Equal("Fix it\n\nGenerated with AgentHost\n\nRefs: #12\nCo-authored-by: Helper Bot <bot@example.com>", git.Git("log", "-1", "--format=%B").Trim());
    }

    [Fact]
    public async Task Commit_WithAttributionNone_AddsNoTrailer_AndKeepsHashLines()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: true, ("attribution", "none"));
        git.Write("a.txt", "a\n");
        git.Git("add", ".");

        var result = await git.InvokeAsync("git_commit", ("message", "Close issue\n\n#42 is fixed by this.\r\n"));

        Assert.Contains("trailer: none (attribution: none)", result, StringComparison.Ordinal);
        Assert.Equal("Close issue\n\n#42 is fixed by this.\n\nGenerated with AgentHost", git.Git("log", "-1", "--format=%B").Trim());
    }

    [Fact]
    public async Task Commit_WithGeneratedWithFalse_LeavesTheBodyAlone_AndKeepsTheTrailer()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: true, ("generated_with", "false"));
        git.Write("a.txt", "a\n");
        git.Git("add", ".");

        await git.InvokeAsync("git_commit", ("message", "Add a\n\nWith details."));

        Assert.Equal("Add a\n\nWith details.\n\nAssisted-by: AgentHost", git.Git("log", "-1", "--format=%B").Trim());
    }

    [Fact]
    public async Task Commit_WithGeneratedWithFalse_AndAttributionNone_CommitsTheMessageAsWritten()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: true, ("generated_with", "false"), ("attribution", "none"));
        git.Write("a.txt", "a\n");
        git.Git("add", ".");

        await git.InvokeAsync("git_commit", ("message", "Add a\n\nWith details."));

        Assert.Equal("Add a\n\nWith details.", git.Git("log", "-1", "--format=%B").Trim());
    }

    [Fact]
    public async Task Commit_WhoseMessageAlreadySaysGeneratedWith_GetsTheLineOnce()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("a.txt", "a\n");
        git.Git("add", ".");

        await git.InvokeAsync("git_commit", ("message", "Add a\n\nGenerated with AgentHost"));

        Assert.Equal("Add a\n\nGenerated with AgentHost\n\nAssisted-by: AgentHost", git.Git("log", "-1", "--format=%B").Trim());
    }

    [Fact]
    public async Task Commit_WithAnInvalidGeneratedWith_DoesNotLoad_NamingTheSetting()
    {
        var (git, result) = await GitPluginFixture.TryLoadAsync(("generated_with", "sometimes"));
        await using var _ = git;

        Assert.Equal(PluginLoadStatus.Failed, result.Status);
        Assert.Contains("plugins.settings.git.generated_with", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_WithNothingStaged_IsRefused_AndNoCommitIsMade()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        var before = git.Commit("a.txt", "a\n", "first");
        git.Write("a.txt", "changed but not staged\n");

        var error = await git.FailAsync("git_commit", ("message", "Nothing"));

        Assert.StartsWith("nothing is staged, so there is nothing to commit; stage changes with git_add first", error, StringComparison.Ordinal);
        Assert.Equal(before, git.Git("rev-parse", "HEAD").Trim());
    }

    [Fact]
    public async Task Commit_WithAnEmptyMessage_IsRefused()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("a.txt", "a\n");
        git.Git("add", ".");

        var error = await git.FailAsync("git_commit", ("message", " \n\n "));

        Assert.StartsWith("message is empty", error, StringComparison.Ordinal);
        Assert.NotEqual(0, GitPluginFixture.RunGit(git.Root, "rev-parse", "--verify", "-q", "HEAD").Code);
    }

    [Fact]
    public async Task Commit_RejectedByAPreCommitHook_IsRefused_WithTheHooksOutput()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        var before = git.Commit("a.txt", "a\n", "first");
        git.Hook("pre-commit", "echo 'lint: trailing whitespace in a.txt' >&2\nexit 1");
        git.Write("a.txt", "b \n");
        git.Git("add", ".");

        var error = await git.FailAsync("git_commit", ("message", "Change a"));

        Assert.StartsWith("git commit failed (exit code 1); nothing was committed.", error, StringComparison.Ordinal);
        Assert.Contains("hooks are never skipped", error, StringComparison.Ordinal);
        Assert.Contains("git's output (hooks included):\nlint: trailing whitespace in a.txt", error, StringComparison.Ordinal);
        Assert.Equal(before, git.Git("rev-parse", "HEAD").Trim());
        Assert.Equal("a.txt\n", git.Git("diff", "--cached", "--name-only"));
    }

    [Fact]
    public async Task Commit_RunsHooksThatPass_AndShowsTheirMessages()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Hook("pre-commit", "echo \"pre-commit ran (AGENTHOST=$AGENTHOST)\" >&2\ntouch \"$(git rev-parse --git-dir)/pre-commit-ran\"");
        git.Hook("commit-msg", "grep -q '^Assisted-by: AgentHost$' \"$1\" || { echo 'no trailer' >&2; exit 1; }");
        git.Write("a.txt", "a\n");
        git.Git("add", ".");

        var result = await git.InvokeAsync("git_commit", ("message", "Add a"));

        Assert.True(File.Exists(Path.Combine(git.Root, ".git", "pre-commit-ran")));
        Assert.Contains("git and hook messages:\npre-commit ran (AGENTHOST=1)", result, StringComparison.Ordinal);
        Assert.Equal("Add a", git.Git("log", "-1", "--format=%s").Trim());
    }

    [UnixFact("the hook is a POSIX shell script")]
    public async Task Commit_Cancelled_KillsTheHookAndCommitsNothing()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        var pidFile = git.Temp.Combine("hook.pid");
        git.Hook("pre-commit", $"echo $$ > '{pidFile}'\nsleep 60");
        git.Write("a.txt", "a\n");
        git.Git("add", ".");
        using var cancel = new CancellationTokenSource();

        var commit = git.InvokeAsync("git_commit", cancel.Token, ("message", "Add a"));
        var pid = await ProcessProbe.ReadPidAsync(pidFile);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => commit);
        Assert.True(await ProcessProbe.UntilAsync(() => !ProcessProbe.IsAlive(pid), TimeSpan.FromSeconds(10)), "the hook is still running");
        Assert.NotEqual(0, GitPluginFixture.RunGit(git.Root, "rev-parse", "--verify", "-q", "HEAD").Code);
    }

    [UnixFact("the hook is a POSIX shell script")]
    public async Task Commit_PastTheTimeLimit_IsStopped_WithTheSettingNamed()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: true, ("timeout_ms", "1000"));
        git.Hook("pre-commit", "echo 'checking…' >&2\nsleep 30");
        git.Write("a.txt", "a\n");
        git.Git("add", ".");

        var error = await git.FailAsync("git_commit", ("message", "Add a"));

        Assert.StartsWith("git commit did not finish within 1 s and was stopped (setting plugins.settings.git.timeout_ms)", error, StringComparison.Ordinal);
        Assert.NotEqual(0, GitPluginFixture.RunGit(git.Root, "rev-parse", "--verify", "-q", "HEAD").Code);
    }

    [Fact]
    public async Task CommitCall_IsAWriteOnTheBranch_PreviewingMessageTrailerAndStagedFiles()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit("a.txt", "a\n", "first");
        git.Write("a.txt", "changed\n");
        git.Write("dir with space/naïve ü.txt", "new\n");
        git.Git("add", ".");

        var description = await git.DescribeAsync("git_commit", "model-x", ("message", "Update things"));

        Assert.Equal(("write", "main"), (description.Action, description.Subject));
        Assert.Equal(
            "Commit on main with the message:\n\nUpdate things\n\nGenerated with AgentHost\n\nAssisted-by: AgentHost:model-x\n\nStaged changes (2):\n  modified: a.txt\n  added: dir with space/naïve ü.txt",
            description.Details);
        Assert.Equal("first", git.Git("log", "-1", "--format=%s").Trim());
    }
}
