using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Graceful shutdown of <c>agent serve</c> (SIGINT, SIGTERM) with a run in flight: the run ends as interrupted (seen
/// in the store by a second server, since nothing can ask the first one after it exited), the exit code is 0 and the
/// session's lease is released (<c>agent run --session</c> continues it).
/// </summary>
public sealed class ServerShutdownTests
{
    [SigintTheory(why: "SIGINT and SIGTERM delivered to agent serve (each variant ends the second server with SIGINT)")]
    [Trait("Speed", "Slow")]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Signal_DuringARun_RecordsItInterrupted_ExitsZero_AndReleasesTheLease(string signal)
    {
        using var ws = new RunWorkspace();
        await using var pages = new GatedPageServer(TimeSpan.Zero);
        var args = BlockedRun.Prepare(ws, pages, "carried on after the shutdown");
        string id;
        await using (var server = await AgentServer.StartAsync(ws.Root, ws.Environment, args))
        {
            id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
            await BlockedRun.StartAsync(server, pages, id);

            var (exitCode, error) = signal == "INT" ? await server.Process.InterruptAsync() : await server.Process.TerminateAsync();

            Assert.True(exitCode == 0, $"exit code {exitCode}: {error}");
        }

        await using (var again = await AgentServer.StartAsync(ws.Root, ws.Environment, args))
        {
            var session = await again.GetAsync($"v1/sessions/{id}");
            Assert.Equal("interrupted", session.GetProperty("status").GetString());

            // The step in flight was cancelled and answered, so the history is valid as it is.
            var messages = await BlockedRun.MessagesAsync(again, id);
            Assert.Equal(["user", "assistant", "tool", "assistant", "tool"], messages.Select(m => m.GetProperty("role").GetString()));
            Assert.Contains("page /page/first", BlockedRun.Results(messages[2]), StringComparison.Ordinal);
            Assert.Equal(BlockedRun.Calls(messages[3]).Single().GetProperty("callId").GetString(), messages[4].GetProperty("contents")[0].GetProperty("callId").GetString());
            var (exitCode, error) = await again.Process.InterruptAsync();
            Assert.True(exitCode == 0, $"exit code {exitCode}: {error}");
        }

        var resumed = await ws.RunAsync("run", "go on", "--session", id, "-p", "scripted", "-p", "web", "-m", BlockedRun.Model(args), "-o", "final");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("carried on after the shutdown", resumed.Output, StringComparison.Ordinal);
        pages.Open();
    }
}
