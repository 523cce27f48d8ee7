using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sessions;

/// <summary>
/// File checkpoints through real <c>agent</c> processes: two turns of the scripted provider write, edit and delete files;
/// <c>agent session diff</c> shows both; <c>agent session undo</c> reverts the last turn exactly.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class SessionUndoRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    private string Ws(string name) => Path.Combine(_ws.Root, name);

    [Fact]
    public async Task DiffShowsBothTurns_UndoRevertsTheLastTurnExactly_ThenTheOneBefore()
    {
        var session = await RunTwoTurnsAsync();

        var diff = await _ws.RunAsync("session", "diff", session);
        Assert.True(diff.ExitCode == ExitCodes.Success, diff.Error);
        Assert.Contains("+++ b/new.txt", diff.Output, StringComparison.Ordinal);
        Assert.Contains("+TWO", diff.Output, StringComparison.Ordinal);
        Assert.Contains("-one", diff.Output, StringComparison.Ordinal);
        Assert.Contains("--- a/gone.txt", diff.Output, StringComparison.Ordinal);
        var stat = await _ws.RunAsync("session", "diff", session, "--stat");
        Assert.Contains("turn 1: 2 file(s)", stat.Output, StringComparison.Ordinal);
        Assert.Contains("turn 2: 3 file(s)", stat.Output, StringComparison.Ordinal);
        var second = await _ws.RunAsync("session", "diff", session, "--turn", "2");
        Assert.Contains("-ONE", second.Output, StringComparison.Ordinal);
        Assert.Contains("+TWO", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("new.txt", second.Output, StringComparison.Ordinal);

        var headless = await _ws.RunAsync("session", "undo", session);
        Assert.True(headless.ExitCode == ExitCodes.Usage, headless.Error);
        Assert.Equal("TWO\n", File.ReadAllText(Ws("keep.txt"))); // nothing written

        var undo = await _ws.RunAsync("session", "undo", session, "--yes");

        Assert.True(undo.ExitCode == ExitCodes.Success, undo.Error + undo.Output);
        Assert.Equal("ONE\n", File.ReadAllText(Ws("keep.txt")));
        Assert.False(File.Exists(Ws("made.txt")), "a file the turn created is deleted");
        Assert.Equal("bye\n", File.ReadAllText(Ws("gone.txt")));
        Assert.Equal("hello\n", File.ReadAllText(Ws("new.txt"))); // turn 1 stands
        Assert.Contains("Undid turn 2", undo.Output, StringComparison.Ordinal);

        var again = await _ws.RunAsync("session", "undo", session, "--yes");

        Assert.True(again.ExitCode == ExitCodes.Success, again.Error + again.Output);
        Assert.Equal("one\n", File.ReadAllText(Ws("keep.txt")));
        Assert.False(File.Exists(Ws("new.txt")));
        var none = await _ws.RunAsync("session", "undo", session, "--yes");
        Assert.True(none.ExitCode == ExitCodes.NotFound, none.Error);
    }

    [Fact]
    public async Task AFileChangedOutsideSinceTheTurn_RefusesWithoutForce_NamingIt()
    {
        var session = await RunTwoTurnsAsync();
        File.WriteAllText(Ws("made.txt"), "changed by hand\n");

        var refused = await _ws.RunAsync("session", "undo", session, "--yes");

        Assert.True(refused.ExitCode == ExitCodes.Failure, refused.Error);
        Assert.Contains("made.txt was changed since turn 2", refused.Error, StringComparison.Ordinal);
        Assert.Equal("TWO\n", File.ReadAllText(Ws("keep.txt"))); // nothing written
        Assert.False(File.Exists(Ws("gone.txt")));

        var forced = await _ws.RunAsync("session", "undo", session, "--yes", "--force");

        Assert.True(forced.ExitCode == ExitCodes.Success, forced.Error);
        Assert.False(File.Exists(Ws("made.txt")));
        Assert.Equal("ONE\n", File.ReadAllText(Ws("keep.txt")));
        Assert.Equal("bye\n", File.ReadAllText(Ws("gone.txt")));
    }

    /// <summary>Turn 1 creates new.txt and edits keep.txt; turn 2 edits keep.txt again, creates made.txt and deletes gone.txt.</summary>
    private async Task<string> RunTwoTurnsAsync()
    {
        File.WriteAllText(Ws("keep.txt"), "one\n");
        File.WriteAllText(Ws("gone.txt"), "bye\n");
        // One script for both runs: the scripted provider picks its turn by the number of assistant messages so far.
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: new.txt, content: "hello\n" } }]
              - tool_calls: [{ name: view, arguments: { path: keep.txt } }]
              - tool_calls: [{ name: edit, arguments: { path: keep.txt, old_string: one, new_string: ONE } }]
              - text: Done.
              - tool_calls: [{ name: view, arguments: { path: keep.txt } }]
              - tool_calls: [{ name: edit, arguments: { path: keep.txt, old_string: ONE, new_string: TWO } }]
              - tool_calls: [{ name: write, arguments: { path: made.txt, content: "x\n" } }]
              - tool_calls: [{ name: view, arguments: { path: gone.txt } }]
              - tool_calls: [{ name: delete, arguments: { path: gone.txt } }]
              - text: Done again.
            """);
        var run1 = await _ws.RunAsync("run", "first", "--permission-mode", "accept-edits", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "-o", "json");
        Assert.True(run1.ExitCode == ExitCodes.Success, run1.Error + run1.Output);
        var session = RunWorkspace.Events(run1.Output).First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString()!;
        Assert.Equal("ONE\n", File.ReadAllText(Ws("keep.txt")));

        var run2 = await _ws.RunAsync("run", "second", "--session", session, "--permission-mode", "accept-edits", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "-o", "json");
        Assert.True(run2.ExitCode == ExitCodes.Success, run2.Error + run2.Output);
        Assert.Equal("TWO\n", File.ReadAllText(Ws("keep.txt")));
        Assert.False(File.Exists(Ws("gone.txt")));
        return session;
    }

    public void Dispose() => _ws.Dispose();
}
