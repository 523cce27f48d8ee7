using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// #25 (peak memory): a headless run that reads files, takes the skills baseline and creates a session makes no TLS
/// connection, so it must not load OpenSSL (libssl and libcrypto are about 5 MB of resident memory on Linux). The
/// dynamic linker of the real child process reports every library it opens (<c>LD_DEBUG=files</c>).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class NativeLibraryRunTests
{
    [LinuxFact("the dynamic linker's LD_DEBUG trace (glibc)")]
    public async Task HeadlessRun_WithFileTools_DoesNotLoadOpenSsl()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("""
            turns:
              - tool_calls: [{ name: ls, arguments: { path: . } }]
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - text: read it
            """);
        var trace = ws.Combine("ld-debug");
        Directory.CreateDirectory(trace);
        var environment = ws.Environment;
        environment["LD_DEBUG"] = "files";
        environment["LD_DEBUG_OUTPUT"] = Path.Combine(trace, "ld");

        var result = await AgentProcess.RunAsync(ws.Root, environment,
            "run", "Describe this project", "--model", "scripted/" + script, "--plugin", "scripted", "--plugin", "files", "-o", "final");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal("read it", result.Output.Trim());
        var opened = string.Concat(Directory.EnumerateFiles(trace).Select(File.ReadAllText));
        Assert.Contains("libcoreclr", opened, StringComparison.Ordinal); // the trace works: the runtime itself is in it
        Assert.DoesNotContain("libssl", opened, StringComparison.Ordinal);
        Assert.DoesNotContain("libcrypto", opened, StringComparison.Ordinal);
        Assert.DoesNotContain("Cryptography.Native.OpenSsl", opened, StringComparison.Ordinal);
    }
}
