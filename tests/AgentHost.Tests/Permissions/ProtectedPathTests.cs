using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Permissions;

/// <summary>
/// Protected paths through the real files, shell and web packs behind the kernel's pipeline and gate: a write to the
/// agent's configuration, a skill folder or a hook folder asks in every mode that can ask (so a headless run denies it
/// with "needs approval"), is denied in dont-ask and plan, whatever allow rules say — and the file is untouched.
/// </summary>
public sealed class ProtectedPathTests : IAsyncLifetime
{
    private const string Original = "original\n";

    private static readonly string[] Modes = ["ask", "accept-edits", "yolo", "dont-ask", "plan"];

    /// <summary>Protected paths: relative to the root, or <c>~/</c> for the (test) home directory.</summary>
    private static readonly string[] ProtectedFiles =
    [
        ".agent/config.yaml",
        ".agent/plugins.yaml",
        ".agent/skills/s1/SKILL.md",
        ".agents/skills/s2/SKILL.md",
        ".claude/skills/s3/SKILL.md",
        "src/.agents/skills/s4/SKILL.md",
        ".githooks/pre-commit",
        ".husky/pre-commit",
        "~/.config/agent/config.yaml",
        "~/.agents/skills/s5/SKILL.md",
    ];

    private readonly PluginHarness _harness = new();
    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("ws");

    private string Home => _temp.Combine("home");

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var mode in Modes)
        {
            foreach (var path in ProtectedFiles)
            {
                foreach (var tool in new[] { "write", "edit", "multi_edit", "delete", "move-over", "move-from", "redirect", "append", "download" })
                {
                    data.Add(mode, tool, path);
                }
            }
        }

        return data;
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(Root, "src"));
        Directory.CreateDirectory(Path.Combine(Root, ".git"));
        File.WriteAllText(Path.Combine(Root, ".git", "config"), "[core]\n\trepositoryformatversion = 0\n[core \"x\"]\n\thooksPath = elsewhere\n[core]\n\thooksPath = \".githooks\" ; the team's hooks\n");
        Directory.CreateDirectory(Home);
        foreach (var path in ProtectedFiles)
        {
            var full = Full(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, Original);
        }

        File.WriteAllText(Path.Combine(Root, "src", "evil.txt"), "evil\n");
        foreach (var pack in new[] { "files", "shell", "web" })
        {
            var result = await _harness.LoadAsync(Catalog.PathOf(pack));
            Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AWriteToAProtectedPath_Asks_OrIsDeniedWhereNobodyCanBeAsked_WhateverTheAllowRules(string modeName, string tool, string path)
    {
        Assert.True(PermissionModes.TryParse(modeName, out var mode));
        var (name, arguments) = Call(tool, path);
        var policy = PermissionPolicy.FromText(["write(**)", "shell", "fetch", "download", "move", "delete", "edit", "multi_edit"]);
        var gate = new RulePermissionGate(policy, mode, Root, Home);
        using var pipeline = new ToolPipeline(_harness.Registry, _harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);

        var outcome = await pipeline.InvokeAsync(name, arguments, new ToolCallContext("s-1", "call-1") { WorkspaceRoot = Root });

        Assert.True(outcome.Status == ToolCallStatus.Denied, $"{outcome.Status}: {outcome.Text}");
        Assert.Contains("protected: ", outcome.Text, StringComparison.Ordinal);
        if (mode is PermissionMode.DontAsk or PermissionMode.Plan)
        {
            Assert.Contains("never asks", outcome.Text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("needs approval: ", outcome.Text, StringComparison.Ordinal);
        }

        Assert.Equal(Original, File.ReadAllText(Full(path)));
        Assert.True(File.Exists(Path.Combine(Root, "src", "evil.txt")), "the source of the move was moved");
    }

    [Theory]
    [InlineData("ask", Verdict.Ask)]
    [InlineData("accept-edits", Verdict.Ask)]
    [InlineData("yolo", Verdict.Ask)]
    [InlineData("dont-ask", Verdict.Deny)]
    [InlineData("plan", Verdict.Deny)]
    public void TheDecision_IsProtected_AndSuggestsNoRule_SoNoSessionGrantOrAlwaysAnswerCanCoverIt(string modeName, Verdict expected)
    {
        Assert.True(PermissionModes.TryParse(modeName, out var mode));
        var gate = new RulePermissionGate(PermissionPolicy.FromText(["write(**)"]), mode, Root, Home);
        var request = new ToolPermissionRequest("s", "c", "write", "files", ToolEffect.Write, new ToolCallDescription("write", ".agent/config.yaml")) { WorkspaceRoot = Root };

        var decision = gate.Decide(request);

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal(DecisionBasis.Protected, decision.Basis);
        Assert.Empty(decision.SuggestedRules);
        Assert.StartsWith("protected: agent configuration", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("write", "src/ok.txt")]
    [InlineData("write", "AGENTS.md")]
    [InlineData("write", ".agentx/config.yaml")]
    [InlineData("write", "docs/skills/guide.md")]
    [InlineData("write", ".github/workflows/ci.yml")]
    [InlineData("move-over", "src/moved.txt")]
    [InlineData("redirect", "src/out.txt")]
    public async Task Control_OrdinaryWrites_AreStillAllowedInAcceptEdits(string tool, string path)
    {
        var (name, arguments) = Call(tool, path);
        var gate = new RulePermissionGate(PermissionPolicy.FromText(["shell(echo *)"]), PermissionMode.AcceptEdits, Root, Home);
        using var pipeline = new ToolPipeline(_harness.Registry, _harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);
        var viewed = await pipeline.InvokeAsync("view", """{"path":"src/evil.txt"}""", new ToolCallContext("s-1", "call-0") { WorkspaceRoot = Root });
        Assert.True(viewed.Status == ToolCallStatus.Succeeded, viewed.Text);

        var outcome = await pipeline.InvokeAsync(name, arguments, new ToolCallContext("s-1", "call-1") { WorkspaceRoot = Root });

        Assert.True(outcome.Status == ToolCallStatus.Succeeded, $"{outcome.Status}: {outcome.Text}");
        Assert.True(File.Exists(Full(path)));
    }

    [Theory]
    [InlineData("yolo", "secret/config.txt")]
    [InlineData("accept-edits", "secret/config.txt")]
    [InlineData("yolo", "secret/")]
    [InlineData("accept-edits", "SECRET/../secret/new.txt")]
    public async Task MovingAFileOverADeniedPath_IsDenied_AndNothingMoves(string modeName, string destination)
    {
        Assert.True(PermissionModes.TryParse(modeName, out var mode));
        Directory.CreateDirectory(Path.Combine(Root, "secret"));
        var gate = new RulePermissionGate(PermissionPolicy.FromText(["write(**)"], deny: ["write(secret/**)"]), mode, Root, Home);
        using var pipeline = new ToolPipeline(_harness.Registry, _harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);

        var outcome = await pipeline.InvokeAsync(
            "move", JsonSerializer.Serialize(new { source = "src/evil.txt", destination }), new ToolCallContext("s-1", "call-1") { WorkspaceRoot = Root });

        Assert.True(outcome.Status == ToolCallStatus.Denied, $"{outcome.Status}: {outcome.Text}");
        Assert.Contains("denied by rule write(secret/**)", outcome.Text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Root, "src", "evil.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Root, "secret")));
    }

    [Fact]
    public async Task ADownloadIntoADeniedPath_IsDenied_BeforeAnyConnection()
    {
        var gate = new RulePermissionGate(PermissionPolicy.FromText(["fetch", "download"], deny: ["write(src/**)"]), PermissionMode.Yolo, Root, Home);
        using var pipeline = new ToolPipeline(_harness.Registry, _harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);

        var outcome = await pipeline.InvokeAsync(
            "download", JsonSerializer.Serialize(new { url = "http://127.0.0.1:9/x.bin", path = "src/x.bin" }), new ToolCallContext("s-1", "call-1") { WorkspaceRoot = Root });

        Assert.True(outcome.Status == ToolCallStatus.Denied, $"{outcome.Status}: {outcome.Text}");
        Assert.Contains("denied by rule write(src/**)", outcome.Text, StringComparison.Ordinal);
    }

    private (string Name, string Arguments) Call(string tool, string path)
    {
        var target = path.StartsWith("~/", StringComparison.Ordinal) ? Full(path) : path;
        var quoted = "'" + target.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        return tool switch
        {
            "write" => ("write", JsonSerializer.Serialize(new { path = target, content = "model_mode: yolo\n" })),
            "edit" => ("edit", JsonSerializer.Serialize(new { path = target, old_string = "original", new_string = "allow: [shell]" })),
            "multi_edit" => ("multi_edit", JsonSerializer.Serialize(new { path = target, edits = new[] { new { old_string = "original", new_string = "x" } } })),
            "delete" => ("delete", JsonSerializer.Serialize(new { path = target })),
            "move-over" => ("move", JsonSerializer.Serialize(new { source = "src/evil.txt", destination = target, overwrite = true })),
            "move-from" => ("move", JsonSerializer.Serialize(new { source = target, destination = "src/elsewhere.txt" })),
            "redirect" => ("shell", JsonSerializer.Serialize(new { command = $"echo pwned > {quoted}" })),
            "append" => ("shell", JsonSerializer.Serialize(new { command = $"echo pwned >> {quoted}" })),
            "download" => ("download", JsonSerializer.Serialize(new { url = "http://127.0.0.1:9/evil", path = target, overwrite = true })),
            _ => throw new ArgumentOutOfRangeException(nameof(tool), tool, null),
        };
    }

    private string Full(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Home, path[2..]) : Path.GetFullPath(path, Root);

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _temp.Dispose();
    }
}
