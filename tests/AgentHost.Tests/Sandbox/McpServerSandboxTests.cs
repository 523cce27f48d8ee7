using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// A stdio MCP server in the real bubblewrap sandbox with <c>sandbox.mcp_servers: true</c> (docs/sandbox.md): a
/// dependency-free Node.js fixture (tests/mcp-servers/fixtures/file-reader-server.mjs) whose tool reads a file is asked
/// for the fake SSH key; without the setting (the default) the same server reads it.
/// </summary>
public sealed class McpServerSandboxTests
{
    [BubblewrapNodeFact]
    public async Task SandboxMcpServers_On_HidesCredentials_FromAStdioServer_Off_DoesNot()
    {
        using var ws = new SandboxWorkspace();
        var fixture = Path.Combine(RunWorkspace.RepositoryRoot(), "tests", "mcp-servers", "fixtures", "file-reader-server.mjs");
        var key = Path.Combine(ws.Home, ".ssh", "id_rsa");
        var servers = $"mcp:\n  servers:\n    reader: {{ command: node, args: [{JsonSerializer.Serialize(fixture)}] }}\n";
        var model = ws.Script($"{{ name: mcp__reader__read_file, arguments: {{ path: {JsonSerializer.Serialize(key)} }} }}");

        ws.WriteUserConfig(servers + "sandbox:\n  mcp_servers: true\n");
        var sandboxed = await ws.RunAsync(model);
        ws.WriteUserConfig(servers);
        var unsandboxed = await ws.RunAsync(model);

        Assert.True(sandboxed.Result.ExitCode == 0, sandboxed.All);
        var inside = Assert.Single(sandboxed.Results);
        Assert.DoesNotContain(SandboxWorkspace.FakeKey, inside, StringComparison.Ordinal);
        Assert.Contains("error: ", inside, StringComparison.Ordinal);
        Assert.Contains("sandbox=bubblewrap", inside, StringComparison.Ordinal);
        Assert.True(unsandboxed.Result.ExitCode == 0, unsandboxed.All);
        Assert.Contains(SandboxWorkspace.FakeKey, Assert.Single(unsandboxed.Results), StringComparison.Ordinal);
    }
}
