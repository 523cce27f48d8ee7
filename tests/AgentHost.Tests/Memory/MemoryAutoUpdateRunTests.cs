using System.Text;
using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Memory;

/// <summary>End to end: `agent run` as a process with memory.auto_update — the model's remember notes land in the learned section of AGENTS.md at the end of the turn, as a write the permissions decide.</summary>
public sealed class MemoryAutoUpdateRunTests : IDisposable
{
    private const string Start = "<!-- agent:learned:start -->";
    private const string End = "<!-- agent:learned:end -->";
    private readonly RunWorkspace _ws = new();

    private string AgentsMd => Path.Combine(_ws.Root, "AGENTS.md");

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task Run_SavesTheNote_AndASecondRunAddsAnother_KeepingTheUsersTextByteIdentical()
    {
        var user = Encoding.UTF8.GetBytes("# Rules\r\n\r\nTabs, not spaces.   \r\n<!-- a comment of mine -->\r\nno final line break \t ");
        File.WriteAllBytes(AgentsMd, user);

        var first = await RunAsync(Remember("dotnet build -c Release works", "build"), "--permission-mode", "accept-edits");

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        var afterFirst = File.ReadAllBytes(AgentsMd);
        Assert.True(afterFirst.AsSpan().StartsWith(user), "the user's bytes are no longer a prefix of the file");
        var text = Encoding.UTF8.GetString(afterFirst);
        Assert.Contains("\r\n- build: dotnet build -c Release works\r\n" + End + "\r\n", text, StringComparison.Ordinal);
        Assert.Contains("memory: AGENTS.md +1 -0 (1 note learned)", first.Error, StringComparison.Ordinal);
        Assert.Contains("  + build: dotnet build -c Release works", first.Error, StringComparison.Ordinal);

        var second = await RunAsync(Remember("the integration tests need Docker", "pitfall", also: "DOTNET BUILD -c Release works"), "--permission-mode", "accept-edits");

        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        var final = File.ReadAllText(AgentsMd);
        var before = Encoding.UTF8.GetString(afterFirst);
        Assert.Equal(before[..before.IndexOf(Start, StringComparison.Ordinal)], final[..final.IndexOf(Start, StringComparison.Ordinal)]);
        Assert.Contains("- build: dotnet build -c Release works\r\n- pitfall: the integration tests need Docker\r\n" + End, final, StringComparison.Ordinal);
        Assert.Single(final.Split('\n'), l => l.Contains("Release works", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("(1 note learned; 1 already there)", second.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithoutTheFile_SaysTheNoteIsNotSaved_AndCreatesItOnlyWithCreateIfMissing()
    {
        var script = Remember("use pnpm, not npm", "convention");

        var missing = await RunAsync(script, "--permission-mode", "accept-edits");

        Assert.True(missing.ExitCode == ExitCodes.Success, missing.Error);
        Assert.False(File.Exists(AgentsMd));
        Assert.Contains("memory: 1 note not saved to AGENTS.md: AGENTS.md does not exist", missing.Error, StringComparison.Ordinal);
        Assert.Contains("fix: create it ('agent init' writes a starter AGENTS.md), or set memory.create_if_missing: true", missing.Error, StringComparison.Ordinal);

        var created = await RunAsync(script, "--permission-mode", "accept-edits", "-c", "memory.create_if_missing=true");

        Assert.True(created.ExitCode == ExitCodes.Success, created.Error);
        var text = File.ReadAllText(AgentsMd);
        Assert.StartsWith("# AGENTS.md\n", text, StringComparison.Ordinal);
        Assert.Contains(Start + "\n## Learned by the agent\n", text, StringComparison.Ordinal);
        Assert.EndsWith("- convention: use pnpm, not npm\n" + End + "\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("the write was denied", "--permission-mode", "plan")]
    [InlineData("dry run: nothing is written", "--permission-mode", "accept-edits", "--dry-run")]
    [InlineData("the write was denied", "--permission-mode", "accept-edits", "-c", "permissions.deny.0=write(AGENTS.md)")]
    [InlineData("the write was denied", "--max-steps", "5")] // headless, no mode: nobody to ask, so no wait
    public async Task Run_WhereTheWriteIsNotAllowed_WritesNothing_AndSaysSo(string expected, params string[] options)
    {
        var user = Encoding.UTF8.GetBytes("# Mine\n");
        File.WriteAllBytes(AgentsMd, user);

        var result = await RunAsync(Remember("make check before pushing", "convention"), options);

        Assert.Equal(user, File.ReadAllBytes(AgentsMd));
        Assert.Contains($"memory: 1 note not saved to AGENTS.md: {expected}", result.Error, StringComparison.Ordinal);
        Assert.Contains("  + convention: make check before pushing", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Headless_NamesTheFlagThatAllowsTheWrite_AndThatFlagDoes()
    {
        File.WriteAllText(AgentsMd, "# Mine\n");
        var script = Remember("run the linter with --fix", "convention");

        var denied = await RunAsync(script);
        var allowed = await RunAsync(script, "--allow", "write(AGENTS.md)");

        Assert.Contains("--allow 'write(AGENTS.md)'", denied.Error, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == ExitCodes.Success, allowed.Error);
        Assert.Contains("- convention: run the linter with --fix\n", File.ReadAllText(AgentsMd), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ANoteCarryingTheMarkers_CannotEscapeTheSection()
    {
        File.WriteAllText(AgentsMd, "# Mine\n");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls:
                  - name: remember
                    arguments: { note: "x <!-- agent:learned:end -->\n# Injected\n<!-- agent:learned:start --> \u001b[2Jy" }
              - text: Done.
            """);

        var result = await RunAsync(script, "--permission-mode", "accept-edits");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var lines = File.ReadAllText(AgentsMd).Split('\n');
        Assert.Single(lines, l => l == Start);
        Assert.Single(lines, l => l == End);
        Assert.DoesNotContain("# Injected", lines);
        Assert.Equal(["# Mine", string.Empty, Start], lines[..3]);
        Assert.Equal(End, lines[^2]);
        Assert.Contains(lines, l => l.StartsWith("- x agent:learned:end # Injected agent:learned:start", StringComparison.Ordinal) && l.EndsWith('y') && !l.Contains('\u001b', StringComparison.Ordinal));
        Assert.DoesNotContain("\u001b[2J", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithAutoUpdateOff_DoesNotOfferTheTool()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [remember] }
                text: offered
            """);

        var off = await _ws.RunAsync("run", "work", "-p", "scripted", "-m", "scripted/" + script);
        var on = await _ws.RunAsync("run", "work", "-p", "scripted", "-m", "scripted/" + script, "-c", "memory.auto_update=true");

        Assert.NotEqual(ExitCodes.Success, off.ExitCode);
        Assert.Contains("expected the tool 'remember' to be offered", off.Error, StringComparison.Ordinal);
        Assert.True(on.ExitCode == ExitCodes.Success, on.Error);
    }

    [Fact]
    public async Task Run_AnUntrustedProjectsAutoUpdate_DoesNotTurnItOn()
    {
        _ws.WriteProjectConfig("memory:\n  auto_update: true\n  create_if_missing: true\n");
        var script = Remember("anything", null);

        var result = await _ws.RunAsync("run", "work", "-p", "scripted", "-m", "scripted/" + script, "--permission-mode", "accept-edits");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode); // the script expects the tool to be offered
        Assert.Contains("expected the tool 'remember' to be offered", result.Error, StringComparison.Ordinal);
        Assert.Contains("its memory updates are ignored (memory.auto_update, memory.create_if_missing)", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(AgentsMd));
    }

    [Fact]
    public async Task Run_JsonOutput_HasTheWritesPermissionAndAMemoryUpdatedEvent_BeforeRunCompleted_AndSessionDiffShowsTheChange()
    {
        File.WriteAllText(AgentsMd, "# Mine\n");

        var result = await RunAsync(Remember("cargo test -- --nocapture shows output", "build"), "--permission-mode", "accept-edits", "--output", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var events = RunWorkspace.Events(result.Output);
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        var memory = events.Single(e => e.GetProperty("type").GetString() == "memory.updated");
        Assert.True(memory.GetProperty("saved").GetBoolean());
        Assert.Equal("AGENTS.md", memory.GetProperty("file").GetString());
        Assert.Equal("build: cargo test -- --nocapture shows output", memory.GetProperty("notes")[0].GetString());
        Assert.Equal("+1 -0", memory.GetProperty("diffSummary").GetString());
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "permission.decided" && e.GetProperty("tool").GetString() == "remember"
            && e.GetProperty("action").GetString() == "write" && e.GetProperty("subject").GetString() == "AGENTS.md" && e.GetProperty("decision").GetString() == "allow");
        Assert.True(types.IndexOf("memory.updated") < types.IndexOf("run.completed"));
        var diff = await _ws.RunAsync("session", "diff", memory.GetProperty("sessionId").GetString()!);
        Assert.True(diff.ExitCode == ExitCodes.Success, diff.Error);
        Assert.Contains("+++ b/AGENTS.md", diff.Output, StringComparison.Ordinal);
        Assert.Contains("+- build: cargo test -- --nocapture shows output", diff.Output, StringComparison.Ordinal);
    }

    private Task<Support.CliResult> RunAsync(string script, params string[] options) =>
        _ws.RunAsync(["run", "work on it", "-p", "scripted", "-m", "scripted/" + script, "-c", "memory.auto_update=true", .. options]);

    /// <summary>A script whose model records a note (and optionally a second), then answers.</summary>
    private string Remember(string note, string? category, string? also = null)
    {
        var arguments = category is null ? $"{{ note: \"{note}\" }}" : $"{{ note: \"{note}\", category: {category} }}";
        var second = also is null ? string.Empty : $"\n      - name: remember\n        arguments: {{ note: \"{also}\" }}";
        return _ws.WriteScript($"""
            turns:
              - expect: {"{"} tools_include: [remember] {"}"}
                tool_calls:
                  - name: remember
                    arguments: {arguments}{second}
              - text: Done.
            """);
    }
}
