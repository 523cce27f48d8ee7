using AgentHost.Tests.Support;

namespace AgentHost.Acp.Tests;

/// <summary>
/// An <see cref="AcpFactAttribute"/> test that also needs the npm-installed MCP test servers (<c>tests/mcp-servers</c>):
/// skipped, with the reason, without them.
/// </summary>
public sealed class AcpMcpFactAttribute : FactAttribute
{
    public AcpMcpFactAttribute() =>
        Skip = AcpClient.MissingReason
            ?? (EverythingBin is null ? "needs the MCP test servers: npm ci --prefix tests/mcp-servers (.ci/run does it)" : null);

    /// <summary>The <c>node_modules/.bin</c> folder of the MCP test servers, or <see langword="null"/>.</summary>
    public static string? EverythingBin { get; } = NpmTools.FindBin("mcp-servers", "mcp-server-everything");
}
