using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Permissions;

/// <summary>
/// Attacks through the real files and shell packs behind the kernel's pipeline and gate: for every denied call, the
/// file system shows the tool never ran (the marker it would have created is absent, the file it would have changed
/// is unchanged).
/// </summary>
public sealed class DeniedCallsNeverRunTests : IAsyncLifetime
{
    private readonly PluginHarness _harness = new();
    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("ws");

    private string Home => _temp.Combine("home");

    public static TheoryData<string, string, PermissionMode, string[], string[], string> Cases => new()
    {
        // tool, arguments, mode, allow, deny, path (relative to the root) that must not exist afterwards
        { "write", """{"path":"new.txt","content":"x"}""", PermissionMode.DontAsk, [], [], "new.txt" },
        { "write", """{"path":"new.txt","content":"x"}""", PermissionMode.Plan, ["write(**)"], [], "new.txt" },
        { "write", """{"path":"../outside/w1.txt","content":"x"}""", PermissionMode.Ask, [], [], "../outside/w1.txt" },
        { "write", """{"path":"link-out/w2.txt","content":"x"}""", PermissionMode.AcceptEdits, [], [], "../outside/w2.txt" },
        { "write", """{"path":".git/hooks/pre-commit","content":"#!/bin/sh\ncurl evil"}""", PermissionMode.Yolo, ["write(**)"], [], ".git/hooks/pre-commit" },
        { "write", """{"path":"src/../.GIT/hooks/post-merge","content":"x"}""", PermissionMode.Yolo, [], [], ".git/hooks/post-merge" },
        { "write", """{"path":"keys/a.secret","content":"x"}""", PermissionMode.Yolo, [], ["write(*.secret)"], "keys/a.secret" },
        { "write", """{"path":"..\\outside\\w3.txt","content":"x"}""", PermissionMode.AcceptEdits, [], [], "../outside/w3.txt" },
        { "shell", """{"command":"touch m1"}""", PermissionMode.DontAsk, [], [], "m1" },
        { "shell", """{"command":"touch m2"}""", PermissionMode.Plan, ["shell"], [], "m2" },
        { "shell", """{"command":"echo hi; touch m3"}""", PermissionMode.DontAsk, ["shell(echo *)"], [], "m3" },
        { "shell", """{"command":"echo $(touch m4)"}""", PermissionMode.DontAsk, ["shell(echo *)"], [], "m4" },
        { "shell", """{"command":"echo `touch m5`"}""", PermissionMode.DontAsk, ["shell(echo *)"], [], "m5" },
        { "shell", """{"command":"echo hi > ../outside/m6"}""", PermissionMode.AcceptEdits, ["shell(echo *)"], [], "../outside/m6" },
        { "shell", """{"command":"echo hi > m7"}""", PermissionMode.DontAsk, ["shell(echo *)"], [], "m7" },
        { "shell", """{"command":"cat <<EOF > m8\nx\nEOF"}""", PermissionMode.DontAsk, ["shell(cat *)"], [], "m8" },
        { "shell", """{"command":"bash -c 'touch m9'"}""", PermissionMode.Yolo, [], ["shell(touch *)"], "m9" },
        { "shell", """{"command":"FOO=1 touch m10"}""", PermissionMode.Yolo, [], ["shell(touch *)"], "m10" },
        { "shell", """{"command":"echo m11 | xargs touch"}""", PermissionMode.Yolo, [], ["shell(touch *)"], "m11" },
        { "shell", """{"command":"nohup touch m12 &"}""", PermissionMode.Yolo, [], ["shell(touch *)"], "m12" },
        { "shell", """{"command":"timeout 5 nice -n 5 env A=1 touch m13"}""", PermissionMode.Yolo, [], ["shell(touch *)"], "m13" },
        { "shell", """{"command":"(cd src && touch ../m14)"}""", PermissionMode.Yolo, [], ["shell(touch *)"], "m14" },
        { "shell", """{"command":"tou\\\nch m15"}""", PermissionMode.Yolo, [], ["shell(touch *)"], "m15" },
        { "shell", """{"command":"git status && eval 'touch m16'"}""", PermissionMode.DontAsk, ["shell(git status*)"], [], "m16" },
        { "shell", """{"command":"echo x >> .git/config-m17"}""", PermissionMode.Yolo, [], [], ".git/config-m17" },
        { "shell", """{"command":"\"tou\"ch m18"}""", PermissionMode.Yolo, [], ["shell(touch *)"], "m18" },
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(Root, "src"));
        Directory.CreateDirectory(Path.Combine(Root, "keys"));
        Directory.CreateDirectory(Path.Combine(Root, ".git", "hooks"));
        Directory.CreateDirectory(_temp.Combine("outside"));
        Directory.CreateDirectory(Home);
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(Root, "link-out"), _temp.Combine("outside"));
        }

        foreach (var pack in new[] { "files", "shell" })
        {
            var result = await _harness.LoadAsync(Catalog.PathOf(pack));
            Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        }
    }

    [UnixTheory("bash command lines and symbolic links")]
    [MemberData(nameof(Cases))]
    public async Task TheDeniedCall_NeverRan(string tool, string arguments, PermissionMode mode, string[] allow, string[] deny, string mustNotExist)
    {
        var gate = new RulePermissionGate(PermissionPolicy.FromText(allow, deny: deny), mode, Root, Home);
        using var pipeline = new ToolPipeline(_harness.Registry, _harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);

        var outcome = await pipeline.InvokeAsync(tool, arguments, new ToolCallContext("s-1", "call-1") { WorkspaceRoot = Root });

        Assert.True(outcome.Status == ToolCallStatus.Denied, $"{outcome.Status}: {outcome.Text}");
        Assert.StartsWith("Error: permission denied: ", outcome.Text, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.GetFullPath(mustNotExist, Root)), $"{mustNotExist} exists: the tool ran");
    }

    [UnixTheory("bash command lines and symbolic links")]
    [InlineData("write", """{"path":"new.txt","content":"x"}""", "new.txt")]
    [InlineData("shell", """{"command":"FOO=1 touch m10"}""", "m10")]
    [InlineData("shell", """{"command":"echo m11 | xargs touch"}""", "m11")]
    public async Task Control_TheSameCallsRun_WhenAllowed(string tool, string arguments, string mustExist)
    {
        var gate = new RulePermissionGate(PermissionPolicy.Empty, PermissionMode.Yolo, Root, Home);
        using var pipeline = new ToolPipeline(_harness.Registry, _harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);

        var outcome = await pipeline.InvokeAsync(tool, arguments, new ToolCallContext("s-1", "call-1") { WorkspaceRoot = Root });

        Assert.True(outcome.Status == ToolCallStatus.Succeeded, outcome.Text);
        Assert.True(File.Exists(Path.Combine(Root, mustExist)));
    }

    [Fact]
    public async Task AnEditTheUserDenies_LeavesTheFileAsItWas()
    {
        await using var fixture = await GateFixture.CreateAsync();
        fixture.Answer(new PermissionAnswer(PermissionAnswerKind.Deny, "test") { Reason = "no" });
        var gate = await fixture.GateAsync(PermissionMode.Ask);
        var file = Path.Combine(fixture.Root, "src", "app.txt");
        File.WriteAllText(file, "original\n");
        using var pipeline = new ToolPipeline(_harness.Registry, _harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);

        var outcome = await pipeline.InvokeAsync(
            "edit",
            JsonSerializer.Serialize(new { path = "src/app.txt", old_string = "original", new_string = "changed" }),
            new ToolCallContext(fixture.SessionId, "call-1") { WorkspaceRoot = fixture.Root });

        Assert.Equal(ToolCallStatus.Denied, outcome.Status);
        Assert.Equal("original\n", File.ReadAllText(file));
        var request = Assert.Single(fixture.Requests);
        Assert.Contains("-original", request.Details, StringComparison.Ordinal);
        Assert.Contains("+changed", request.Details, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _temp.Dispose();
    }
}
