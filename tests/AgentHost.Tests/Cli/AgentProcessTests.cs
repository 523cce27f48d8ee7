using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

/// <summary>End-to-end: the built agent as a process, in a temp AGENT_HOME.</summary>
public sealed class AgentProcessTests
{
    [Fact]
    public async Task Version_PrintsTheVersion_AndExitsZero()
    {
        using var temp = new TempDirectory();

        var result = await AgentProcess.RunAsync(temp.Path, Env(temp), "--version");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+\s*$", result.Output);
    }

    [Fact]
    public async Task InstallListVerifyRemove_RoundTripThroughTheRealProcess()
    {
        using var temp = new TempDirectory();
        var env = Env(temp);

        var install = await AgentProcess.RunAsync(temp.Path, env, "plugin", "install", Fixtures.PathOf("Fixture.JsonNew"), "--yes");
        var list = await AgentProcess.RunAsync(temp.Path, env, "plugin", "list");
        var verify = await AgentProcess.RunAsync(temp.Path, env, "plugin", "verify");
        var remove = await AgentProcess.RunAsync(temp.Path, env, "plugin", "remove", "fixture-json-new");
        var after = await AgentProcess.RunAsync(temp.Path, env, "plugin", "list");

        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        Assert.Matches(@"fixture-json-new\s+2\.1\.0\s+folder\s+yes\s+loaded\s+1 tool", list.Output);
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Equal(ExitCodes.Success, remove.ExitCode);
        Assert.Contains("No plugins installed", after.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "home", "plugins", "fixture-json-new")));
    }

    [Fact]
    public async Task Install_WithoutYes_InAHeadlessRun_RefusesInsteadOfWaitingForAnswer()
    {
        using var temp = new TempDirectory();

        var result = await AgentProcess.RunAsync(temp.Path, Env(temp), "plugin", "install", Fixtures.PathOf("Fixture.Echo"));

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains("--yes", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "home", "plugins.lock.json")));
    }

    [Fact]
    public async Task UserErrors_PrintAMessageWithoutStackTrace_UnlessVerbose()
    {
        using var temp = new TempDirectory();
        var env = Env(temp);
        temp.WriteFile("home/plugins.lock.json", "{ \"version\": 1, \"plugins\": [ {\"id\": ");

        var plain = await AgentProcess.RunAsync(temp.Path, env, "plugin", "list");
        var verbose = await AgentProcess.RunAsync(temp.Path, env, "plugin", "list", "--verbose");
        var usage = await AgentProcess.RunAsync(temp.Path, env, "plugin", "frobnicate");

        Assert.Equal(ExitCodes.Plugin, plain.ExitCode);
        Assert.StartsWith("error: ", plain.Error, StringComparison.Ordinal);
        Assert.Contains("plugins.lock.json:1: the plugin lockfile is not valid JSON", plain.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", plain.Error, StringComparison.Ordinal);
        Assert.Contains("System.Text.Json.Json", verbose.Error, StringComparison.Ordinal); // the cause (JsonDocument's reader exception), with its stack
        Assert.Contains("   at ", verbose.Error, StringComparison.Ordinal);
        Assert.Equal("{ \"version\": 1, \"plugins\": [ {\"id\": ", File.ReadAllText(temp.Combine("home", "plugins.lock.json")));
        Assert.Equal(ExitCodes.Usage, usage.ExitCode);
        Assert.Contains("'frobnicate'", usage.Error, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Env(TempDirectory temp) => new()
    {
        ["AGENT_HOME"] = Path.Combine(temp.Path, "home"),
        ["CI"] = "true",
    };
}
