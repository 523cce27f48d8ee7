using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Acp.Tests;

/// <summary>
/// eng/acp-registry/make-entry.sh writes the ACP registry's entry (agent.json, icon.svg) from a release's archives:
/// the registry's rules (its agent.schema.json: id pattern, semantic version, platform names, sha256 form; a
/// monochrome icon) hold, and each archive's hash is its own.
/// </summary>
public sealed class AcpRegistryEntryTests
{
    private static readonly string[] Platforms = ["darwin-aarch64", "darwin-x86_64", "linux-aarch64", "linux-x86_64", "windows-aarch64", "windows-x86_64"];

    [UnixFact]
    public async Task MakeEntry_FromTwoArchives_WritesAnEntryTheRegistryAccepts_WithEachArchivesHash()
    {
        using var temp = new TempDirectory();
        var linux = temp.WriteFile("agent-linux-x64.tar.gz", "linux archive");
        var windows = temp.WriteFile("agent-win-x64.zip", "windows archive");

        var (exit, output) = await RunAsync("1.4.2", "https://example.org/releases/v1.4.2/", temp.Path);

        Assert.True(exit == 0, output);
        var entry = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "acp-registry", "agenthost", "agent.json")))!;
        Assert.Matches("^[a-z][a-z0-9-]*$", (string)entry["id"]!);
        Assert.Equal("1.4.2", (string?)entry["version"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)entry["description"]));
        var binary = entry["distribution"]!["binary"]!.AsObject();
        Assert.Equal(["linux-x86_64", "windows-x86_64"], binary.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.All(binary, p => Assert.Contains(p.Key, Platforms));
        Assert.Equal("https://example.org/releases/v1.4.2/agent-linux-x64.tar.gz", (string?)binary["linux-x86_64"]!["archive"]);
        Assert.Equal(Hash(linux), (string?)binary["linux-x86_64"]!["sha256"]);
        Assert.Equal(Hash(windows), (string?)binary["windows-x86_64"]!["sha256"]);
        Assert.Equal("./agent.exe", (string?)binary["windows-x86_64"]!["cmd"]);
        Assert.Equal(["acp"], binary["linux-x86_64"]!["args"]!.AsArray().Select(a => (string)a!));
        var icon = File.ReadAllText(Path.Combine(temp.Path, "acp-registry", "agenthost", "icon.svg"));
        Assert.Contains("currentColor", icon, StringComparison.Ordinal);
        Assert.DoesNotMatch("fill=\"#", icon);
    }

    [UnixFact]
    public async Task MakeEntry_WithABadVersionOrNoArchive_SaysWhatIsWrong()
    {
        using var temp = new TempDirectory();

        var (badVersion, versionOutput) = await RunAsync("v1", "https://example.org", temp.Path);
        var (noArchive, archiveOutput) = await RunAsync("1.0.0", "https://example.org", temp.Path);

        Assert.Equal(2, badVersion);
        Assert.Contains("VERSION 'v1' is not a semantic version", versionOutput, StringComparison.Ordinal);
        Assert.Equal(1, noArchive);
        Assert.Contains("no agent-<rid>.tar.gz or agent-<rid>.zip in", archiveOutput, StringComparison.Ordinal);
    }

    private static string Hash(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash");
        start.ArgumentList.Add(Path.Combine(RunWorkspace.RepositoryRoot(), "eng", "acp-registry", "make-entry.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var result = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(1), "make-entry.sh");
        return (result.ExitCode, result.Output + result.Error);
    }
}
