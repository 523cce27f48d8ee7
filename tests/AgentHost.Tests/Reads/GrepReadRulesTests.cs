using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Reads;

/// <summary>grep through the real files pack, the kernel's pipeline and a rule gate: files the read rules refuse are never searched.</summary>
public sealed class GrepReadRulesTests : IAsyncLifetime
{
    private readonly PluginHarness _harness = new();
    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("ws");

    private string Home => _temp.Combine("home");

    public async Task InitializeAsync()
    {
        Write(Root, ".env", "API_TOKEN=SECRET-ENV-1\n");
        Write(Root, "keys/server.pem", "SECRET-PEM-2\n");
        Write(Root, "config/.env.local", "SECRET-ENV-3\n");
        Write(Root, "src/app.cs", "// not a SECRET-free file: SECRET-SRC-0\n");
        Write(Home, ".ssh/id_rsa", "SECRET-SSH-4\n");
        var result = await _harness.LoadAsync(Catalog.PathOf("files"));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _temp.Dispose();
    }

    public static TheoryData<string, string, PermissionMode, string> Cases => new()
    {
        // rule list, rule, mode, the secret that must not appear
        { "deny", "read(.env)", PermissionMode.Ask, "SECRET-ENV-1" },
        { "deny", "read(.env)", PermissionMode.Yolo, "SECRET-ENV-1" },
        { "deny", "read(**/*.pem)", PermissionMode.AcceptEdits, "SECRET-PEM-2" },
        { "deny", "read(*.pem)", PermissionMode.DontAsk, "SECRET-PEM-2" },
        { "deny", "read(.env*)", PermissionMode.Ask, "SECRET-ENV-3" },
        { "deny", "read(config/**)", PermissionMode.Yolo, "SECRET-ENV-3" },
        { "ask", "read(.env)", PermissionMode.Ask, "SECRET-ENV-1" },
        { "ask", "read(.env)", PermissionMode.DontAsk, "SECRET-ENV-1" },
        { "ask", "read(**/*.pem)", PermissionMode.AcceptEdits, "SECRET-PEM-2" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Grep_LeavesOutFiles_WhenTheReadRulesRefuseThem(string list, string rule, PermissionMode mode, string secret)
    {
        var policy = list == "deny" ? PermissionPolicy.FromText(deny: [rule]) : PermissionPolicy.FromText(ask: [rule]);

        var output = await GrepAsync(policy, mode, Root);

        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        Assert.Contains("SECRET-SRC-0", output, StringComparison.Ordinal);
        Assert.Contains("read permission rules keep out of search results", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("content")]
    [InlineData("files")]
    [InlineData("count")]
    public async Task Grep_DoesNotTellWhetherARefusedFileMatches(string mode)
    {
        var policy = PermissionPolicy.FromText(deny: ["read(.env)"]);

        var matching = await GrepAsync(policy, PermissionMode.Ask, Root, "API_TOKEN=SECRET", mode);
        var notMatching = await GrepAsync(policy, PermissionMode.Ask, Root, "API_TOKEN=NOPE", mode);

        Assert.DoesNotContain("\n.env", "\n" + matching, StringComparison.Ordinal);
        Assert.Contains("1 file the read permission rules keep out", matching, StringComparison.Ordinal);
        Assert.Contains("1 file the read permission rules keep out", notMatching, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grep_LeavesOutCredentialStores_OfTheSafetyFloor_WhenTheProjectIsTheHome()
    {
        var output = await GrepAsync(PermissionPolicy.Empty, PermissionMode.Yolo, Home);

        Assert.DoesNotContain("SECRET-SSH-4", output, StringComparison.Ordinal);
        Assert.Contains("read permission rules keep out of search results", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grep_LeavesOutRefusedFiles_DeepInTheTree_InEveryFolder()
    {
        // The read check remembers each folder's real path from its parent's (issue #25): every level must still be decided.
        var folder = "deep";
        for (var level = 0; level < 24; level++)
        {
            folder += $"/level-{level:00}";
            Write(Root, $"{folder}/secret-{level}.txt", $"SECRET-DEEP-{level}\n");
            Write(Root, $"{folder}/open-{level}.txt", $"SECRET-OPEN-{level}\n");
        }

        var output = await GrepAsync(PermissionPolicy.FromText(deny: ["read(**/secret-*.txt)"]), PermissionMode.Ask, Root, "SECRET-(DEEP|OPEN)");

        Assert.DoesNotContain("SECRET-DEEP", output, StringComparison.Ordinal);
        for (var level = 0; level < 24; level++)
        {
            Assert.Contains($"SECRET-OPEN-{level}", output, StringComparison.Ordinal);
        }

        Assert.Contains("24 files the read permission rules keep out", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_GrepShowsEveryFile_WithoutReadRules()
    {
        var output = await GrepAsync(PermissionPolicy.Empty, PermissionMode.Ask, Root);

        foreach (var secret in new[] { "SECRET-ENV-1", "SECRET-PEM-2", "SECRET-ENV-3", "SECRET-SRC-0" })
        {
            Assert.Contains(secret, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("read permission rules", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_ASafetyFloorFile_IsFoundWhenTheFloorIsOff()
    {
        var output = await GrepAsync(new PermissionPolicy([], safetyFloor: false), PermissionMode.Yolo, Home);

        Assert.Contains("SECRET-SSH-4", output, StringComparison.Ordinal);
    }

    private async Task<string> GrepAsync(PermissionPolicy policy, PermissionMode mode, string root, string pattern = "SECRET-", string output = "content")
    {
        var gate = new RulePermissionGate(policy, mode, root, Home);
        using var pipeline = new ToolPipeline(_harness.Registry, _harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);
        var arguments = System.Text.Json.JsonSerializer.Serialize(new { pattern, hidden = true, no_ignore = true, output });
        var outcome = await pipeline.InvokeAsync("grep", arguments, new ToolCallContext("s-1", "call-1") { WorkspaceRoot = root });
        Assert.True(outcome.Status == ToolCallStatus.Succeeded, outcome.Text);
        return outcome.Text;
    }

    private static void Write(string root, string relative, string content)
    {
        var full = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }
}
