using AgentHost.Agent.Context;
using AgentHost.Agent.Mcp;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>
/// Where <c>@NAME:VALUE</c> goes: to the session's MCP server NAME before a plugin's resolver of the same prefix (a
/// server that did not start says why), else to the plugin, else it is a path.
/// </summary>
public sealed class McpResourceReferenceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ASessionServer_WinsOverAPluginPrefixOfItsName_AndOneThatDidNotStartSaysWhy()
    {
        await using var servers = await StartMissingServerAsync("jira");
        var expander = Expander(servers);

        var expanded = await expander.ExpandAsync("fix @jira:ABC-1 and @other:demo://x", []);

        var reference = Assert.Single(expanded.References);
        Assert.Equal(ContextReferenceKind.Mcp, reference.Kind);
        Assert.Contains("MCP server 'jira'", reference.Denied, StringComparison.Ordinal);
        Assert.Contains("did not start", reference.Denied, StringComparison.Ordinal);
        Assert.Contains("@jira:ABC-1 was not included: MCP server 'jira'", expanded.Warnings[0], StringComparison.Ordinal);
        Assert.Equal("@other:demo://x was left as text: no MCP server 'other' in this session (its servers: jira), and no context resolver for it", expanded.Warnings[1]);
    }

    [Fact]
    public async Task APluginPrefix_ThatIsNoServersName_StillGoesToThePlugin()
    {
        await using var servers = await StartMissingServerAsync("tracker");
        var expander = Expander(servers);

        var expanded = await expander.ExpandAsync("fix @jira:ABC-1", []);

        var reference = Assert.Single(expanded.References);
        Assert.Equal((ContextReferenceKind.Plugin, "Issue ABC-1: the build is red"), (reference.Kind, reference.Content));
    }

    [Fact]
    public async Task AnExplicitReference_ToAServerThatDidNotStart_FailsWithItsError()
    {
        await using var servers = await StartMissingServerAsync("docs");
        var expander = Expander(servers);

        var ex = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("read it", ["@docs:demo://readme"]));

        Assert.StartsWith("--context @docs:demo://readme: MCP server 'docs'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("did not start", ex.Message, StringComparison.Ordinal);
    }

    private ContextReferenceExpander Expander(McpSessionServers servers)
    {
        var registry = new CapabilityRegistry();
        registry.AddRange("jira", "1.0.0", [new ContextResolverCapability("jira", new FakeJira())]);
        return new ContextReferenceExpander(_temp.Path, registry) { McpResources = new McpResourceReferences(servers) };
    }

    /// <summary>A configured server whose executable does not exist: it fails to start at once (a real start attempt).</summary>
    private Task<McpSessionServers> StartMissingServerAsync(string name) =>
        McpSessionServers.StartAsync(
            [new McpServerDefinition(name, "config", McpTransport.Stdio) { Command = _temp.Combine("no-such-server") }], _temp.Path, events: null, logging: null, CancellationToken.None);

    private sealed class FakeJira : ContextReferenceResolver
    {
        protected override ValueTask<ResolvedContext?> ResolveCoreAsync(string reference, string workspaceRoot, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ResolvedContext?>(new ResolvedContext(reference, $"Issue {reference}: the build is red"));
    }
}
