using AgentHost.Tests.Support;

namespace AgentHost.Tests.Processes;

/// <summary>
/// Issue #17, classes 1 and 2, end to end through the real <c>agent</c>: a repository that ships programs named git
/// (found through "." and the relative node_modules/.bin on PATH, or the working directory) or whose .git/config names
/// a program for every key git runs one from, must never get one run by <c>agent init</c>, an <c>@dir/</c>
/// reference, the system prompt's git status, or the git plugin's tools — while the real git still answers
/// (<c>bin/kept.txt</c> is listed only by git: a plain walk skips <c>bin/</c>).
/// </summary>
public sealed class ProjectProgramTests
{
    private const string ReadEverything = """
        turns:
          - expect:
              last_user_contains: "bin/kept.txt"
            tool_calls:
              - { name: git_status, arguments: {} }
              - { name: git_diff, arguments: {} }
              - { name: git_diff, arguments: { path: a.txt } }
              - { name: git_diff, arguments: { range: "HEAD" } }
              - { name: git_log, arguments: {} }
              - { name: git_log, arguments: { path: a.txt } }
              - { name: git_show, arguments: {} }
              - { name: git_show, arguments: { rev: "HEAD:a.txt" } }
              - { name: git_branch_list, arguments: {} }
          - expect:
              tool_results_contain: ["a.txt", "+two", "first", "main"]
            text: Read it all.
        """;

    [UnixTheory("the planted programs are POSIX shell scripts")]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task ReadPaths_NeverRunTheRepositorysPrograms_AndTheRealGitAnswers(bool plantGit, bool poisonConfig)
    {
        using var repo = Hostile(plantGit, poisonConfig);
        var script = repo.WriteScript(ReadEverything);

        var result = await repo.RunAsync("run", "look at @./ please", "-p", "scripted", "-p", "git", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("Read it all.", result.Output, StringComparison.Ordinal);
        Assert.True(repo.MarkerText.Length == 0, "a repository program ran:\n" + repo.MarkerText);
    }

    [UnixTheory("the planted programs are POSIX shell scripts")]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Init_NeverRunsTheRepositorysPrograms(bool plantGit, bool poisonConfig)
    {
        using var repo = Hostile(plantGit, poisonConfig);

        var result = await repo.RunAsync("init");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.True(repo.MarkerText.Length == 0, "a repository program ran:\n" + repo.MarkerText);
    }

    [UnixFact("the planted programs are POSIX shell scripts")]
    public async Task PromptGitStatus_NeverRunsTheRepositorysConfigPrograms_AndReadsTheRealStatus()
    {
        using var repo = Hostile(plantGit: false, poisonConfig: true);

        var status = await new AgentHost.Agent.Engine.GitStatusReader(timeout: TimeSpan.FromSeconds(30)).ReadAsync(repo.Root);

        Assert.NotNull(status);
        Assert.Equal("main", status.Branch);
        Assert.Contains(" M a.txt", status.Changes);
        Assert.True(repo.MarkerText.Length == 0, "a repository program ran:\n" + repo.MarkerText);
    }

    [UnixFact("the planted programs are POSIX shell scripts")]
    public async Task Doctor_FindsTheRealGit_NotThePlantedOne()
    {
        using var repo = Hostile(plantGit: true, poisonConfig: false);

        var result = await repo.RunAsync("doctor");

        Assert.Contains("git version", result.Output + result.Error, StringComparison.Ordinal);
        Assert.True(repo.MarkerText.Length == 0, "a repository program ran:\n" + repo.MarkerText);
    }

    private static HostileRepository Hostile(bool plantGit, bool poisonConfig)
    {
        var repo = new HostileRepository();
        if (plantGit)
        {
            repo.PlantGit();
        }

        if (poisonConfig)
        {
            repo.PoisonConfig();
        }

        return repo;
    }
}

/// <summary>A commit that would run the repository's hooks is decided as the execution it is.</summary>
public sealed class CommitHookDecisionTests
{
    [UnixTheory("the planted programs are POSIX shell scripts")]
    [InlineData("pre-commit", false)]
    [InlineData("commit-msg", false)]
    [InlineData("post-commit", false)]
    [InlineData("pre-commit", true)]
    public async Task CommitWithAHook_IsAnExecuteDecision_DeniedHeadless_AndTheHookNeverRuns(string hook, bool viaHooksPath)
    {
        using var repo = new HostileRepository();
        var folder = viaHooksPath ? repo.Combine("ws", "tracked-hooks") : repo.Combine("ws", ".git", "hooks");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, hook), $"#!/bin/sh\necho \"hook {hook}\" >> '{repo.Marker}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(folder, hook), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (viaHooksPath)
        {
            repo.Git("config", "core.hooksPath", "tracked-hooks");
        }

        repo.Git("add", "a.txt");
        var script = repo.WriteScript("""
            turns:
              - tool_calls: [{ name: git_commit, arguments: { message: "Change a" } }]
              - expect: { tool_results_contain: ["permission denied"] }
                text: Not committed.
            """);

        var result = await repo.RunAsync("run", "commit", "-p", "scripted", "-p", "git", "-m", "scripted/" + script, "--permission-mode", "accept-edits", "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output); // every tool call was denied: exit 5 (#19 item 5)
        var decision = AgentHost.Tests.Runs.RunWorkspace.Events(result.Output)
            .Single(e => e.GetProperty("type").GetString() == "permission.decided" && e.GetProperty("tool").GetString() == "git_commit");
        Assert.Equal("deny", decision.GetProperty("decision").GetString());
        Assert.Equal("execute", decision.GetProperty("action").GetString());
        Assert.Contains(hook, decision.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.True(repo.MarkerText.Length == 0, "the hook ran:\n" + repo.MarkerText);
    }
}
