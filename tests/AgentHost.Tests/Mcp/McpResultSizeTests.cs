using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentHost.Tests.Processes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// A 50 MB MCP tool result (#44 item 5) is capped while it is read, over stdio and over HTTP: the model gets its head and
/// tail with a marker, and the agent's memory stays small (it used to reach about 850 MB). A real <c>agent</c> process,
/// our fixture server on the official TypeScript SDK, the scripted model.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpResultSizeTests : IDisposable
{
    private const int Bytes = 50 * 1024 * 1024;

    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private static string Args(params string[] args) =>
        string.Join(", ", new[] { McpTestServers.NamesFixture }.Concat(args).Select(a => JsonSerializer.Serialize(a)));

    [McpLinuxFact("the agent's peak memory is read from /proc, and the test waits on FIFOs")]
    public async Task AFiftyMegabyteResultOverStdio_IsCutWhileRead_AndTheAgentStaysSmall()
    {
        var hold = Hold();
        _ws.WriteUserConfig($"mcp:\n  servers:\n    names: {{ command: node, args: [{Args("--big", Bytes.ToString(CultureInfo.InvariantCulture), "--hold", hold)}] }}\n");

        var peak = await RunAndMeasureAsync(hold);

        Assert.True(peak < 400 * 1024, $"the agent's peak resident memory was {peak / 1024} MB while reading a {Bytes / (1024 * 1024)} MB result over stdio");
    }

    [McpLinuxFact("the agent's peak memory is read from /proc, and the test waits on FIFOs")]
    public async Task AFiftyMegabyteResultOverHttp_IsCutWhileRead_AndTheAgentStaysSmall()
    {
        var hold = Hold();
        var portFifo = ProcessWatch.MakeFifo(_ws.Combine("port"));
        using var server = Process.Start(new ProcessStartInfo("node") { ArgumentList = { McpTestServers.NamesFixture, "--big", Bytes.ToString(CultureInfo.InvariantCulture), "--hold", hold, "--http", portFifo } })!;
        try
        {
            var port = await Task.Run(() => File.ReadAllText(portFifo)).WaitAsync(TimeSpan.FromMinutes(1));
            _ws.WriteUserConfig($"mcp:\n  servers:\n    names: {{ url: \"http://127.0.0.1:{port.Trim()}/mcp\" }}\n");

            var peak = await RunAndMeasureAsync(hold);

            Assert.True(peak < 400 * 1024, $"the agent's peak resident memory was {peak / 1024} MB while reading a {Bytes / (1024 * 1024)} MB result over HTTP");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The FIFOs of the fixture's <c>hold</c> tool.</summary>
    private string Hold()
    {
        var hold = ProcessWatch.MakeFifo(_ws.Combine("hold"));
        ProcessWatch.MakeFifo(hold + ".back");
        return hold;
    }

    /// <summary>
    /// Runs the agent: the model calls <c>big</c>, checks that it got the head and the tail, then calls <c>hold</c>; while
    /// the server holds, the agent's peak memory so far is read. Returns it in kilobytes.
    /// </summary>
    private async Task<long> RunAndMeasureAsync(string hold)
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: mcp__names__big, arguments: {} }]
              - expect: { tool_results_contain: ["BEGINxxx", "xxxEND"] }
                tool_calls: [{ name: mcp__names__hold, arguments: {} }]
              - expect: { tool_results_contain: ["released"] }
                text: read it
            """);
        using var agent = AgentProcess.Start(_ws.Root, _ws.Environment, "run", "go", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);
        var stderr = agent.StandardError.ReadToEndAsync();
        var stdout = agent.StandardOutput.ReadToEndAsync();
        var held = Task.Run(() => File.ReadAllText(hold));
        long? peak = null;
        if (await Task.WhenAny(held, agent.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(3)) == held)
        {
            // The server holds its answer (the big result was read): the agent's peak so far, then it may go on.
            peak = PeakMemoryKilobytes(agent);
            await File.WriteAllTextAsync(hold + ".back", "go\n");
        }
        else
        {
            // The run ended before the server held: open the FIFO's other end so the waiting read ends too.
            await File.WriteAllTextAsync(hold, string.Empty);
            await held;
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await agent.WaitForExitAsync(timeout.Token);
        }

        var (output, error) = (await stdout, await stderr);
        Assert.True(agent.ExitCode == ExitCodes.Success && peak is not null, error);
        Assert.Contains("read it", output, StringComparison.Ordinal);
        return peak!.Value;
    }

    /// <summary>The process's peak resident set size so far (<c>VmHWM</c>), in kilobytes.</summary>
    private static long PeakMemoryKilobytes(Process process) =>
        long.Parse(
            File.ReadLines($"/proc/{process.Id}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))["VmHWM:".Length..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture);
}
