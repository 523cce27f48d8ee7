using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Sessions;
using AgentHost.Tests.Support;

namespace AgentHost.Sessions.Tests;

public sealed class SessionSettingsTests
{
    [Fact]
    public void Resolve_PrefersRequest_ThenSession_ThenProject_ThenGlobal_AndSaysWhichLayer()
    {
        using var temp = new TempDirectory();
        var global = temp.WriteFile("agent-home/config.yaml", "session:\n  max_steps: 10\n  temperature: 0.1\n  style: terse\n");
        var project = temp.WriteFile("repo/.agent/config.yaml", "session:\n  max_steps: 20\n  temperature: 0.2\n");
        Directory.CreateDirectory(temp.Combine("repo", ".git"));
        var configuration = Resolve(temp);
        var session = new Dictionary<string, string> { ["max_steps"] = "30" };
        var request = new Dictionary<string, string> { ["session.max_steps"] = "40" };

        var fromRequest = SessionSettings.Resolve("max_steps", request, session, configuration);
        var fromSession = SessionSettings.Resolve("session.MAX_STEPS", null, session, configuration);
        var fromProject = SessionSettings.Resolve("temperature", request, session, configuration);
        var fromGlobal = SessionSettings.Resolve("style", request, session, configuration);
        var unset = SessionSettings.Resolve("nothing", request, session, configuration);

        Assert.Equal(("40", SettingSource.Request, "request"), (fromRequest.Value, fromRequest.Source, fromRequest.Origin));
        Assert.Equal(("30", SettingSource.Session), (fromSession.Value, fromSession.Source));
        Assert.Equal("max_steps", fromSession.Key);
        Assert.Equal(("0.2", SettingSource.Project, project + ":3"), (fromProject.Value, fromProject.Source, fromProject.Origin));
        Assert.Equal(("terse", SettingSource.Global, global + ":4"), (fromGlobal.Value, fromGlobal.Source, fromGlobal.Origin));
        Assert.Equal((null, SettingSource.Unset), (unset.Value, unset.Source));
    }

    [Fact]
    public void Resolve_TreatsAFlagOfThisInvocationAsPartOfTheRequest_AndEnvironmentAsConfiguration()
    {
        using var temp = new TempDirectory();
        var session = new Dictionary<string, string> { ["max_steps"] = "30", ["style"] = "session-style" };

        var withFlag = Resolve(temp, new Dictionary<string, string> { ["AGENT_SESSION__STYLE"] = "env-style" }, "session.max_steps=5");
        var flag = SessionSettings.Resolve("max_steps", null, session, withFlag);
        var environment = SessionSettings.Resolve("style", null, null, withFlag);
        var sessionOverEnvironment = SessionSettings.Resolve("style", null, session, withFlag);

        Assert.Equal(("5", SettingSource.Flag), (flag.Value, flag.Source));
        Assert.Equal(("env-style", SettingSource.Environment, "env AGENT_SESSION__STYLE"), (environment.Value, environment.Source, environment.Origin));
        Assert.Equal(("session-style", SettingSource.Session), (sessionOverEnvironment.Value, sessionOverEnvironment.Source));
        var all = SessionSettings.ResolveAll(null, session, withFlag);
        Assert.Equal(["max_steps", "style"], all.Select(s => s.Key));
    }

    private static ConfigurationSnapshot Resolve(TempDirectory temp, IDictionary<string, string>? variables = null, params string[] flags)
    {
        Directory.CreateDirectory(temp.Combine("repo"));
        var environment = TestEnvironment.Create(temp.Path, temp.Combine("repo"), variables);
        return ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), flags);
    }
}
