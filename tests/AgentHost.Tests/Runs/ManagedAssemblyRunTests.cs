using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// #25 (peak memory): a run with the default plugins activates the web plugin, but a run that fetches nothing must not
/// load System.Net.Http (about 0.7 MB of resident memory with System.Net.Primitives). A script run through the shell
/// tool reads the agent process's memory map (<c>/proc/PID/maps</c>: the process whose working folder is the project
/// and which has the runtime mapped) and prints how many of its mappings are System.Net.Http.dll.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ManagedAssemblyRunTests
{
    private const string Probe = """
        for p in /proc/[0-9]*; do
          if [ "$(readlink "$p/cwd")" = "$PWD" ] && grep -q libcoreclr "$p/maps" 2>/dev/null; then
            echo "runtime-maps: $(grep -c libcoreclr "$p/maps") net-http-maps: $(grep -c 'System.Net.Http.dll' "$p/maps")"
          fi
        done
        """;

    [LinuxFact("/proc/PID/maps")]
    public async Task HeadlessRun_WithTheWebPluginActive_DoesNotLoadSystemNetHttp_UntilItFetches()
    {
        using var ws = new RunWorkspace();
        File.WriteAllText(Path.Combine(ws.Root, "probe.sh"), Probe.ReplaceLineEndings("\n"));
        // download with dry_run checks the URL and the path without a request: the web plugin is active afterwards.
        var script = ws.WriteScript("""
            turns:
              - tool_calls: [{ name: download, arguments: { url: "https://example.com/a.txt", path: a.txt, dry_run: true } }]
              - expect:
                  tool_results_contain: [a.txt]
                tool_calls: [{ name: shell, arguments: { command: "bash probe.sh" } }]
              - expect:
                  tool_results_contain: ["net-http-maps: 0"]
                text: no http
            """);

        var result = await AgentProcess.RunAsync(ws.Root, ws.Environment,
            "run", "Probe", "--model", "scripted/" + script, "--plugin", "scripted", "--allow", "shell(bash probe.sh)", "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("runtime-maps: ", result.Output, StringComparison.Ordinal); // the probe found the agent process
        Assert.Contains("net-http-maps: 0", result.Output, StringComparison.Ordinal);
        Assert.Contains("no http", result.Output, StringComparison.Ordinal);
    }
}
