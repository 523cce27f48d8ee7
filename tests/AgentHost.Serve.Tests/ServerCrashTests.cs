using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Agent.Runs;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// kill -9 of <c>agent serve</c> in the middle of a run, then a new server on the same AGENT_HOME: nothing is lost but
/// the step in flight, and the run reads as interrupted. The run's first step completes (a fetch); its second step's fetch is held by the page server
/// when the server is killed.
/// </summary>
public sealed class ServerCrashTests
{
    [Fact]
    [Trait("Speed", "Slow")]
    public async Task KillNine_MidRun_ThenRestart_SessionIsInterrupted_KeepsEveryCompletedStep_AndANewPromptWorks()
    {
        using var ws = new RunWorkspace();
        await KillNineThenRestartAsync(ws, ws.Environment);
    }

    /// <summary>
    /// The same on PostgreSQL, where the dead server's lease has not expired when the next server starts (a lease lives a
    /// minute): the store knows its holder's process is gone (its holder lock went with its connection), so the session is
    /// interrupted and taken over at once instead of a minute later.
    /// </summary>
    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task KillNine_MidRun_ThenRestart_OnPostgres_TheDeadServersLeaseIsFreeAtOnce()
    {
        using var ws = new RunWorkspace();
        var environment = ws.Environment;
        environment["AGENT_SERVER__STORE"] = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("crash");
        await KillNineThenRestartAsync(ws, environment);
    }

    private static async Task KillNineThenRestartAsync(RunWorkspace ws, Dictionary<string, string> environment)
    {
        await using var pages = new GatedPageServer(TimeSpan.Zero);
        var args = BlockedRun.Prepare(ws, pages, "resumed after the crash");
        string id;
        string runId;
        await using (var server = await AgentServer.StartAsync(ws.Root, environment, args))
        {
            id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
            runId = await BlockedRun.StartAsync(server, pages, id);

            await server.Process.KillAsync();
        }

        await using var again = await AgentServer.StartAsync(ws.Root, environment, args);
        var listed = (await again.GetAsync("v1/sessions")).GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        Assert.Equal("interrupted", listed.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("runningRunId").ValueKind);

        // The run was stored when accepted; no process ran it to its end: it reads as interrupted.
        var crashed = await again.GetAsync($"v1/runs/{runId}");
        Assert.Equal(("interrupted", id), (crashed.GetProperty("status").GetString(), crashed.GetProperty("sessionId").GetString()));
        Assert.Contains("the server stopped while the run was in flight", crashed.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Every completed step is there: the prompt, step 1's call and its result, and step 2's call (its fetch was in flight).
        var before = await BlockedRun.MessagesAsync(again, id);
        Assert.Equal(["user", "assistant", "tool", "assistant"], before.Select(m => m.GetProperty("role").GetString()));
        Assert.Contains("page /page/first", BlockedRun.Results(before[2]), StringComparison.Ordinal);
        Assert.Equal(pages.Held("second"), BlockedRun.Calls(before[3]).Single().GetProperty("arguments").GetProperty("url").GetString());

        // A new prompt works: the dangling call is closed with the interrupted result, and the script goes on.
        var run = await again.SendAndWaitAsync(id, new { prompt = "go on" });
        Assert.Equal(("completed", "resumed after the crash"), (run.GetProperty("status").GetString(), run.GetProperty("finalText").GetString()));
        var after = await BlockedRun.MessagesAsync(again, id);
        Assert.Equal(["user", "assistant", "tool", "assistant", "tool", "user", "assistant"], after.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(BlockedRun.Calls(after[3]).Single().GetProperty("callId").GetString(), after[4].GetProperty("contents")[0].GetProperty("callId").GetString());
        Assert.Equal(AgentRunner.InterruptedResult, BlockedRun.Results(after[4]));
        Assert.Equal("completed", (await again.GetAsync($"v1/sessions/{id}")).GetProperty("status").GetString());
        pages.Open();
    }
}

/// <summary>A run that blocks in its second step: step 1 fetches <c>/page/first</c>, step 2 fetches <c>/held/second</c> (held by the page server), step 3 answers.</summary>
internal static class BlockedRun
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    /// <summary>Writes the configuration and the script; returns the <c>agent serve</c> arguments.</summary>
    public static string[] Prepare(RunWorkspace ws, GatedPageServer pages, string answer)
    {
        ws.WriteUserConfig(ServerConcurrencyTests.WebConfig);
        var script = ws.WriteScript(
            $"turns:\n  - tool_calls: [{{ name: fetch, arguments: {{ url: \"{pages.Page("first")}\" }} }}]\n" +
            $"  - tool_calls: [{{ name: fetch, arguments: {{ url: \"{pages.Held("second")}\" }} }}]\n" +
            $"  - text: {answer}\n");
        return ["--plugin", "scripted", "--plugin", "web", "--no-default-plugins", "--model", "scripted/" + script];
    }

    /// <summary>The model of <see cref="Prepare"/>'s script, as <c>agent run -m</c> takes it.</summary>
    public static string Model(string[] args) => args[^1];

    /// <summary>Sends the prompt (202) and waits until the second step's fetch is held by the page server.</summary>
    public static async Task<string> StartAsync(AgentServer server, GatedPageServer pages, string id)
    {
        using var accepted = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "fetch both pages" });
        var run = await AgentServer.ReadAsync(accepted, HttpStatusCode.Accepted);
        await pages.FirstHeld.WaitAsync(Generous);
        return run.GetProperty("id").GetString()!;
    }

    public static async Task<List<JsonElement>> MessagesAsync(AgentServer server, string id) =>
        [.. (await server.GetAsync($"v1/sessions/{id}/messages?limit=200")).GetProperty("messages").EnumerateArray()];

    /// <summary>The function calls of an assistant message.</summary>
    public static List<JsonElement> Calls(JsonElement message) =>
        [.. message.GetProperty("contents").EnumerateArray().Where(c => c.TryGetProperty("callId", out _) && c.TryGetProperty("name", out _))];

    /// <summary>The results of a tool message, as text.</summary>
    public static string Results(JsonElement message) =>
        string.Join('\n', message.GetProperty("contents").EnumerateArray().Select(c => c.GetProperty("result").ValueKind == JsonValueKind.String ? c.GetProperty("result").GetString() : c.GetProperty("result").ToString()));
}
