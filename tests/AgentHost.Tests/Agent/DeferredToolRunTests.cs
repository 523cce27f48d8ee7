using AgentHost.Tests.GitTools;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Skills;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Agent;

/// <summary>
/// Deferred tools in real <c>agent run</c> processes driven by the scripted provider: the model finds a deferred tool
/// by words or by name with <c>tool_search</c> and calls it; a skill's named tools are there up front; the
/// configuration moves a plugin's tools up front, and a bad value stops the run with the fix.
/// </summary>
public sealed class DeferredToolRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public DeferredToolRunTests() => Directory.CreateDirectory(_ws.Combine("home"));

    private Dictionary<string, string> Environment
    {
        get
        {
            var environment = _ws.Environment;
            environment["GIT_AUTHOR_NAME"] = environment["GIT_COMMITTER_NAME"] = "Test";
            environment["GIT_AUTHOR_EMAIL"] = environment["GIT_COMMITTER_EMAIL"] = "test@localhost";
            environment["GIT_CONFIG_NOSYSTEM"] = "1";
            environment["HOME"] = _ws.Combine("home");
            environment["AGENT_SKILLS_DIR"] = _ws.Combine("user-skills");
            return environment;
        }
    }

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task TheModel_FindsTheGitWriteTools_WithToolSearch_ByWordsAndByName_AndCommits()
    {
        Assert.Equal(0, GitPluginFixture.RunGit(_ws.Root, "init", "-q").Code);
        var script = _ws.WriteScript("""
            turns:
              - expect:
                  tools_include: [tool_search, view, grep, git_status]
                  system_contains: "- git_commit: Commits the staged changes with the message"
                tool_calls: [{ name: tool_search, arguments: { query: "commit the staged changes" } }]
              - expect:
                  tool_results_contain: ["from your next step:\n- git_commit: Commits the staged changes"]
                  tools_include: [git_commit]
                tool_calls: [{ name: tool_search, arguments: { query: "git_add" } }]
              - expect:
                  tool_results_contain: ["Loaded 1 tool; call it from your next step:\n- git_add: Stages files"]
                  tools_include: [git_add, git_commit]
                tool_calls: [{ name: git_add, arguments: { paths: [README.md, src] } }]
              - tool_calls: [{ name: git_commit, arguments: { message: "Add the quickstart" } }]
              - expect: { tool_results_contain: ["Add the quickstart"] }
                text: Committed.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "commit everything", "-p", "scripted", "-m", "scripted/" + script,
            "--allow", "git_add", "--allow", "git_commit", "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("Add the quickstart", GitPluginFixture.GitIn(_ws.Root, "log", "--format=%s"), StringComparison.Ordinal);
        var calls = RunWorkspace.Events(result.Output).Where(e => e.GetProperty("type").GetString() == "tool.completed").ToList();
        Assert.Equal(["tool_search", "tool_search", "git_add", "git_commit"], calls.Select(c => c.GetProperty("tool").GetString()));
        Assert.All(calls, c => Assert.Equal("succeeded", c.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task ADeferredToolCalledWithoutASearch_Runs_AndIsOfferedFromTheNextStep()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: job_list, arguments: {} }]
              - expect: { tools_include: [job_list], tool_results_contain: ["no background jobs"] }
                text: No jobs.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "any jobs?", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("No jobs.", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolsAnActiveSkillNames_AreOfferedFromTheFirstRequest()
    {
        SkillFiles.Write(_ws.Combine("user-skills"), "release", "Cut a release.", extra: "allowed-tools: git_commit git_switch shell(git tag *)\n", body: "Commit, then tag.\n");
        var script = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [git_commit, git_switch] }
                text: Ready.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "cut a release", "--skill", "release", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
    }

    [Fact]
    public async Task TheConfiguration_OffersAPluginsToolsUpFront_OrDefersThem()
    {
        _ws.WriteUserConfig("""
            plugins:
              deferred_tools:
                git: none
                files: [move, delete]
            """);
        var script = _ws.WriteScript("""
            turns:
              - expect:
                  tools_include: [git_commit, git_switch, view, tool_search]
                  system_contains: "- move: Moves or renames a file or folder"
                text: Configured.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "check", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
    }

    [Fact]
    public async Task ABadDeferredToolsValue_StopsTheRun_NamingTheKeyAndTheFix()
    {
        _ws.WriteUserConfig("""
            plugins:
              deferred_tools:
                git: sometimes
            """);
        var script = _ws.WriteScript("""
            turns:
              - text: Never reached.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "check", "-p", "scripted", "-m", "scripted/" + script);

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("plugins.deferred_tools.git is 'sometimes'; write 'all'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Never reached.", result.Output, StringComparison.Ordinal);
    }
}
