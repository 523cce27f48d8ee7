using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Workflow runs and the graceful stop of <c>agent serve --cluster</c> nodes as whole processes (docs/cluster.md
/// "Workflow runs", "When a node dies or stops"): a run whose node is killed, or stopped with SIGTERM, resumes on a live
/// node from its checkpoints; a SIGTERM drains the node — its turn in flight finishes, while the node still serves HTTP
/// and its event streams — and the process exits 0.
/// </summary>
public sealed class ClusterWorkflowTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task KillNine_OfTheNodeRunningAWorkflow_ResumesTheRunOnALiveNode_FromItsCheckpoints()
    {
        using var ws = new RunWorkspace();
        var args = Prepare(ws, "turns:\n  - text: step done\n    delay_ms: 1500\n");
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("wfkill");
        await using var a = await AgentServer.StartAsync(ws.Root, Node(ws, "a", database), args);
        await using var b = await AgentServer.StartAsync(ws.Root, Node(ws, "b", database), args);

        var id = await StartAsync(a);
        await UntilAsync(b, id, run => run.GetProperty("steps").GetInt32() >= 1);
        await a.Process.KillAsync();

        var ended = await UntilAsync(b, id, run => run.GetProperty("status").GetString() is not ("running" or "interrupted"));
        Assert.True(ended.GetProperty("status").GetString() == "completed", ended.ToString());
        Assert.Equal("step done", ended.GetProperty("output").GetString());
        // One model step per node: the nodes completed before the kill were replayed from their checkpoints, not run again.
        Assert.Equal(3, ended.GetProperty("steps").GetInt32());
    }

    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task Sigterm_DrainsTheNode_ItsTurnFinishes_ItsWorkflowRunMovesToAnotherNode_AndTheProcessExits0()
    {
        using var ws = new RunWorkspace();
        var args = Prepare(ws, "turns:\n  - text: step done\n    delay_ms: 1500\n  - text: next on another node\n");
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("wfterm");
        await using var a = await AgentServer.StartAsync(ws.Root, Node(ws, "a", database), args);
        await using var b = await AgentServer.StartAsync(ws.Root, Node(ws, "b", database), args);
        var session = (await a.CreateSessionAsync()).GetProperty("id").GetString()!;

        var id = await StartAsync(a);
        await UntilAsync(b, id, run => run.GetProperty("steps").GetInt32() >= 1);
        using var sent = await a.Http.PostAsJsonAsync($"v1/sessions/{session}/messages", new { prompt = "think" });
        var turn = (await AgentServer.ReadAsync(sent, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        var (exitCode, error) = await a.Process.TerminateAsync();

        Assert.True(exitCode == 0, error);
        Assert.Contains("agent serve: stopping (the node drains", error, StringComparison.Ordinal);
        // The turn in flight finished during the drain.
        var finished = await b.GetAsync($"v1/runs/{turn}");
        Assert.Equal(("completed", "step done"), (finished.GetProperty("status").GetString(), finished.GetProperty("finalText").GetString()));
        // The workflow run was handed over, not cancelled, and completes on b.
        var ended = await UntilAsync(b, id, run => run.GetProperty("status").GetString() is not ("running" or "interrupted"));
        Assert.True(ended.GetProperty("status").GetString() == "completed", ended.ToString());
        Assert.Equal(3, ended.GetProperty("steps").GetInt32());
        // The drained node let the session go: its next prompt runs on b at the first try.
        var next = await b.SendAndWaitAsync(session, new { prompt = "and now?" });
        Assert.Equal(("completed", "next on another node"), (next.GetProperty("status").GetString(), next.GetProperty("finalText").GetString()));
    }

    /// <summary>
    /// The node one graceful stop drains still serves while it drains (docs/cluster.md "When a node dies or stops"): its
    /// HTTP port answers — a read of the session whose turn runs there, a new session (placed on the node that stays),
    /// the turn's permission answer — and its event stream delivers the turn's end once the turn finishes; only then does
    /// the node leave, its stream end and the process exit 0.
    /// </summary>
    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task Sigterm_TheDrainingNode_StillAnswersHttp_AndItsEventStreamDeliversTheTurnsEnd_ThenExits0()
    {
        using var ws = new RunWorkspace();
        string[] args = ["--cluster", "--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", "scripted/" + ws.WriteScript("turns:\n  - text: Hi.\n")];
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("drainhttp");
        await using var a = await AgentServer.StartAsync(ws.Root, LongDrain(ws, "a", database), args);
        await using var b = await AgentServer.StartAsync(ws.Root, LongDrain(ws, "b", database), args);
        var nodeA = (await a.GetAsync("v1/cluster")).GetProperty("node").GetString()!;
        var id = (await a.CreateSessionAsync(new { interactive = true, permissionMode = "ask", model = "scripted/" + ws.WriteRootScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Written.
            """) })).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(Generous);
        await using var events = await SseReader.OpenAsync(a.Http, $"v1/sessions/{id}/events?after=0", null, timeout.Token);
        using var sent = await a.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "write notes" });
        var turn = (await AgentServer.ReadAsync(sent, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        var asked = JsonDocument.Parse((await AgentServer.UntilAsync(events, "permission.requested"))[^1].Data).RootElement;

        var stopping = a.Process.TerminateAsync();
        await UntilShuttingDownAsync(b, nodeA);

        // a drains (its turn waits for the answer) and still answers: the session's read, a new session, the answer.
        var read = await a.GetAsync($"v1/sessions/{id}");
        var created = (await a.CreateSessionAsync()).GetProperty("id").GetString()!;
        using var answered = await a.Http.PostAsJsonAsync($"v1/sessions/{id}/permissions/{asked.GetProperty("requestId").GetString()}", new { answer = "once" });
        // a's stream delivers the turn's end: the turn finished during the drain.
        var ended = JsonDocument.Parse((await AgentServer.UntilAsync(events, "run.ended"))[^1].Data).RootElement;
        var (exitCode, error) = await stopping;

        Assert.Equal(turn, read.GetProperty("runningRunId").GetString());
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        Assert.Equal((turn, "completed"), (ended.GetProperty("runId").GetString(), ended.GetProperty("status").GetString()));
        Assert.True(exitCode == 0, error);
        Assert.Contains("agent serve: stopping (the node drains", error, StringComparison.Ordinal);
        var finished = await b.GetAsync($"v1/runs/{turn}");
        Assert.Equal(("completed", "Written."), (finished.GetProperty("status").GetString(), finished.GetProperty("finalText").GetString()));
        // The session created through the draining node was placed on the node that stays: b holds it open.
        Assert.True((await b.GetAsync($"v1/sessions/{created}")).GetProperty("open").GetBoolean());
    }

    /// <summary>A node (<see cref="ClusterTests.Node"/>) whose drain outlasts the test: its held turn finishes only when the test answers it.</summary>
    private static Dictionary<string, string> LongDrain(RunWorkspace ws, string name, string database)
    {
        var environment = ClusterTests.Node(ws, name, database);
        environment["AGENT_SERVER__CLUSTER__DRAIN_TIMEOUT"] = "600";
        return environment;
    }

    /// <summary>Reads the cluster on <paramref name="node"/> until the node at <paramref name="address"/> is shutting down (it drains).</summary>
    private static async Task UntilShuttingDownAsync(AgentServer node, string address)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (!(await node.GetAsync("v1/cluster")).GetProperty("nodes").EnumerateArray()
            .Any(n => n.GetProperty("address").GetString() == address && n.GetProperty("status").GetString() == "shuttingdown"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }

    /// <summary>The workflow and the script in the workspace; the nodes' arguments.</summary>
    private static string[] Prepare(RunWorkspace ws, string script)
    {
        ClusterWorkflows.WriteSteps(ws.Root);
        return ["--cluster", "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + ws.WriteScript(script)];
    }

    /// <summary>A node (<see cref="ClusterTests.Node"/>) whose cluster checks its workflow runs every second (the default is a minute).</summary>
    private static Dictionary<string, string> Node(RunWorkspace ws, string name, string database)
    {
        var environment = ClusterTests.Node(ws, name, database);
        environment["AGENT_SERVER__CLUSTER__WORKFLOW_CHECK"] = "1";
        return environment;
    }

    private static async Task<string> StartAsync(AgentServer node)
    {
        using var started = await node.Http.PostAsJsonAsync("v1/workflows/runs", new { workflow = ClusterWorkflows.StepsFile });
        return (await AgentServer.ReadAsync(started, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
    }

    /// <summary>Reads the run on <paramref name="node"/> until <paramref name="done"/> holds (the cluster moves in its own time).</summary>
    private static async Task<JsonElement> UntilAsync(AgentServer node, string runId, Func<JsonElement, bool> done)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (true)
        {
            var run = await node.GetAsync($"v1/workflows/runs/{runId}");
            if (done(run))
            {
                return run;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }
}
