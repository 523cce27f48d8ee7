using AgentHost.Agent.Engine;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests;

/// <summary>Which tools are deferred: the plugin's choice, MCP servers' tools, the kernel's, and <c>plugins.deferred_tools</c>.</summary>
public sealed class ToolDeferralTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ByDefault_APluginDecides_SilenceDefers_McpToolsAreDeferred_KernelToolsNever()
    {
        var deferral = ToolDeferral.Default;

        Assert.False(deferral.IsDeferred(Entry("files", "view"), new ToolMetadata(ToolEffect.Read) { Deferred = false }));
        Assert.True(deferral.IsDeferred(Entry("git", "git_commit"), new ToolMetadata(ToolEffect.Write) { Deferred = true }));
        Assert.True(deferral.IsDeferred(Entry("acme", "jira_issue"), new ToolMetadata(ToolEffect.Network)));
        Assert.True(deferral.IsDeferred(Entry("mcp", "mcp__github__create_issue"), new ToolMetadata(ToolEffect.Network)));
        Assert.False(deferral.IsDeferred(Entry("kernel", "ask_user"), new ToolMetadata(ToolEffect.Read) { Deferred = true }));
    }

    [Fact]
    public void Configuration_ChoosesPerPluginAndPerMcpServer_AllNoneOrNames()
    {
        var deferral = ToolDeferral.FromConfiguration(Configure("""
            plugins:
              deferred_tools:
                git: none
                files: [move, delete]
                acme: all
                mcp__github: none
            """));

        Assert.False(deferral.IsDeferred(Entry("git", "git_commit"), new ToolMetadata(ToolEffect.Write) { Deferred = true }));
        Assert.True(deferral.IsDeferred(Entry("files", "move"), new ToolMetadata(ToolEffect.Write) { Deferred = false }));
        Assert.False(deferral.IsDeferred(Entry("files", "view"), new ToolMetadata(ToolEffect.Read) { Deferred = true }));
        Assert.True(deferral.IsDeferred(Entry("acme", "jira_issue"), new ToolMetadata(ToolEffect.Network) { Deferred = false }));
        Assert.False(deferral.IsDeferred(Entry("mcp", "mcp__github__create_issue"), new ToolMetadata(ToolEffect.Network)));
        Assert.True(deferral.IsDeferred(Entry("mcp", "mcp__slack__post"), new ToolMetadata(ToolEffect.Network)));
    }

    [Fact]
    public void Configuration_WithAnotherValue_FailsNamingTheKeyTheFileAndTheFix()
    {
        var error = Assert.Throws<AgentHostException>(() => ToolDeferral.FromConfiguration(Configure("""
            plugins:
              deferred_tools:
                git: some
            """)));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.Contains("config.yaml:3: plugins.deferred_tools.git is 'some'; write 'all'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'none'", error.Message, StringComparison.Ordinal);
        Assert.Contains("plugins.deferred_tools: { git: [tool_a, tool_b] }", error.Message, StringComparison.Ordinal);
    }

    private static RegisteredCapability Entry(string pluginId, string name) =>
        new(new ToolCapability(AIFunctionFactory.Create(() => "x", name), new ToolMetadata(ToolEffect.Read)), pluginId, "1.0.0");

    private ConfigurationSnapshot Configure(string yaml)
    {
        var repo = _temp.Combine("repo");
        Directory.CreateDirectory(Path.Combine(repo, ".git"));
        _temp.WriteFile("repo/.agent/config.yaml", yaml);
        var environment = TestEnvironment.Create(_temp.Path, repo);
        return ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["permissions.trusted_projects.0=" + repo]);
    }
}
