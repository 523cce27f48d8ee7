using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Tests.GitTools;

namespace AgentHost.Tests.Reads;

/// <summary>git_show and git_diff through the real git pack, the kernel's pipeline and a rule gate, on a real repository.</summary>
public sealed class GitReadRulesTests
{
    private const string Secret = "SECRET-";

    public static TheoryData<string, string, string, string> Calls => new()
    {
        // rule, the secret of the denied file, tool, arguments (JSON)
        { "read(.env)", "SECRET-ENV", "git_show", """{"rev":"HEAD~1"}""" },
        { "read(.env)", "SECRET-ENV", "git_show", """{}""" },
        { "read(.env)", "SECRET-ENV", "git_diff", """{"range":"HEAD~2..HEAD"}""" },
        { "read(.env)", "SECRET-ENV", "git_diff", """{"range":"HEAD~1"}""" },
        { "read(.env)", "SECRET-ENV", "git_diff", """{}""" },
        { "read(.env)", "SECRET-ENV", "git_diff", """{"staged":true}""" },
        { "read(**/*.pem)", "SECRET-PEM", "git_show", """{"rev":"HEAD"}""" },
        { "read(**/*.pem)", "SECRET-PEM", "git_diff", """{"range":"HEAD~2..HEAD~1"}""" },
        { "read(*.pem)", "SECRET-PEM", "git_diff", """{}""" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Patches_LeaveOutFiles_TheReadRulesDeny(string rule, string secret, string tool, string arguments)
    {
        await using var git = await CreateAsync();

        var denied = await InvokeAsync(git, PermissionPolicy.FromText(deny: [rule]), tool, arguments);
        var asked = await InvokeAsync(git, PermissionPolicy.FromText(ask: [rule]), tool, arguments);
        var open = await InvokeAsync(git, PermissionPolicy.Empty, tool, arguments);

        Assert.True(denied.Status == ToolCallStatus.Succeeded, denied.Text);
        Assert.DoesNotContain(secret, denied.Text, StringComparison.Ordinal);
        Assert.Contains("left out by the read permission rules", denied.Text, StringComparison.Ordinal);
        Assert.Contains("+readme", denied.Text, StringComparison.Ordinal); // other files' changes are still shown
        Assert.DoesNotContain(secret, asked.Text, StringComparison.Ordinal);
        Assert.Contains(secret, open.Text, StringComparison.Ordinal); // control: the same call shows it without the rule
    }

    [Theory]
    [InlineData("""{"rev":"HEAD:.env"}""")]
    [InlineData("""{"rev":"HEAD~1:./.env"}""")]
    [InlineData("""{"rev":"HEAD","path":".env"}""")]
    public async Task ShowOfAFile_IsDecidedAsAReadOfThatFile(string arguments)
    {
        await using var git = await CreateAsync();

        var denied = await InvokeAsync(git, PermissionPolicy.FromText(deny: ["read(.env)"]), "git_show", arguments);
        var open = await InvokeAsync(git, PermissionPolicy.Empty, "git_show", arguments);

        Assert.Equal(ToolCallStatus.Denied, denied.Status);
        Assert.DoesNotContain(Secret, denied.Text, StringComparison.Ordinal);
        Assert.Contains(Secret, open.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShowOfABlobHash_IsRefused_AndARangeOfFilesToo()
    {
        await using var git = await CreateAsync();
        var blob = git.Git("rev-parse", "HEAD:.env").Trim();

        var show = await InvokeAsync(git, PermissionPolicy.FromText(deny: ["read(.env)"]), "git_show", JsonSerializer.Serialize(new { rev = blob[..12] }));
        var diff = await InvokeAsync(git, PermissionPolicy.FromText(deny: ["read(.env)"]), "git_diff", """{"range":"HEAD~2:.env..HEAD:.env"}""");

        Assert.DoesNotContain(Secret, show.Text, StringComparison.Ordinal);
        Assert.Contains("blob", show.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, diff.Text, StringComparison.Ordinal);
        Assert.Contains("names files", diff.Text, StringComparison.Ordinal);
    }

    private static async Task<GitPluginFixture> CreateAsync()
    {
        var git = await GitPluginFixture.LoadAsync();
        git.Commit("readme.md", "readme 1\n", "first");
        Change(git, 2, commit: true, pem: true);
        Change(git, 3, commit: true, pem: true);
        Change(git, 4, commit: false, pem: false);
        git.Git("add", "--", ".env", "readme.md");
        Change(git, 5, commit: false, pem: true);
        return git;
    }

    private static void Change(GitPluginFixture git, int step, bool commit, bool pem)
    {
        git.Write(".env", $"TOKEN=SECRET-ENV-{step}\n");
        git.Write("readme.md", $"readme {step}\n");
        if (pem)
        {
            git.Write("keys/server.pem", $"SECRET-PEM-{step}\n");
        }

        if (commit)
        {
            git.Git("add", "--", ".");
            git.Git("commit", "-q", "-m", $"change {step}");
        }
    }

    private static async Task<ToolCallOutcome> InvokeAsync(GitPluginFixture git, PermissionPolicy policy, string tool, string arguments)
    {
        var gate = new RulePermissionGate(policy, PermissionMode.Ask, git.Root, git.Temp.Combine("home"));
        using var pipeline = new ToolPipeline(git.Harness.Registry, git.Harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);
        return await pipeline.InvokeAsync(tool, arguments, new ToolCallContext("s-1", "call-1") { WorkspaceRoot = git.Root });
    }
}
