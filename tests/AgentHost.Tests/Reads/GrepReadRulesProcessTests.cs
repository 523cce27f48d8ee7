using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Reads;

/// <summary>
/// <c>agent tool run grep</c> end to end (the real process, headless: CI set, no terminal) with read rules from the
/// user's and the project's configuration: the files a deny or ask rule covers are left out of every output mode —
/// an ask cannot be put to anyone headless, so it leaves the file out (docs/permissions.md, Reads) — and the rest are
/// found. Issue #25, sixth pass: with a read rule every walked file is decided by the engine's path for a path known to
/// be real; these runs show the rules still apply there, in deep folders, in every case spelling, and through a link.
/// </summary>
public sealed class GrepReadRulesProcessTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public GrepReadRulesProcessTests()
    {
        foreach (var (path, text) in new[]
        {
            ("src/app.cs", "NEEDLE-OPEN-1\n"), ("src/deep/a/b/c/d/lib.cs", "NEEDLE-OPEN-2\n"),
            ("src/deep/a/b/c/d/token.secret", "NEEDLE-SECRET-1\n"), ("src/Upper.SECRET", "NEEDLE-SECRET-2\n"),
            ("token.secret", "NEEDLE-SECRET-3\n"), ("keys/server.pem", "NEEDLE-ASK-1\n"), ("Keys/Other.pem", "NEEDLE-ASK-2\n"),
            ("notes/plan.md", "NEEDLE-USER-DENY-1\n"), ("docs/readme.md", "NEEDLE-OPEN-3\n"),
        })
        {
            var full = Path.Combine(_ws.Root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        // The project's rules (an untrusted project's deny and ask rules apply) and the user's.
        _ws.WriteProjectConfig("permissions:\n  deny:\n    - read(**/*.secret)\n  ask:\n    - read(keys/**)\n");
        _ws.WriteUserConfig("permissions:\n  deny:\n    - read(notes/**)\n");
    }

    [Theory]
    [InlineData("content")]
    [InlineData("files")]
    [InlineData("count")]
    public async Task ToolRunGrep_LeavesOutWhatTheReadRulesDenyOrAsk_InEveryOutputMode(string output)
    {
        var result = await GrepAsync(output);

        Assert.True(result.ExitCode == 0, result.Error);
        foreach (var hidden in new[] { "NEEDLE-SECRET", "NEEDLE-ASK", "NEEDLE-USER-DENY", "token.secret", "Upper.SECRET", "server.pem", "Other.pem", "plan.md" })
        {
            Assert.DoesNotContain(hidden, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains(output == "content" ? "NEEDLE-OPEN-2" : "lib.cs", result.Output, StringComparison.Ordinal);
        Assert.Contains(output == "content" ? "NEEDLE-OPEN-3" : "readme.md", result.Output, StringComparison.Ordinal);
        Assert.Contains("6 files the read permission rules keep out", result.Output, StringComparison.Ordinal);
    }

    [SymlinkFact]
    public async Task ToolRunGrep_DoesNotReadThroughALinkedFolder_ToWhatARuleDenies()
    {
        Directory.CreateSymbolicLink(Path.Combine(_ws.Root, "alias"), Path.Combine(_ws.Root, "notes"));

        var result = await GrepAsync("content");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.DoesNotContain("NEEDLE-USER-DENY", result.Output, StringComparison.Ordinal);
        Assert.Contains("NEEDLE-OPEN-1", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_WithoutTheRules_EveryFileIsFound()
    {
        File.Delete(Path.Combine(_ws.Root, ".agent", "config.yaml"));
        _ws.WriteUserConfig("permissions: {}\n");

        var result = await GrepAsync("content");

        Assert.True(result.ExitCode == 0, result.Error);
        foreach (var shown in new[] { "NEEDLE-SECRET-1", "NEEDLE-SECRET-2", "NEEDLE-SECRET-3", "NEEDLE-ASK-1", "NEEDLE-ASK-2", "NEEDLE-USER-DENY-1", "NEEDLE-OPEN-1" })
        {
            Assert.Contains(shown, result.Output, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _ws.Dispose();

    private Task<CliResult> GrepAsync(string output) =>
        _ws.RunAsync("tool", "run", "grep", "--args", $"{{\"pattern\": \"NEEDLE-\", \"output\": \"{output}\"}}", "-p", "files", "--root", _ws.Root);
}
