using System.Globalization;
using System.Text;
using AgentHost.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AgentHost.Tests.Runs;

/// <summary>
/// `agent run` whose standard output nobody reads for a while: the pipe fills, and the output must still be complete.
/// The test reads stdout only once the run is either finished in the store (output that could not be written was
/// dropped) or held up by the reader (the bus logs that publishers wait: back-pressure), both deterministic signals.
/// </summary>
public sealed class SlowReaderTests
{
    private const int Words = 6000;

    [Theory]
    [InlineData("json")]
    [InlineData("text")]
    public async Task AgentRun_WithAStdoutReaderThatFallsBehind_DeliversEveryDeltaInOrder(string output)
    {
        using var ws = new RunWorkspace();
        var answer = LongAnswer();
        var script = ws.WriteScript($"turns:\n  - text: \"{answer}\"\n");
        var environment = ws.Environment;
        environment["AGENT_LOG_LEVEL"] = "debug";
        var home = environment["AGENT_HOME"];

        using var process = AgentProcess.Start(ws.Root, environment, "run", "write it out", "-p", "scripted", "-m", "scripted/" + script, "-o", output);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await WaitUntilFinishedInStoreOrHeldUpAsync(home, process);
            var stdout = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.True(process.ExitCode == ExitCodes.Success, await stderr);
            if (output == "json")
            {
                var deltas = RunWorkspace.Events(stdout).Where(e => e.GetProperty("type").GetString() == "message.delta").Select(e => e.GetProperty("text").GetString()).ToList();
                Assert.Equal(Words, deltas.Count);
                Assert.Equal(answer, string.Concat(deltas));
            }
            else
            {
                Assert.Equal(answer, stdout.TrimEnd('\n', '\r'));
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>6,000 words of 16 characters: the scripted provider streams one word (and its space) per delta, ~100 KB.</summary>
    private static string LongAnswer()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Words; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"w{i:D6}-abcdefghi").Append(i == Words - 1 ? "." : " ");
        }

        return text.ToString();
    }

    private static async Task WaitUntilFinishedInStoreOrHeldUpAsync(string home, System.Diagnostics.Process process)
    {
        var database = Path.Combine(home, "sessions.db");
        var log = Path.Combine(home, "logs", "agent.log");
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20)); // polls the two signals; nothing depends on timing
        while (!FinishedInStore(database) && !HeldUp(log))
        {
            Assert.False(process.HasExited, "agent exited before its output was read");
            Assert.False(deadline.IsCancellationRequested, "the run neither finished nor waited for its reader within 2 minutes");
            await poll.WaitForNextTickAsync();
        }
    }

    private static bool HeldUp(string log)
    {
        if (!File.Exists(log))
        {
            return false;
        }

        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Contains("publishers wait for it (back-pressure)", StringComparison.Ordinal);
    }

    private static bool FinishedInStore(string database)
    {
        if (!File.Exists(database))
        {
            return false;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sessions WHERE status = 'completed'";
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
        }
        catch (SqliteException)
        {
            return false; // not created yet, or busy: ask again
        }
    }
}
