using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// #25 (peak memory): managed assemblies a run must not load. A script run through the shell tool reads the agent
/// process's memory map (<c>/proc/PID/maps</c>: the process whose working folder is the project and which has the
/// runtime mapped) and prints how many of its mappings are System.Net.Http.dll, how many YamlDotNet.dll files it maps and how many mappings
/// System.Reflection.Metadata.dll and System.IO.MemoryMappedFiles.dll have.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ManagedAssemblyRunTests
{
    private const string Probe = """
        for p in /proc/[0-9]*; do
          if [ "$(readlink "$p/cwd")" = "$PWD" ] && grep -q libcoreclr "$p/maps" 2>/dev/null; then
            echo "runtime-maps: $(grep -c libcoreclr "$p/maps") net-http-maps: $(grep -c 'System.Net.Http.dll' "$p/maps")"
            echo "yamldotnet-files: $(grep '/YamlDotNet.dll' "$p/maps" | awk '{print $6}' | sort -u | wc -l)"
            echo "metadata-reader-maps: $(grep -c -e 'System.Reflection.Metadata.dll' -e 'System.IO.MemoryMappedFiles.dll' "$p/maps")"
          fi
        done
        """;

    [LinuxFact("/proc/PID/maps")]
    public async Task HeadlessRun_WithTheWebPluginActive_DoesNotLoadSystemNetHttp_UntilItFetches()
    {
        // download with dry_run checks the URL and the path without a request: the web plugin is active afterwards.
        var script = """
            turns:
              - tool_calls: [{ name: download, arguments: { url: "https://example.com/a.txt", path: a.txt, dry_run: true } }]
              - expect:
                  tool_results_contain: [a.txt]
                tool_calls: [{ name: shell, arguments: { command: "bash probe.sh" } }]
              - expect:
                  tool_results_contain: ["net-http-maps: 0"]
                text: no http
            """;

        // The download is refused (dont-ask, no network rule), which is enough to activate the plugin: the run reports the denial, so --ignore-denials.
        await AssertProbeRunPrintsAsync(script, ["--ignore-denials"], "net-http-maps: 0", "no http");
    }

    [LinuxFact("/proc/PID/maps")]
    public async Task ScriptedRun_LoadsOneYamlDotNet_TheHosts()
    {
        // The scripted plugin (the benchmarks' model) parses its script with the host's YamlDotNet instead of a
        // private copy, which cost the 6-step benchmark about 1.5 MB of peak memory.
        await AssertProbeRunPrintsAsync(OneProbe("yamldotnet-files: 1", "one yaml"), [], "yamldotnet-files: 1", "one yaml");
    }

    [LinuxFact("/proc/PID/maps")]
    public async Task HeadlessRun_ChecksItsPluginsReferences_WithoutASecondMetadataReader()
    {
        // The first run in a new home loads every default plugin eagerly (no snapshot yet), so each entry assembly's
        // references are checked before its code runs: from the metadata the runtime mapped when it loaded the
        // assembly, not with System.Reflection.Metadata's PEReader over a memory-mapped copy of the file.
        await AssertProbeRunPrintsAsync(OneProbe("metadata-reader-maps: 0", "one reader"), [], "metadata-reader-maps: 0", "one reader");
    }

    /// <summary>A conversation that runs the probe once, expects <paramref name="expected"/> in its output and answers <paramref name="answer"/>.</summary>
    private static string OneProbe(string expected, string answer) => $$"""
        turns:
          - tool_calls: [{ name: shell, arguments: { command: "bash probe.sh" } }]
          - expect:
              tool_results_contain: ["{{expected}}"]
            text: {{answer}}
        """;

    /// <summary>
    /// Runs the scripted conversation with the probe script in a new workspace (its turns call <c>bash probe.sh</c>) and
    /// asserts that it succeeded, that the probe found the agent process and that the output has every one of <paramref name="texts"/>.
    /// </summary>
    private static async Task AssertProbeRunPrintsAsync(string script, string[] extraArgs, params string[] texts)
    {
        using var ws = new RunWorkspace();
        File.WriteAllText(Path.Combine(ws.Root, "probe.sh"), Probe.ReplaceLineEndings("\n"));
        var result = await AgentProcess.RunAsync(ws.Root, ws.Environment, [
            "run", "Probe", "--model", "scripted/" + ws.WriteScript(script), "--plugin", "scripted", "--allow", "shell(bash probe.sh)", "-o", "json",
            // The probe reads the agent's /proc/PID/maps: a sandboxed command has its own PID namespace and cannot see it (docs/sandbox.md).
            "--sandbox", "off", .. extraArgs]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("runtime-maps: ", result.Output, StringComparison.Ordinal);
        foreach (var text in texts)
        {
            Assert.Contains(text, result.Output, StringComparison.Ordinal);
        }
    }
}
