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
/// node from its checkpoints; a SIGTERM drains the node — its turn in flight finishes — and the process exits 0.
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
