using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// A person answers permission prompts at a real terminal (a pseudo-terminal): deny with a reason, allow for the
/// session (surviving a headless resume), always (written to the project config), and switching to accept-edits.
/// </summary>
public sealed partial class InteractivePermissionTests
{
    private const string WriteNotes = """
        turns:
          - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "first\n" } }]
          - expect: { tool_results_contain: ["{0}"] }
            text: done.
        """;

    [TerminalFact]
    public async Task DenyWithAReason_TheToolNeverRuns_AndTheModelReceivesTheReason()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript(WriteNotes.Replace("{0}", "not before the review", StringComparison.Ordinal));

        var result = await Terminal.RunAsync(ws.Root, ws.Environment, "n not before the review\n", "run", "write notes", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Output); // every tool call was denied: exit 5 (#19 item 5)
        Assert.Contains("? permission [write]: files/write wants to write: notes.txt", result.Output, StringComparison.Ordinal);
        Assert.Contains("+first", result.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Root, "notes.txt")));
        var audit = await AuditAsync(ws, SessionId(result.Output));
        var decision = Assert.Single(audit.GetProperty("decisions").EnumerateArray());
        Assert.Equal(("deny", "cli", "once"), (decision.GetProperty("decision").GetString(), decision.GetProperty("answeredBy").GetString(), decision.GetProperty("scope").GetString()));
        Assert.Contains("not before the review", decision.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [TerminalFact]
    public async Task AllowForTheSession_HoldsAfterAHeadlessResume_ButCoversNothingElse()
    {
        using var ws = new RunWorkspace();
        var first = ws.WriteScript(WriteNotes.Replace("{0}", "notes.txt", StringComparison.Ordinal));
        var interactive = await Terminal.RunAsync(ws.Root, ws.Environment, "s\n", "run", "write notes", "-p", "scripted", "-p", "files", "-m", "scripted/" + first);
        Assert.True(interactive.ExitCode == ExitCodes.Success, interactive.Output);
        Assert.Equal("first\n", File.ReadAllText(Path.Combine(ws.Root, "notes.txt")));
        var session = SessionId(interactive.Output);

        // The scripted model continues after the assistant turns already in the session (the first run had two).
        var second = ws.WriteScript("""
            turns:
              - text: (first run)
              - text: (first run)
              - tool_calls: [{ name: view, arguments: { path: notes.txt } }]
              - tool_calls:
                  - { name: write, arguments: { path: notes.txt, content: "second\n" } }
                  - { name: write, arguments: { path: other.txt, content: "nope\n" } }
              - expect: { tool_results_contain: ["notes.txt", "permission denied"] }
                text: one of two.
            """);
        var resumed = await ws.RunAsync("run", "again", "--session", session, "-p", "scripted", "-p", "files", "-m", "scripted/" + second);

        // The grant covers notes.txt only: the write of other.txt is refused, so the run exits Denied and says what was refused (#47).
        Assert.True(resumed.ExitCode == ExitCodes.Denied, resumed.Error);
        Assert.Contains("1 of 3 tool calls was denied (refused: write other.txt)", resumed.Error, StringComparison.Ordinal);
        Assert.Equal("second\n", File.ReadAllText(Path.Combine(ws.Root, "notes.txt")));
        Assert.False(File.Exists(Path.Combine(ws.Root, "other.txt")));
        var audit = await AuditAsync(ws, session);
        Assert.Equal(["write(notes.txt)"], audit.GetProperty("grants").EnumerateArray().Select(g => g.GetString()));
        var scopes = audit.GetProperty("decisions").EnumerateArray().Select(d => (d.GetProperty("scope").GetString(), d.GetProperty("subject").GetString())).ToList();
        Assert.Equal([("session", "notes.txt"), ("mode", "notes.txt"), ("grant", "notes.txt"), ("mode", "other.txt")], scopes);
    }

    [TerminalFact]
    public async Task AlwaysForTheProject_WritesTheRule_AndTheNextSessionNeedsNoAnswer()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript(WriteNotes.Replace("{0}", "notes.txt", StringComparison.Ordinal));
        var interactive = await Terminal.RunAsync(ws.Root, ws.Environment, "p\n", "run", "write notes", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        Assert.True(interactive.ExitCode == ExitCodes.Success, interactive.Output);
        Assert.Contains("write(notes.txt)", File.ReadAllText(Path.Combine(ws.Root, ".agent", "config.yaml")), StringComparison.Ordinal);
        File.Delete(Path.Combine(ws.Root, "notes.txt"));

        var headless = await ws.RunAsync("run", "write notes", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);

        Assert.True(headless.ExitCode == ExitCodes.Success, headless.Error);
        Assert.Equal("first\n", File.ReadAllText(Path.Combine(ws.Root, "notes.txt")));
    }

    [TerminalFact]
    public async Task SwitchingToAcceptEdits_AllowsTheFollowingEdits_AndIsRememberedWithTheSession()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: a.txt, content: "a\n" } }]
              - tool_calls: [{ name: write, arguments: { path: b.txt, content: "b\n" } }]
              - expect: { tool_results_contain: ["b.txt"] }
                text: both written.
            """);

        var result = await Terminal.RunAsync(ws.Root, ws.Environment, "e\n", "run", "write two", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Output);
        Assert.True(File.Exists(Path.Combine(ws.Root, "a.txt")));
        Assert.True(File.Exists(Path.Combine(ws.Root, "b.txt")));
        Assert.Single(PromptPattern().Matches(result.Output));
        Assert.Contains("permission mode: accept-edits", result.Output, StringComparison.Ordinal);
        var audit = await AuditAsync(ws, SessionId(result.Output));
        Assert.Equal("accept-edits", audit.GetProperty("mode").GetString());
    }

    private static string SessionId(string output) => SessionPattern().Match(output) is { Success: true } match
        ? match.Groups[1].Value
        : throw new Xunit.Sdk.XunitException("no session id in:\n" + output);

    private static async Task<JsonElement> AuditAsync(RunWorkspace ws, string session)
    {
        var audit = await ws.RunAsync("session", "audit", session, "--json");
        Assert.True(audit.ExitCode == ExitCodes.Success, audit.Error);
        return JsonDocument.Parse(audit.Output).RootElement.Clone();
    }

    [GeneratedRegex(@"[Ss]ession ([0-9A-Z]{26})")]
    private static partial Regex SessionPattern();

    [GeneratedRegex(@"\? permission \[\w+\]:")]
    private static partial Regex PromptPattern();
}
