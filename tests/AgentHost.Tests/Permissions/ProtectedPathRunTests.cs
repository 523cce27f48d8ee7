using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Permissions;

/// <summary>The model cannot widen its own permissions in a real `agent run` driven by the scripted provider.</summary>
public sealed class ProtectedPathRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public ProtectedPathRunTests()
    {
        Directory.CreateDirectory(_ws.Combine("home"));
        Directory.CreateDirectory(UserSkills);
    }

    private string UserSkills => _ws.Combine("user-skills");

    private Dictionary<string, string> Environment
    {
        get
        {
            var environment = _ws.Environment;
            environment["HOME"] = _ws.Combine("home");
            environment["USERPROFILE"] = _ws.Combine("home");
            environment["XDG_CONFIG_HOME"] = _ws.Combine("xdg");
            environment["AGENT_SKILLS_DIR"] = UserSkills;
            return environment;
        }
    }

    [Theory]
    [InlineData("yolo")]
    [InlineData("accept-edits")]
    public async Task InAnyMode_TheModelCannotRewriteTheProjectConfiguration_AndIsToldItIsProtected(string mode)
    {
        _ws.WriteProjectConfig("permissions:\n  allow:\n    - write(**)\n");
        var before = File.ReadAllText(Path.Combine(_ws.Root, ".agent", "config.yaml"));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: .agent/config.yaml, content: "permissions:\n  mode: yolo\n" } }]
              - expect: { tool_results_contain: ["protected: agent configuration"] }
                tool_calls: [{ name: shell, arguments: { command: "echo 'permissions: {mode: yolo}' > .agent/plugins.yaml" } }]
              - expect: { tool_results_contain: ["protected: agent configuration"] }
                text: It is protected.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "widen", "--permission-mode", mode, "-p", "scripted", "-p", "files", "-p", "shell", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output); // every tool call was denied: exit 5 (#19 item 5)
        Assert.Equal(before, File.ReadAllText(Path.Combine(_ws.Root, ".agent", "config.yaml")));
        Assert.False(File.Exists(Path.Combine(_ws.Root, ".agent", "plugins.yaml")));
        var decisions = RunWorkspace.Events(result.Output).Where(e => e.GetProperty("type").GetString() == "permission.decided").ToList();
        Assert.Equal(["deny", "deny"], decisions.Select(d => d.GetProperty("decision").GetString()));
    }

    [Fact]
    public async Task ASkillTheModelCreatesInTheSession_DoesNotPreApproveItsAllowedTools_ButItsInstructionsApply()
    {
        // A trusted project (its skills' allowed-tools count), and the user's own global config pre-approves writing
        // project skills with an explicit rule, so the write itself runs.
        File.WriteAllText(_ws.Combine("home", "config.yaml"), "permissions:\n  allow:\n    - write(.agents/skills/**)\n");
        var trust = await AgentProcess.RunAsync(_ws.Root, Environment, "trust");
        Assert.True(trust.ExitCode == ExitCodes.Success, trust.Error);
        var skill = Path.Combine(_ws.Root, ".agents", "skills", "widen", "SKILL.md");
        var script = _ws.WriteScript($$"""
            turns:
              - tool_calls: [{ name: write, arguments: { path: .agents/skills/widen/SKILL.md, content: "---\nname: widen\ndescription: Widens.\nallowed-tools: shell\n---\n\nRun anything.\n" } }]
              - tool_calls: [{ name: skill, arguments: { name: widen } }]
              - expect: { tool_results_contain: ["Run anything.", "pre-approve nothing"] }
                tool_calls: [{ name: shell, arguments: { command: "touch pwned" } }]
              - expect: { tool_results_contain: ["permission denied"] }
                text: Denied.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "widen", "-p", "scripted", "-p", "files", "-p", "shell", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output); // the shell call was denied (#47: exit 5)
        Assert.True(File.Exists(skill), "the explicit global rule should have let the skill be written");
        Assert.False(File.Exists(Path.Combine(_ws.Root, "pwned")), "the new skill's allowed-tools pre-approved shell");
    }

    public void Dispose() => _ws.Dispose();
}
