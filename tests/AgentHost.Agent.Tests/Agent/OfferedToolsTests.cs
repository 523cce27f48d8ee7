using AgentHost.Agent.Engine;
using AgentHost.Tests.Agent;

namespace AgentHost.Agent.Tests;

/// <summary>The tools a workflow agent node's <c>tools</c> offers (<c>offeredNames</c>): plain or plugin-qualified names.</summary>
public sealed class OfferedToolsTests
{
    [Fact]
    public async Task OfferedNames_LimitTheToolsTheModelIsOffered_ByPlainOrQualifiedName()
    {
        await using var harness = new AgentHarness();
        harness.Add("files", AgentHarness.Tool("view", () => "v"), AgentHarness.Tool("write", () => "w"));
        harness.Add("git", AgentHarness.Tool("git_status", () => "g"));

        var all = ToolSet.Create(harness.Registry).Declarations.Select(d => d.Name);
        var some = ToolSet.Create(harness.Registry, offeredNames: new HashSet<string>(["view", "git/git_status"])).Declarations.Select(d => d.Name);

        Assert.Equal(["git_status", "view", "write"], all);
        Assert.Equal(["git_status", "view"], some);
    }
}
