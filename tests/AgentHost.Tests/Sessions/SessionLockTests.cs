using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentHost.Tests.Processes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sessions;

/// <summary>One writer per session: real <c>agent run</c> processes contend for a session's OS lock.</summary>
public sealed class SessionLockTests
{
    [Fact]
    [Trait("Speed", "Slow")]
    public async Task SecondRun_FailsWithInUse_WhileTheFirstHoldsTheSession_AndSucceedsAfterIt()
    {
        using var ws = new RunWorkspace();
        var gate = ws.Combine("gate.txt");
        var script = ws.WriteScript($$"""
            turns:
              - text: Session started.
              - expect: { last_user_contains: from A }
                tool_calls:
                  - name: wait_for_file
                    arguments: { path: "{{gate.Replace("\\", "/", StringComparison.Ordinal)}}" }
              - expect: { tool_results_contain: [exists] }
                text: A is done.
              - expect: { last_user_contains: from B }
                text: B is done.
            """);
        string[] model = ["-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", "scripted/" + script];
        var created = await ws.RunAsync(["run", "start", .. model, "-o", "final"]);
        Assert.True(created.ExitCode == ExitCodes.Success, created.Error);
        var sessionId = SingleSessionId(await ws.RunAsync("session", "list", "--json"));

        using var first = AgentProcess.Start(ws.Root, ws.Environment, ["run", "from A", "--session", sessionId, .. model, "-o", "json"]);
        try
        {
            await ReadUntilToolStartedAsync(first);

            var second = await ws.RunAsync(["run", "from B", "--session", sessionId, .. model, "-o", "final"]);
            var delete = await ws.RunAsync("session", "delete", sessionId, "--yes");

            Assert.Equal(ExitCodes.InUse, second.ExitCode);
            Assert.Contains($"session {sessionId} is in use by process {first.Id.ToString(CultureInfo.InvariantCulture)} (started ", second.Error, StringComparison.Ordinal);
            Assert.Contains("wait for it to finish", second.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", second.Error, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.InUse, delete.ExitCode);
            Assert.Contains("is in use by process", delete.Error, StringComparison.Ordinal);

            await File.WriteAllTextAsync(gate, "go");
            var rest = first.StandardOutput.ReadToEndAsync();
            await first.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(first.ExitCode == ExitCodes.Success, await first.StandardError.ReadToEndAsync() + await rest);
        }
        finally
        {
            Stop(first);
        }

        var history = await ws.RunAsync("session", "history", sessionId, "--json");
        Assert.DoesNotContain("from B", history.Output, StringComparison.Ordinal);
        Assert.Equal(["user", "assistant", "user", "assistant", "tool", "assistant"], Roles(history.Output));

        var after = await ws.RunAsync(["run", "from B", "--session", sessionId, .. model, "-o", "final"]);
        Assert.True(after.ExitCode == ExitCodes.Success, after.Error);
        Assert.Equal("B is done.", after.Output.Trim());
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task KillNine_FreesTheSession_MarksItInterrupted_AndItResumes()
    {
        using var ws = new RunWorkspace();
        var gate = ws.Combine("never.txt");
        var script = ws.WriteScript($$"""
            turns:
              - tool_calls:
                  - name: wait_for_file
                    arguments: { path: "{{gate.Replace("\\", "/", StringComparison.Ordinal)}}" }
              - expect:
                  last_user_contains: carry on
                  tool_results_contain: [interrupted]
                text: Resumed after the kill.
            """);
        string[] model = ["-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", "scripted/" + script];
        using var holder = AgentProcess.Start(ws.Root, ws.Environment, ["run", "hold on", .. model, "-o", "json"]);
        string sessionId;
        string whileHeld;
        try
        {
            sessionId = await ReadUntilToolStartedAsync(holder);
            whileHeld = Status(await ws.RunAsync("session", "list", "--json"), sessionId);
        }
        finally
        {
            holder.Kill(); // SIGKILL on Unix, TerminateProcess on Windows: nothing of ours runs after it.
            await holder.WaitForExitAsync();
        }

        var afterKill = Status(await ws.RunAsync("session", "list", "--json"), sessionId);
        var resumed = await ws.RunAsync(["run", "carry on", "--session", sessionId, .. model, "-o", "final"]);
        var afterResume = Status(await ws.RunAsync("session", "list", "--json"), sessionId);

        Assert.Equal("active", whileHeld);
        Assert.Equal("interrupted", afterKill);
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Error);
        Assert.Equal("Resumed after the kill.", resumed.Output.Trim());
        Assert.Equal("completed", afterResume);
    }

    [UnixFact("SIGSTOP pauses a process")]
    [Trait("Speed", "Slow")]
    public async Task PausedWriter_WhoseLeaseExpired_IsTakenOverByAnotherRun_AndItsNextWriteIsRefused_SoItsRunStops()
    {
        using var ws = new RunWorkspace();
        var gate = ws.Combine("gate.txt");
        var script = ws.WriteScript($$"""
            turns:
              - text: Session started.
              - expect: { last_user_contains: from A }
                tool_calls:
                  - name: wait_for_file
                    arguments: { path: "{{gate.Replace("\\", "/", StringComparison.Ordinal)}}" }
              - expect:
                  last_user_contains: from B
                  tool_results_contain: [interrupted]
                text: B took the session over.
            """);
        string[] model = ["-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", "scripted/" + script];
        var created = await ws.RunAsync(["run", "start", .. model, "-o", "final"]);
        Assert.True(created.ExitCode == ExitCodes.Success, created.Error);
        var sessionId = SingleSessionId(await ws.RunAsync("session", "list", "--json"));
        var database = Path.Combine(ws.Environment["AGENT_HOME"], "sessions.db");

        using var first = AgentProcess.Start(ws.Root, ws.Environment, ["run", "from A", "--session", sessionId, .. model, "-o", "json"]);
        CliResult second;
        try
        {
            await ReadUntilToolStartedAsync(first);

            // A stays paused past its lease (a minute): the test moves the lease row's expiry to the past, as the pause
            // would leave it, instead of waiting. A still holds the session's lock file, so only the epoch can fence it.
            await PauseOutsideAWriteAndExpireLeaseAsync(first, database, sessionId);
            second = await ws.RunAsync(["run", "from B", "--session", sessionId, .. model, "-o", "final"]);

            ProcessWatch.Signal(first.Id, "CONT");
            await File.WriteAllTextAsync(gate, "go");
            var rest = first.StandardOutput.ReadToEndAsync();
            var error = first.StandardError.ReadToEndAsync();
            await first.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            var output = await rest + await error;

            Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
            Assert.Equal("B took the session over.", second.Output.Trim());
            Assert.Equal(ExitCodes.Failure, first.ExitCode);
            Assert.Contains($"session {sessionId} was taken over by another writer", output, StringComparison.Ordinal);
            Assert.DoesNotContain("A is done", output, StringComparison.Ordinal);
        }
        finally
        {
            if (!first.HasExited)
            {
                ProcessWatch.Signal(first.Id, "CONT");
            }

            Stop(first);
        }

        // What A did after its lease was taken is not in the session: its tool result was refused, B's turn is whole.
        var history = await ws.RunAsync("session", "history", sessionId, "--json");
        Assert.Equal(["user", "assistant", "user", "assistant", "tool", "user", "assistant"], Roles(history.Output));
        Assert.DoesNotContain("gate.txt exists", history.Output, StringComparison.Ordinal);
        Assert.Equal("completed", Status(await ws.RunAsync("session", "list", "--json"), sessionId));
    }

    /// <summary>
    /// Pauses the agent (SIGSTOP) and expires its lease. The pause may catch it inside a write transaction (recording
    /// the tool call it has just announced), whose lock would then hold every other writer for as long as it is paused:
    /// then it is let go on (SIGCONT) to finish that write and paused again.
    /// </summary>
    private static async Task PauseOutsideAWriteAndExpireLeaseAsync(Process agent, string database, string sessionId)
    {
        for (var attempt = 1; ; attempt++)
        {
            ProcessWatch.Signal(agent.Id, "STOP");
            try
            {
                ExpireLease(database, sessionId);
                return;
            }
            catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == SqliteBusy && attempt < 10)
            {
                ProcessWatch.Signal(agent.Id, "CONT");
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    private const int SqliteBusy = 5;

    private static void ExpireLease(string database, string sessionId)
    {
        // A short busy wait: a lock held by the paused agent is not going to be released while it is paused.
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False;Default Timeout=3");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE session_leases SET expires_at = 0 WHERE session_id = $id AND owner IS NOT NULL";
        command.Parameters.AddWithValue("$id", sessionId);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    /// <summary>Reads a run's NDJSON events until its tool call has started; returns the session id.</summary>
    private static async Task<string> ReadUntilToolStartedAsync(Process agent)
    {
        string? sessionId = null;
        while (await agent.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)) is { } line)
        {
            var e = JsonDocument.Parse(line).RootElement;
            sessionId ??= e.TryGetProperty("sessionId", out var id) ? id.GetString() : null;
            if (e.GetProperty("type").GetString() == "tool.started")
            {
                return sessionId ?? throw new InvalidOperationException("no session id before tool.started");
            }
        }

        throw new InvalidOperationException("the run ended before its tool started: " + await agent.StandardError.ReadToEndAsync());
    }

    private static string SingleSessionId(CliResult list) =>
        Assert.Single(JsonDocument.Parse(list.Output).RootElement.EnumerateArray()).GetProperty("id").GetString()!;

    private static string Status(CliResult list, string sessionId) =>
        JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetString() == sessionId).GetProperty("status").GetString()!;

    private static string[] Roles(string historyJson) =>
        [.. JsonDocument.Parse(historyJson).RootElement.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("role").GetString()!)];

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }
}
