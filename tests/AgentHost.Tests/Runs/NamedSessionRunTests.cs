using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Runs;

/// <summary>#49: <c>agent run --new-session NAME</c> / <c>--session NAME</c>, and retention pruning at the start of a run, as processes.</summary>
[Trait("Speed", "Slow")]
public sealed class NamedSessionRunTests
{
    [Fact]
    public async Task NewSession_IsCreatedWithTheName_ResumedByIt_AndATakenOrBadNameIsRefusedBeforeAnyModelCall()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("""
            turns:
              - text: Started the notes.
              - expect:
                  last_user_contains: go on
                text: Went on with the notes.
            """);
        string[] model = ["-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script, "-o", "final"];

        var first = await ws.RunAsync(["run", "start the notes", "--new-session", "release-notes", .. model]);
        var resumed = await ws.RunAsync(["run", "go on", "--session", "release-notes", .. model]);
        var taken = await ws.RunAsync(["run", "again", "--new-session", "release-notes", .. model]);
        var bad = await ws.RunAsync(["run", "again", "--new-session", new string('n', 65), .. model]);
        var both = await ws.RunAsync(["run", "again", "--new-session", "other", "--session", "release-notes", .. model]);
        var show = await ws.RunAsync("session", "show", "release-notes");
        var list = await ws.RunAsync("session", "list", "--json");

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.Equal("Started the notes.", first.Output.Trim());
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Error);
        Assert.Equal("Went on with the notes.", resumed.Output.Trim());
        // One session: the resumed run wrote to the named one.
        using var listed = System.Text.Json.JsonDocument.Parse(list.Output);
        var session = Assert.Single(listed.RootElement.EnumerateArray());
        var id = session.GetProperty("id").GetString()!;
        Assert.Equal("release-notes", session.GetProperty("name").GetString());
        Assert.Equal(4, session.GetProperty("messages").GetInt32());
        Assert.Equal(ExitCodes.Usage, taken.ExitCode);
        Assert.Contains($"a session named 'release-notes' exists already: {id}", taken.Error, StringComparison.Ordinal);
        Assert.Contains("--session release-notes", taken.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("a name may have at most 64", bad.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("--new-session starts a new session", both.Error, StringComparison.Ordinal);
        Assert.Contains($"{id}  start the notes", show.Output, StringComparison.Ordinal);
        Assert.Contains("name:        release-notes", show.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PrunesByRetention_SparingTheResumedSession_AndLogsWhatItRemoved()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("""
            turns:
              - text: Resumed.
            """);
        ws.WriteUserConfig("session:\n  retention_days: 30\n");
        string old;
        string resumedOld;
        string recent;
        var database = Path.Combine(ws.Environment["AGENT_HOME"], "sessions.db");
        using (var past = await SessionStore.OpenAsync(database, SecretScrubber.PatternsOnly, new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(-40))))
        {
            old = await CompletedAsync(past, ws.Root, "old");
            resumedOld = await CompletedAsync(past, ws.Root, "old, resumed now");
        }

        using (var now = await SessionStore.OpenAsync(database, SecretScrubber.PatternsOnly))
        {
            recent = await CompletedAsync(now, ws.Root, "recent");
        }

        var run = await ws.RunAsync("run", "carry on", "--session", resumedOld, "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script, "-o", "final", "--log-level", "debug");
        var list = await ws.RunAsync("session", "list", "--all");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("Resumed.", run.Output.Trim());
        Assert.DoesNotContain(old, list.Output, StringComparison.Ordinal);
        Assert.Contains(resumedOld, list.Output, StringComparison.Ordinal);
        Assert.Contains(recent, list.Output, StringComparison.Ordinal);
        var log = string.Join('\n', Directory.EnumerateFiles(ws.Environment["AGENT_HOME"], "agent.log*", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.Contains("Pruned 1 sessions by retention (not active for 30 days)", log, StringComparison.Ordinal);
        Assert.Contains($"Pruned session {old}", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PrunesByCount_KeepingTheNewest_AndNeverTheNewSession()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("""
            turns:
              - text: New.
            """);
        ws.WriteUserConfig("session:\n  max_sessions: 2\n");
        var database = Path.Combine(ws.Environment["AGENT_HOME"], "sessions.db");
        var seeded = new List<string>();
        for (var i = 3; i >= 1; i--)
        {
            using var store = await SessionStore.OpenAsync(database, SecretScrubber.PatternsOnly, new ManualTimeProvider(DateTimeOffset.UtcNow.AddHours(-i)));
            seeded.Add(await CompletedAsync(store, ws.Root, $"seeded {i}"));
        }

        var run = await ws.RunAsync("run", "new work", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script, "-o", "final");
        var list = await ws.RunAsync("session", "list", "--all");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("new work", list.Output, StringComparison.Ordinal);
        Assert.Contains(seeded[2], list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(seeded[1], list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(seeded[0], list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithAnInvalidRetentionValue_IsAConfigurationError()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("""
            turns:
              - text: Never.
            """);
        ws.WriteUserConfig("session:\n  max_sessions: 0\n");

        var run = await ws.RunAsync("run", "work", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script, "-o", "final");

        Assert.Equal(ExitCodes.Configuration, run.ExitCode);
        Assert.Contains("session.max_sessions", run.Error, StringComparison.Ordinal);
        Assert.Contains("1 or more", run.Error, StringComparison.Ordinal);
    }

    private static async Task<string> CompletedAsync(SessionStore store, string workspace, string prompt)
    {
        var session = await store.CreateSessionAsync(new NewSession(workspace) { Prompt = prompt });
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, prompt));
        await store.SetStatusAsync(session.Id, SessionStatus.Completed);
        return session.Id;
    }
}
