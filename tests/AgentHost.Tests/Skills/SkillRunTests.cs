using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Skills;

/// <summary>Skills in real `agent run` processes driven by the scripted provider.</summary>
public sealed class SkillRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public SkillRunTests()
    {
        Directory.CreateDirectory(_ws.Combine("home"));
        SkillFiles.Write(Path.Combine(_ws.Root, ".agents", "skills"), "changelog", "Write changelog entries in this project's style.", body: "Use the Keep a Changelog headings.\n");
        SkillFiles.Write(UserSkills, "release", "Cut a release (user only).", extra: "disable-model-invocation: true\n", body: "Tag the release with git tag.\n");
        SkillFiles.Write(UserSkills, "echo-check", "Checks echo works.", extra: "allowed-tools: shell(echo *)\n", body: "Run echo skill-approved.\n");
    }

    private string UserSkills => _ws.Combine("user-skills");

    /// <summary>The workspace's environment with a private HOME, XDG config and user skills folder (no real user skills leak in).</summary>
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

    [Fact]
    public async Task TheModel_SeesTheCatalog_ActivatesASkillWithTheSkillTool_AndARepeatIsDeduplicated()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect:
                  system_contains: "<name>changelog</name>"
                  tools_include: [skill]
                tool_calls: [{ name: skill, arguments: { name: changelog } }]
              - expect:
                  tool_results_contain: ["<skill_content name=\"changelog\">", "Keep a Changelog headings"]
                tool_calls: [{ name: skill, arguments: { name: changelog } }, { name: skill, arguments: { name: release } }]
              - expect:
                  tool_results_contain: ["is already active", "can only be run by the user"]
                text: Done.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "update the changelog", "-p", "scripted", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var events = RunWorkspace.Events(result.Output);
        var calls = events.Where(e => e.GetProperty("type").GetString() == "tool.started").ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal("kernel", c.GetProperty("plugin").GetString()));
    }

    [Fact]
    public async Task RunWithSkill_ActivatesItBeforeTheFirstRequest_AndTheSessionRecordsIt()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "<skill_content name=\"release\">" }
                text: Released.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "cut 1.2.0", "--skill", "release", "-p", "scripted", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var session = RunWorkspace.Events(result.Output).First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString()!;
        var export = await AgentProcess.RunAsync(_ws.Root, Environment, "session", "export", session);
        Assert.Contains("Tag the release with git tag.", export.Output, StringComparison.Ordinal);
        Assert.Contains("cut 1.2.0", export.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunWithAnUnknownSkill_FailsBeforeASessionIsCreated_AndSuggestsTheName()
    {
        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "go", "--skill", "relase", "-p", "scripted", "-m", "scripted/none.yaml");
        var sessions = await AgentProcess.RunAsync(_ws.Root, Environment, "session", "list");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("--skill relase: no skill named 'relase'", result.Error, StringComparison.Ordinal);
        Assert.Contains("release", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("go", sessions.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowedTools_OfAnActiveSkill_PreApproveTheCall_AndTheAuditNamesTheSkill()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "echo skill-approved" } }]
              - expect: { tool_results_contain: ["permission denied"] }
                tool_calls: [{ name: skill, arguments: { name: echo-check } }]
              - tool_calls: [{ name: shell, arguments: { command: "echo skill-approved" } }]
              - expect: { tool_results_contain: ["skill-approved"] }
                text: Done.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "check echo", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script, "-o", "json");

        // The first call was refused (before the skill was active), so the run reports a denial (#47).
        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output);
        var events = RunWorkspace.Events(result.Output);
        var decisions = events.Where(e => e.GetProperty("type").GetString() == "permission.decided" && e.GetProperty("tool").GetString() == "shell").ToList();
        Assert.Equal(["deny", "allow"], decisions.Select(d => d.GetProperty("decision").GetString()));
        Assert.Equal("skill:echo-check", decisions[1].GetProperty("answeredBy").GetString());
        var session = events.First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString()!;
        var audit = await AgentProcess.RunAsync(_ws.Root, Environment, "session", "audit", session, "--json");
        Assert.True(audit.ExitCode == ExitCodes.Success, audit.Error);
        Assert.Contains("\"scope\": \"skill\"", audit.Output, StringComparison.Ordinal);
        Assert.Contains("skill:echo-check", audit.Output, StringComparison.Ordinal);
        Assert.Contains("allow shell(echo *) (skill echo-check: ", audit.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProblemsOfSkillsInOtherToolsFolders_AreOneLine_OncePerRun()
    {
        SkillFiles.Write(Path.Combine(_ws.Combine("home"), ".claude", "skills"), "alpha", "Alpha.", extra: "version: 1\n");
        SkillFiles.Write(Path.Combine(_ws.Combine("home"), ".cursor", "skills"), "beta", "Beta.", extra: "version: 2\n");
        SkillFiles.Write(Path.Combine(_ws.Root, ".github", "skills"), "gamma", "Gamma.", extra: "globs: '*.cs'\n");
        var script = _ws.WriteScript("""
            turns:
              - expect: { system_contains: "<name>gamma</name>" }
                tool_calls: [{ name: skill, arguments: { name: alpha } }]
              - tool_calls: [{ name: skill, arguments: { name: beta } }]
              - text: Done.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "go", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var all = result.Output + result.Error;
        const string Summary = "warning: 3 skills in other tools' folders have problems; run 'agent skill lint' for details";
        Assert.Equal(1, all.Split('\n').Count(line => line.Contains(Summary, StringComparison.Ordinal)));
        Assert.DoesNotContain("unknown field", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InAnUntrustedProject_ASkillInClaudeSkills_PreApprovesNoMoreThanOneInAgentsSkills()
    {
        SkillFiles.Write(Path.Combine(_ws.Root, ".agents", "skills"), "ours-echo", "Ours.", extra: "allowed-tools: shell(echo *)\n");
        SkillFiles.Write(Path.Combine(_ws.Root, ".claude", "skills"), "claude-echo", "Theirs.", extra: "allowed-tools: shell(echo *) shell write\n");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: skill, arguments: { name: claude-echo } }, { name: skill, arguments: { name: ours-echo } }]
              - expect: { tool_results_contain: ["<skill_content name=\"claude-echo\">", "<skill_content name=\"ours-echo\">"] }
                tool_calls: [{ name: shell, arguments: { command: "echo from-a-skill" } }]
              - expect: { tool_results_contain: ["permission denied"] }
                text: Done.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "go", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script, "-o", "json");

        var decisions = RunWorkspace.Events(result.Output).Where(e => e.GetProperty("type").GetString() == "permission.decided" && e.GetProperty("tool").GetString() == "shell").ToList();
        Assert.True(decisions.Count == 1, result.Error + result.Output);
        Assert.Equal("deny", decisions[0].GetProperty("decision").GetString());
        Assert.DoesNotContain("skill:", decisions[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InAnUntrustedProject_AProjectSkillsAllowedTools_AreIgnored_AndTheRunSaysSoOnce()
    {
        var skillFile = SkillFiles.Write(Path.Combine(_ws.Root, ".agents", "skills"), "ours-echo", "Ours.", extra: "allowed-tools: shell(echo *)\n");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: skill, arguments: { name: ours-echo } }]
              - expect: { tool_results_contain: ["this project is not trusted, so skill 'ours-echo's allowed-tools (shell(echo *)) pre-approve nothing"] }
                tool_calls: [{ name: shell, arguments: { command: "echo from-a-skill" } }, { name: skill, arguments: { name: ours-echo } }]
              - expect: { tool_results_contain: ["permission denied", "is already active"] }
                text: Done.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "go", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script);

        // The run itself went through all its turns; the shell call the skill would have pre-approved was denied.
        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output);
        Assert.Contains("Done.", result.Output, StringComparison.Ordinal);
        var warning = $"warning: skill 'ours-echo' ({skillFile}): its allowed-tools (shell(echo *)) are ignored: the project is not trusted, and an untrusted project's skills cannot pre-approve tools; each call is decided by the usual permission rules. If you trust this repository, run 'agent trust' in it.";
        Assert.Contains(warning, result.Error, StringComparison.Ordinal);
        Assert.Equal(1, result.Error.Split(warning).Length - 1);
    }

    [Fact]
    public async Task InATrustedProject_AProjectSkillsAllowedTools_ApplyWithoutAWarning()
    {
        SkillFiles.Write(Path.Combine(_ws.Root, ".agents", "skills"), "ours-echo", "Ours.", extra: "allowed-tools: shell(echo *)\n");
        var trust = await AgentProcess.RunAsync(_ws.Root, Environment, "trust");
        Assert.True(trust.ExitCode == ExitCodes.Success, trust.Error);
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: skill, arguments: { name: ours-echo } }]
              - tool_calls: [{ name: shell, arguments: { command: "echo from-a-skill" } }]
              - expect: { tool_results_contain: ["from-a-skill"] }
                text: Done.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "go", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.DoesNotContain("are ignored", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not trusted", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASkillsShellPattern_MatchesItsOwnScripts_FromItsFolderOrByPath_ButNotTheProjectsScripts()
    {
        var folder = Path.GetDirectoryName(SkillFiles.Write(UserSkills, "greeter", "Greets.", extra: "allowed-tools: shell(sh scripts/*)\n"))!;
        Directory.CreateDirectory(Path.Combine(folder, "scripts"));
        File.WriteAllText(Path.Combine(folder, "scripts", "hello.sh"), "echo hello-from-skill\n");
        Directory.CreateDirectory(_ws.Combine("ws", "scripts"));
        File.WriteAllText(_ws.Combine("ws", "scripts", "hello.sh"), "echo hello-from-project\n");
        var script = _ws.WriteScript($$"""
            turns:
              - tool_calls: [{ name: skill, arguments: { name: greeter } }]
              - tool_calls: [{ name: shell, arguments: { command: "cd '{{folder}}' && sh scripts/hello.sh" } }]
              - expect: { tool_results_contain: ["hello-from-skill"] }
                tool_calls: [{ name: shell, arguments: { command: "sh '{{folder}}/scripts/hello.sh'" } }]
              - expect: { tool_results_contain: ["hello-from-skill"] }
                tool_calls: [{ name: shell, arguments: { command: "sh scripts/hello.sh" } }]
              - expect: { tool_results_contain: ["permission denied"] }
                text: Done.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "greet", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script, "-o", "json");

        var decisions = RunWorkspace.Events(result.Output).Where(e => e.GetProperty("type").GetString() == "permission.decided" && e.GetProperty("tool").GetString() == "shell").ToList();
        Assert.True(decisions.Count == 3, result.Error + result.Output);
        Assert.Equal(["allow", "allow", "deny"], decisions.Select(d => d.GetProperty("decision").GetString()));
        Assert.Equal("skill:greeter", decisions[0].GetProperty("answeredBy").GetString());
    }

    [Fact]
    public async Task SkillsDisabled_NoCatalogAndNoSkillTool()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: skill, arguments: { name: changelog } }]
              - expect: { tool_results_contain: ["unknown tool 'skill'"] }
                text: No skills.
            """);

        var result = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "go", "-c", "skills.enabled=false", "-p", "scripted", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
    }

    public void Dispose() => _ws.Dispose();
}
