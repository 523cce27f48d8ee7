using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// <c>agent serve</c> stopped and started again on the same store (SQLite in AGENT_HOME, or PostgreSQL): a session's
/// event stream resumes with <c>Last-Event-ID</c> across the restart (ids per session, from the store's journal), and a
/// run's result is still at <c>GET /v1/runs/{id}</c>.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerRestartTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public Task SqliteStore_SessionStreamResumesAfterARestart_AndTheRunAnswers() => ResumeAfterRestartAsync(_ws.Environment);

    [PostgresFact]
    public async Task PostgresStore_SessionStreamResumesAfterARestart_AndTheRunAnswers()
    {
        var environment = _ws.Environment;
        environment["AGENT_SERVER__STORE"] = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("restart");
        await ResumeAfterRestartAsync(environment);
    }

    private async Task ResumeAfterRestartAsync(Dictionary<string, string> environment)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string id;
        string runId;
        List<SseItem<string>> all;
        await using (var first = await StartAsync(environment))
        {
            id = (await first.CreateSessionAsync()).GetProperty("id").GetString()!;
            await using (var stream = await SseReader.OpenAsync(first.Http, $"v1/sessions/{id}/events", null, timeout.Token))
            {
                runId = (await first.SendAndWaitAsync(id, new { prompt = "first" })).GetProperty("id").GetString()!;
                all = await AgentServer.UntilAsync(stream, "run.ended");
            }

            // SIGTERM, as a service manager stops it (SIGINT would be ignored when the tests run in a shell's background).
            var (exitCode, error) = await first.Process.TerminateAsync();
            Assert.True(exitCode == 0, error);
        }

        // The client had read three events when the server went away; it reconnects to a new server on the same store.
        await using var second = await StartAsync(environment);
        await using var resumed = await SseReader.OpenAsync(second.Http, $"v1/sessions/{id}/events", all[2].EventId, timeout.Token);
        var rest = await AgentServer.UntilAsync(resumed, "run.ended");
        var run = await second.GetAsync($"v1/runs/{runId}");
        var next = await second.SendAndWaitAsync(id, new { prompt = "second" });
        var live = (await resumed.NextAsync())!.Value;

        // Ids per session: 1, 2, 3, … from the session's first event, dense, the same on every server.
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)), all.Select(e => e.EventId));
        Assert.Equal(all.Skip(3).Select(e => (e.EventId, e.EventType, e.Data)), rest.Select(e => (e.EventId, e.EventType, e.Data)));
        Assert.Equal("run.accepted", all[0].EventType);
        Assert.Equal(runId, JsonDocument.Parse(rest[^1].Data).RootElement.GetProperty("runId").GetString());
        Assert.Equal(("completed", "The answer."), (run.GetProperty("status").GetString(), run.GetProperty("finalText").GetString()));
        Assert.Equal(id, run.GetProperty("sessionId").GetString());
        Assert.Equal(all.Count, next.GetProperty("eventsAfter").GetInt64());
        Assert.Equal(("run.accepted", (all.Count + 1).ToString(CultureInfo.InvariantCulture)), (live.EventType, live.EventId));
    }

    private async Task<AgentServer> StartAsync(Dictionary<string, string> environment) =>
        await AgentServer.StartAsync(_ws.Root, environment, ["--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: The answer.\n  - text: Again.\n")]);
}
