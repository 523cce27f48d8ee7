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
using AgentHost.Tests.GitTools;

namespace AgentHost.Plugins.Git.Tests;

/// <summary>The plugin as the host sees it: tools and effects, settings validation, and calls through the permission gate.</summary>
public sealed class GitPluginTests
{
    [Fact]
    public async Task Plugin_RegistersEveryTool_WithReadOrWriteEffect()
    {
        await using var git = await GitPluginFixture.LoadAsync(init: false);

        string[] reads = ["git_status", "git_diff", "git_log", "git_show", "git_branch_list"];
        string[] writes = ["git_add", "git_restore", "git_branch_create", "git_switch"];

        Assert.All(reads, name => Assert.Equal(ToolEffect.Read, git.Tool(name).Metadata.Effect));
        Assert.All(writes, name => Assert.Equal(ToolEffect.Write, git.Tool(name).Metadata.Effect));
        Assert.Equal(ToolEffect.Write | ToolEffect.Execute, git.Tool("git_commit").Metadata.Effect); // it runs hooks
        Assert.All([.. reads, .. writes, "git_commit"], name => Assert.True(git.Tool(name).Metadata is { DescribeCall: not null } or { DescribeCallAsync: not null }, name));
    }

    [Theory]
    [InlineData("attribution", "sometimes", "plugins.settings.git.attribution: 'sometimes' is not one of assisted-by, co-authored-by, none")]
    [InlineData("co_author", "just a name", "plugins.settings.git.co_author: 'just a name' is not 'Name <email>'")]
    [InlineData("timeout_ms", "0", "plugins.settings.git.timeout_ms: '0' is not a whole number from 1000")]
    [InlineData("program", "bin/git", "plugins.settings.git.program: 'bin/git' is a relative path")]
    [InlineData("push", "true", "plugins.settings.git.push: unknown setting")]
    public async Task BadSettings_FailTheLoad_NamingTheKey(string key, string value, string message)
    {
        var (git, result) = await GitPluginFixture.TryLoadAsync((key, value));
        await using var _ = git;

        Assert.Equal(PluginLoadStatus.Failed, result.Status);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DontAskMode_AllowsStatus_ButDeniesCommit_WhichNeverRuns()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("a.txt", "a\n");
        git.Git("add", ".");
        var home = git.Temp.Combine("home");
        Directory.CreateDirectory(home);
        var gate = new RulePermissionGate(PermissionPolicy.FromText(), PermissionMode.DontAsk, git.Root, home);
        using var pipeline = new ToolPipeline(git.Harness.Registry, git.Harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);
        var context = new ToolCallContext("s-1", "call-1") { WorkspaceRoot = git.Root };

        var status = await pipeline.InvokeAsync("git_status", "{}", context);
        var commit = await pipeline.InvokeAsync("git_commit", JsonSerializer.Serialize(new { message = "Sneaky" }), context with { CallId = "call-2" });

        Assert.Equal(ToolCallStatus.Succeeded, status.Status);
        Assert.Contains("added: a.txt", status.Text, StringComparison.Ordinal);
        Assert.Equal(ToolCallStatus.Denied, commit.Status);
        Assert.NotEqual(0, GitPluginFixture.RunGit(git.Root, "rev-parse", "--verify", "-q", "HEAD").Code);
    }

    [Fact]
    public async Task AcceptEditsMode_AsksBeforeStaging_LikeACommit_AndAnAllowRuleStagesAFileInsideTheRoot()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("dir with space/naïve ü.txt", "x\n");
        var context = new ToolCallContext("s-1", "call-1") { WorkspaceRoot = git.Root };
        var arguments = JsonSerializer.Serialize(new { paths = GitPluginFixture.Paths("dir with space/naïve ü.txt") });

        using var asking = Pipeline(git, PermissionPolicy.FromText(), PermissionMode.AcceptEdits);
        var denied = await asking.InvokeAsync("git_add", arguments, context);
        using var allowed = Pipeline(git, PermissionPolicy.FromText(allow: ["git_add"]), PermissionMode.AcceptEdits);
        var add = await allowed.InvokeAsync("git_add", arguments, context with { CallId = "call-2" });

        Assert.Equal(ToolCallStatus.Denied, denied.Status);
        Assert.Contains("staging asks, as a commit does", denied.Text, StringComparison.Ordinal);
        Assert.Equal(ToolCallStatus.Succeeded, add.Status);
        Assert.Equal("dir with space/naïve ü.txt\n", git.Git("diff", "--cached", "--name-only"));
    }

    [Fact]
    public async Task ADenyRuleOnTheBranch_StopsACommitOnIt_EvenInYoloMode()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Write("a.txt", "a\n");
        git.Git("add", ".");
        using var pipeline = Pipeline(git, PermissionPolicy.FromText(deny: ["git_commit(main)"]), PermissionMode.Yolo);
        var context = new ToolCallContext("s-1", "call-1") { WorkspaceRoot = git.Root };

        var commit = await pipeline.InvokeAsync("git_commit", JsonSerializer.Serialize(new { message = "On main" }), context);

        Assert.Equal(ToolCallStatus.Denied, commit.Status);
        Assert.Contains("git_commit(main)", commit.Text, StringComparison.Ordinal);
        Assert.NotEqual(0, GitPluginFixture.RunGit(git.Root, "rev-parse", "--verify", "-q", "HEAD").Code);
    }

    [Fact]
    public async Task AReadDenyRule_AppliesToAFileShownFromHistory()
    {
        await using var git = await GitPluginFixture.LoadAsync();
        git.Commit(".env", "TOKEN=secret\n", "oops");
        using var pipeline = Pipeline(git, PermissionPolicy.FromText(deny: ["read(.env)"]), PermissionMode.Yolo);
        var context = new ToolCallContext("s-1", "call-1") { WorkspaceRoot = git.Root };

        var show = await pipeline.InvokeAsync("git_show", JsonSerializer.Serialize(new { rev = "HEAD:.env" }), context);

        Assert.Equal(ToolCallStatus.Denied, show.Status);
        Assert.DoesNotContain("secret", show.Text, StringComparison.Ordinal);
    }

    private static ToolPipeline Pipeline(GitPluginFixture git, PermissionPolicy policy, PermissionMode mode)
    {
        var home = git.Temp.Combine("home");
        Directory.CreateDirectory(home);
        var gate = new RulePermissionGate(policy, mode, git.Root, home);
        return new ToolPipeline(git.Harness.Registry, git.Harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);
    }
}
