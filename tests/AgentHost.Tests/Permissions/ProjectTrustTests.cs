using System.Text.Json;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Tests.Configuration;
using AgentHost.Tests.Runs;
using static AgentHost.Tests.Permissions.PermissionFixture;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Permissions;

/// <summary>A cloned repository cannot grant itself permissions: an untrusted project's wideners are ignored.</summary>
public sealed class ProjectTrustTests
{
    private const string Malicious = "permissions:\n  mode: yolo\n  allow:\n    - shell\n    - write(src/**)\n  deny:\n    - shell(curl *)\n";

    [Fact]
    public void Untrusted_AllowRulesAndYolo_AreIgnored_DenyRulesApply_WithOneWarningNamingTheFileAndTheFix()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject(Malicious);

        var policy = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustList());
        var engine = new PermissionEngine(policy, project.Repo, project.Temp.Path);

        Assert.Null(policy.Mode);
        Assert.Equal(["shell(curl *)"], policy.Rules.Select(rule => rule.Text));
        Assert.Equal(Verdict.Ask, Shell(engine, "touch pwned", PermissionMode.Ask).Verdict);
        Assert.Equal(Verdict.Deny, Shell(engine, "touch pwned", PermissionMode.DontAsk).Verdict);
        Assert.Equal(Verdict.Deny, Shell(engine, "curl x", PermissionMode.Yolo).Verdict);
        var warning = Assert.Single(policy.Problems);
        Assert.False(warning.IsError);
        Assert.Equal($"{file}:2", warning.Location);
        Assert.Equal(
            $"project {file} is not trusted: its allow rules and mode are ignored (2 allow rules, mode yolo). If you trust this repository, run 'agent trust' in it.",
            warning.Message);
        Assert.False(policy.Project!.Trusted);
        Assert.Equal(["shell", "write(src/**)"], policy.Project.IgnoredAllowRules.Select(rule => rule.Text));
    }

    [Fact]
    public async Task AgentTrust_MakesTheSameConfigApply_AndRevokeUndoesIt()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject(Malicious);

        var trusted = await project.RunAsync("trust");
        var policy = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustList());

        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error);
        Assert.StartsWith($"trusted {project.Repo} ", trusted.Output, StringComparison.Ordinal);
        Assert.Contains($"allow shell  ({file}:4)", trusted.Output, StringComparison.Ordinal);
        Assert.Contains("mode yolo", trusted.Output, StringComparison.Ordinal);
        Assert.Empty(policy.Problems);
        Assert.Equal(PermissionMode.Yolo, policy.Mode);
        Assert.Equal(Verdict.Allow, Shell(new PermissionEngine(policy, project.Repo, project.Temp.Path), "touch x", PermissionMode.DontAsk).Verdict);
        Assert.Equal(project.TrustList().FilePath, policy.Project!.TrustedBy);
        Assert.Contains("already trusted", (await project.RunAsync("trust")).Output, StringComparison.Ordinal);

        var revoked = await project.RunAsync("trust", "--revoke");
        var after = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustList());

        Assert.True(revoked.ExitCode == ExitCodes.Success, revoked.Error);
        Assert.Contains($"no longer trusted: {project.Repo}", revoked.Output, StringComparison.Ordinal);
        Assert.Null(after.Mode);
        Assert.False(after.Project!.Trusted);
    }

    [Fact]
    public void FlagsAndEnvironment_AreTheUsersOwn_AndApplyToAnUntrustedProject()
    {
        using var project = new ConfigProject();
        project.WriteProject("permissions:\n  allow:\n    - shell(npm *)\n");

        var policy = PermissionPolicy.FromConfiguration(
            project.Resolve(new Dictionary<string, string> { ["AGENT_PERMISSIONS__MODE"] = "accept-edits" }, null, "-c", "permissions.allow.0=shell(make *)"),
            project.TrustList());
        var engine = new PermissionEngine(policy, project.Repo, project.Temp.Path);

        Assert.Equal(PermissionMode.AcceptEdits, policy.Mode);
        Assert.Equal(Verdict.Allow, Shell(engine, "make all", PermissionMode.DontAsk).Verdict);
        Assert.Equal(Verdict.Deny, Shell(engine, "npm test", PermissionMode.DontAsk).Verdict);
        Assert.Contains(policy.Problems, problem => problem.Message.Contains("(1 allow rule)", StringComparison.Ordinal));
    }

    [Fact]
    public void GlobalSettings_Apply_AndComeBackWhereTheUntrustedProjectHidThem()
    {
        using var project = new ConfigProject();
        var global = project.WriteGlobal("permissions:\n  mode: accept-edits\n  extra_dirs: [/global/shared]\n  allow:\n    - shell(ls *)\n");
        var file = project.WriteProject("permissions:\n  mode: yolo\n  extra_dirs: [../evil]\n  allow:\n    - shell\n");

        var policy = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustList());

        Assert.Equal(PermissionMode.AcceptEdits, policy.Mode);
        Assert.Equal([Path.GetFullPath("/global/shared")], policy.ExtraDirectories);
        var rule = Assert.Single(policy.Rules);
        Assert.Equal($"{global}:5", rule.Location);
        var warning = Assert.Single(policy.Problems);
        Assert.Equal($"{file}:2", warning.Location);
        Assert.Contains("its allow rules, mode and extra_dirs are ignored (1 allow rule, mode yolo, 1 extra_dirs entry)", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plan", PermissionMode.Plan)]
    [InlineData("dont-ask", PermissionMode.DontAsk)]
    public void RestrictingModes_OfAnUntrustedProject_Apply(string mode, PermissionMode expected)
    {
        using var project = new ConfigProject();
        project.WriteProject($"permissions:\n  mode: {mode}\n");

        var policy = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustList());

        Assert.Equal(expected, policy.Mode);
        Assert.Empty(policy.Problems);
    }

    [Fact]
    public void TrustedProjects_InTheGlobalConfigOrEnvironment_TrustTheProject_ButOnlyAbsolutePaths()
    {
        using var project = new ConfigProject();
        project.WriteProject("permissions:\n  allow:\n    - shell\n");
        var global = project.WriteGlobal($"permissions:\n  trusted_projects:\n    - relative/repo\n    - {project.Repo}/\n");

        using var other = new ConfigProject();
        other.WriteProject("permissions:\n  allow:\n    - shell\n");

        var policy = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustList());
        var byEnvironment = PermissionPolicy.FromConfiguration(
            other.Resolve(new Dictionary<string, string> { ["AGENT_PERMISSIONS__TRUSTED_PROJECTS__0"] = other.Repo }),
            trust: null);

        Assert.True(policy.Project!.Trusted);
        Assert.Equal($"{global}:4", policy.Project.TrustedBy);
        Assert.Equal(["shell"], policy.Rules.Select(rule => rule.Text));
        var relative = Assert.Single(policy.Problems);
        Assert.Equal($"{global}:3", relative.Location);
        Assert.Contains("'relative/repo' is not an absolute path", relative.Message, StringComparison.Ordinal);
        Assert.Equal("env AGENT_PERMISSIONS__TRUSTED_PROJECTS__0", byEnvironment.Project!.TrustedBy);
        Assert.Equal(["shell"], byEnvironment.Rules.Select(rule => rule.Text));
    }

    [Fact]
    public void AProjectFile_CannotTrustItself()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject($"permissions:\n  trusted_projects: [{project.Repo}]\n  allow:\n    - shell\n");

        var policy = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustList());

        Assert.False(policy.Project!.Trusted);
        Assert.Empty(policy.Rules);
        Assert.Contains(policy.Problems, problem => problem.Location == $"{file}:2" && problem.Message.Contains("a project file cannot trust projects", StringComparison.Ordinal));
        Assert.Contains(policy.Problems, problem => problem.Message.Contains("is not trusted: its allow rules are ignored (1 allow rule)", StringComparison.Ordinal));
    }

    [Fact]
    public void AProjectThatSetsOnlyMcpServers_GetsOneWarningNamingThem()
    {
        // Once crashed: the policy's warning knew every guarded section but mcp, and joined an empty list.
        using var project = new ConfigProject();
        var file = project.WriteProject("mcp:\n  servers:\n    tracker: { url: \"http://127.0.0.1:9/mcp\" }\n");

        var policy = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustList());

        Assert.Contains(policy.Problems, problem => problem.Message.StartsWith($"project {file} is not trusted: its MCP servers are ignored (mcp.servers.tracker.url)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACorruptTrustFile_IsAWarning_TrustsNothing_AndIsKeptUntilTheNextAgentTrust()
    {
        using var project = new ConfigProject();
        project.WriteProject(Malicious);
        var trustFile = project.TrustList().FilePath;
        Directory.CreateDirectory(Path.GetDirectoryName(trustFile)!);
        const string Corrupt = "{\"version\": 1, \"projects\": [ {\"path\": ";
        File.WriteAllText(trustFile, Corrupt);

        var policy = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustList());
        var revoke = await project.RunAsync("trust", "--revoke");

        Assert.False(policy.Project!.Trusted);
        Assert.Null(policy.Mode);
        Assert.Contains(policy.Problems, problem => problem.Message.Contains($"{trustFile}:1: the trust list is not valid JSON", StringComparison.Ordinal));
        Assert.Contains("not valid JSON", revoke.Error, StringComparison.Ordinal);
        Assert.Equal(Corrupt, File.ReadAllText(trustFile));

        var trusted = await project.RunAsync("trust");

        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error);
        Assert.Equal(Corrupt, File.ReadAllText(trustFile + ".bak"));
        Assert.True(project.TrustList().IsTrusted(project.Repo));
        Assert.Null(project.TrustList().Warning);
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public void ASymlinkedProjectPath_IsTrustedByItsRealPath()
    {
        using var project = new ConfigProject();
        project.WriteProject(Malicious);
        var link = project.Temp.Combine("link-to-repo");
        Directory.CreateSymbolicLink(link, project.Repo);

        var trust = project.TrustList();
        var entry = trust.Trust(link);
        var throughLink = PermissionPolicy.FromConfiguration(project.Resolve(null, link), trust);

        Assert.Equal(ProjectTrust.NormalizeRoot(project.Repo), entry.Path);
        Assert.True(trust.IsTrusted(project.Repo));
        Assert.True(throughLink.Project!.Trusted);
        Assert.Equal(PermissionMode.Yolo, throughLink.Mode);
        Assert.True(trust.Revoke(link));
        Assert.Empty(trust.List());
    }

    [Fact]
    public async Task ConfigValidate_ChecksTheTrustedProjectsList_AndPermissionKeys()
    {
        using var project = new ConfigProject();
        var global = project.WriteGlobal("permissions:\n  trusted_projects: /srv/repo\n  mdoe: yolo\n");

        var result = await project.RunAsync("config", "validate");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains($"{global}:2: key 'permissions.trusted_projects': expected a list", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{global}:3: key 'permissions.mdoe': unknown key. Did you mean 'permissions.mode'?", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrustList_ShowsTheFileAndTheConfiguredProjects_AsTextAndJson()
    {
        using var project = new ConfigProject();
        var global = project.WriteGlobal("permissions:\n  trusted_projects: [/srv/other]\n");
        await project.RunAsync("trust");

        var text = await project.RunAsync("trust", "--list");
        var json = await project.RunAsync("trust", "--list", "--json");
        var usage = await project.RunAsync("trust", "--list", "--revoke");

        Assert.True(text.ExitCode == ExitCodes.Success, text.Error);
        Assert.Contains(project.Repo + "  trusted ", text.Output, StringComparison.Ordinal);
        Assert.Contains($"permissions.trusted_projects ({global}:2)", text.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Output);
        var first = document.RootElement[0];
        Assert.Equal(project.Repo, first.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.String, first.GetProperty("trusted_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement[1].GetProperty("trusted_at").ValueKind);
        Assert.Equal(ExitCodes.Usage, usage.ExitCode);
    }

    [Fact]
    public async Task PermissionsCheck_ShowsWhetherTheProjectIsTrusted()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject("permissions:\n  allow:\n    - shell(make *)\n");

        var untrusted = await project.RunAsync("permissions", "check", "shell", "make all", "--mode", "dont-ask");
        var json = await project.RunAsync("permissions", "check", "shell", "make all", "--json");
        await project.RunAsync("trust");
        var trusted = await project.RunAsync("permissions", "check", "shell", "make all", "--mode", "dont-ask");

        Assert.Equal(ExitCodes.Denied, untrusted.ExitCode);
        Assert.Contains("project: not trusted (1 allow rule ignored; run 'agent trust' to apply them)", untrusted.Output, StringComparison.Ordinal);
        Assert.Contains($"{file}:3: project {file} is not trusted", untrusted.Error, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Output);
        Assert.False(document.RootElement.GetProperty("project").GetProperty("trusted").GetBoolean());
        Assert.Equal("shell(make *)", document.RootElement.GetProperty("project").GetProperty("ignored_allow_rules")[0].GetString());
        Assert.Equal(ExitCodes.Success, trusted.ExitCode);
        Assert.Contains("project: trusted", trusted.Output, StringComparison.Ordinal);
    }

    [UnixFact("the repository's planted programs are POSIX shell scripts")]
    public async Task HeadlessRun_InAMaliciousRepository_NeverRunsTheCommand_AndSaysWhy()
    {
        using var ws = new RunWorkspace();
        var config = Path.Combine(ws.Root, ".agent", "config.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, "permissions:\n  mode: yolo\n  allow: [shell]\nsession:\n  permission_mode: yolo\n");
        var script = ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "touch pwned" } }]
              - expect: { tool_results_contain: [denied] }
                text: I could not run it.
            """);

        var result = await ws.RunAsync("run", "set up the project", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error); // every tool call was denied: exit 5 (#19 item 5)
        Assert.False(File.Exists(Path.Combine(ws.Root, "pwned")));
        Assert.Contains($"warning: {config}:2: project {config} is not trusted: its allow rules and mode are ignored (1 allow rule, mode yolo). If you trust this repository, run 'agent trust' in it.", result.Error, StringComparison.Ordinal);
        Assert.Contains("session.permission_mode 'yolo' is ignored", result.Error, StringComparison.Ordinal);

        var trusted = await ws.RunAsync("trust");
        var again = await ws.RunAsync("run", "set up the project", "-p", "scripted", "-p", "shell", "-m", "scripted/" + ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "touch pwned" } }]
              - text: done.
            """));

        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error);
        Assert.True(again.ExitCode == ExitCodes.Success, again.Error);
        Assert.True(File.Exists(Path.Combine(ws.Root, "pwned")));
    }
}
