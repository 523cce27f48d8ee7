using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// The MCP servers installed for tests by <c>npm ci --prefix tests/mcp-servers</c> (.ci/run does it):
/// <c>@modelcontextprotocol/server-everything</c> and <c>server-filesystem</c>. Tests that need them are skipped, with
/// the reason, only when node/npm or the install is absent.
/// </summary>
internal static class McpTestServers
{
    private static readonly Lazy<string?> Bin = new(() => Support.NpmTools.FindBin("mcp-servers", "mcp-server-everything"));

    /// <summary>The <c>node_modules/.bin</c> folder, or <see langword="null"/>.</summary>
    public static string? BinDirectory => Bin.Value;

    /// <summary>The server-everything executable.</summary>
    public static string Everything => Path.Combine(BinDirectory!, OperatingSystem.IsWindows() ? "mcp-server-everything.cmd" : "mcp-server-everything");

    /// <summary>The server-filesystem executable.</summary>
    public static string Filesystem => Path.Combine(BinDirectory!, OperatingSystem.IsWindows() ? "mcp-server-filesystem.cmd" : "mcp-server-filesystem");

    /// <summary>The official MCP inspector's executable (<c>mcp-inspector --cli …</c>).</summary>
    public static string Inspector => Path.Combine(BinDirectory!, OperatingSystem.IsWindows() ? "mcp-inspector.cmd" : "mcp-inspector");

    /// <summary>Our fixture server on the official TypeScript SDK (list_changed on demand, cancellation record, start marker, logs).</summary>
    public static string LifecycleFixture => Path.Combine(Runs.RunWorkspace.RepositoryRoot(), "tests", "mcp-servers", "fixtures", "lifecycle-server.mjs");

    /// <summary>Our fixture server for names and sizes (any tool names, a result of any size, a tool that waits for the test; stdio or HTTP).</summary>
    public static string NamesFixture => Path.Combine(Runs.RunWorkspace.RepositoryRoot(), "tests", "mcp-servers", "fixtures", "names-server.mjs");

    public static string? SkipReason => BinDirectory is not null ? null
        : "MCP test servers not installed: run 'npm ci --prefix tests/mcp-servers' (needs node and npm; .ci/run does it)";
}

/// <summary>A fact that needs the npm-installed MCP servers; skipped with the reason when they are absent.</summary>
public sealed class McpFactAttribute : FactAttribute
{
    public McpFactAttribute()
    {
        if (McpTestServers.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// A fact that needs the npm-installed MCP servers and SIGINT delivered to a child process on Linux; skipped with the
/// reason when either is missing.
/// </summary>
public sealed class McpSigintFactAttribute : FactAttribute
{
    public McpSigintFactAttribute(string why) =>
        Skip = McpTestServers.SkipReason ?? new SigintFactAttribute(linuxOnly: true, why).Skip;
}

/// <summary>A theory that needs the npm-installed MCP servers; skipped with the reason when they are absent.</summary>
public sealed class McpTheoryAttribute : TheoryAttribute
{
    public McpTheoryAttribute()
    {
        if (McpTestServers.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
