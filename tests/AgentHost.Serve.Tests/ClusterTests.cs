using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// <c>agent serve --cluster</c> (docs/cluster.md): real server processes, each with its own data folder, joined into one
/// Orleans cluster on a real PostgreSQL (its membership table and the session store), sharing one workspace folder.
/// </summary>
public sealed class ClusterTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task TwoNodes_ServeOneSession_CreatedOnOne_SentAndStreamedOnTheOther()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n  - text: first answer\n  - text: second answer\n");
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("cluster");
        string[] args = ["--cluster", "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script];
        await using var a = await AgentServer.StartAsync(ws.Root, Node(ws, "a", database), args);
        await using var b = await AgentServer.StartAsync(ws.Root, Node(ws, "b", database), args);
        Assert.Contains("; cluster agenthost, node 127.0.0.1:", a.Process.Startup, StringComparison.Ordinal);
        // With no TLS setting, the nodes talk mutual TLS over the certificate the first made (docs/cluster.md "Between nodes").
        Assert.Contains(", node-to-node mutual TLS, the cluster's certificate ", a.Process.Startup, StringComparison.Ordinal);
        Assert.Contains("(made by this node, kept in the store (agenthost_cluster_credentials))", a.Process.Startup, StringComparison.Ordinal);
        Assert.Contains("(from the store (agenthost_cluster_credentials))", b.Process.Startup, StringComparison.Ordinal);
        Assert.DoesNotContain("tls.mode is off", a.Process.Startup + b.Process.Startup, StringComparison.Ordinal);

        var id = (await a.CreateSessionAsync()).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(Generous);
        await using var stream = await SseReader.OpenAsync(b.Http, $"v1/sessions/{id}/events?after=0", null, timeout.Token);

        // Sent on b, run by a (which holds the session: b alone could not open it while a's lease is live).
        var run = await b.SendAndWaitAsync(id, new { prompt = "hello" });
        Assert.Equal(("completed", "first answer"), (run.GetProperty("status").GetString(), run.GetProperty("finalText").GetString()));

        // b's stream follows what a writes, live: every event once, in order, ids 1, 2, 3, …
        var events = await AgentServer.UntilAsync(stream, "run.ended");
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), events.Select(e => e.EventId));
        Assert.Equal("run.accepted", events[0].EventType);
        Assert.Contains(events, e => e.EventType == "run.started");
        Assert.Equal(run.GetProperty("id").GetString(), JsonDocument.Parse(events[^1].Data).RootElement.GetProperty("runId").GetString());

        // The session's view comes from the node that holds it, whichever node is asked.
        foreach (var node in new[] { a, b })
        {
            var view = await node.GetAsync($"v1/sessions/{id}");
            Assert.True(view.GetProperty("open").GetBoolean());
            Assert.Equal("completed", view.GetProperty("status").GetString());
        }

        // Either node lists both, and the session on the node that holds it (a).
        var cluster = await b.GetAsync("v1/cluster");
        Assert.Equal("agenthost", cluster.GetProperty("clusterId").GetString());
        var nodes = cluster.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(2, nodes.Count(n => n.GetProperty("status").GetString() == "active"));
        var holder = nodes.Single(n => n.GetProperty("sessions").ValueKind == JsonValueKind.Number && n.GetProperty("sessions").GetInt32() == 1);
        Assert.Equal((await a.GetAsync("v1/cluster")).GetProperty("node").GetString(), holder.GetProperty("address").GetString());

        // The conversation goes on through either node.
        var second = await a.SendAndWaitAsync(id, new { prompt = "again" });
        Assert.Equal("second answer", second.GetProperty("finalText").GetString());
        var messages = (await b.GetAsync($"v1/sessions/{id}/messages")).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString());
        Assert.Equal(["user", "assistant", "user", "assistant"], messages);
    }

    /// <summary>
    /// kill -9 of the node that holds a session mid-run: another node answers for the run at once (interrupted: its
    /// node's holder lock went with its connection), refuses the next prompt with 409 only until the cluster has declared
    /// the dead node dead, then takes the session over and runs the prompt, every completed step of the lost run kept.
    /// </summary>
    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task KillNine_OfTheNodeHoldingASession_MovesTheSession_ToALiveNode()
    {
        using var ws = new RunWorkspace();
        await using var pages = new GatedPageServer(TimeSpan.Zero);
        string[] args = [.. BlockedRun.Prepare(ws, pages, "resumed on another node"), "--cluster"];
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("failover");
        await using var a = await AgentServer.StartAsync(ws.Root, Node(ws, "a", database), args);
        await using var b = await AgentServer.StartAsync(ws.Root, Node(ws, "b", database), args);

        var id = (await a.CreateSessionAsync()).GetProperty("id").GetString()!;
        var runId = await BlockedRun.StartAsync(a, pages, id);
        using var timeout = new CancellationTokenSource(Generous);
        await using var stream = await SseReader.OpenAsync(b.Http, $"v1/sessions/{id}/events?after=0", null, timeout.Token);
        var beforeKill = await AgentServer.UntilAsync(stream, "tool.completed");
        await a.Process.KillAsync();

        var crashed = await b.GetAsync($"v1/runs/{runId}");
        Assert.Equal("interrupted", crashed.GetProperty("status").GetString());

        var run = await SendUntilTheClusterMovesAsync(b, id, new { prompt = "go on" });

        // The stream on b was told: events of the lost step may be missing, and the lost run ended as interrupted; then
        // the new run. Ids go on without a repeat.
        var afterKill = await AgentServer.UntilAsync(stream, "run.ended");
        Assert.Equal(["events.gap", "run.ended"], afterKill.Where(e => e.EventType is "events.gap" or "run.ended").Select(e => e.EventType).Take(2));
        var lost = JsonDocument.Parse(afterKill.First(e => e.EventType == "run.ended").Data).RootElement;
        Assert.Equal((runId, "interrupted"), (lost.GetProperty("runId").GetString(), lost.GetProperty("status").GetString()));
        var ids = beforeKill.Concat(afterKill).Select(e => long.Parse(e.EventId!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Distinct().Order(), ids);
        Assert.Equal(("completed", "resumed on another node"), (run.GetProperty("status").GetString(), run.GetProperty("finalText").GetString()));
        var after = await BlockedRun.MessagesAsync(b, id);
        Assert.Equal(["user", "assistant", "tool", "assistant", "tool", "user", "assistant"], after.Select(m => m.GetProperty("role").GetString()));
        Assert.StartsWith("interrupted:", BlockedRun.Results(after[4]), StringComparison.Ordinal);
        Assert.True((await b.GetAsync($"v1/sessions/{id}")).GetProperty("open").GetBoolean());
        pages.Open();
    }

    /// <summary>
    /// A node paused (SIGSTOP) mid-run, not killed: its connections and lease stay, so another node refuses the session
    /// (409) until the cluster has declared the paused node dead and its lease has expired, then takes it over with a new
    /// epoch. When the paused node runs again, its step in flight finishes into a fenced store: nothing it writes lands
    /// (never two writers), and the cluster stops it.
    /// </summary>
    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task PausedNode_IsFencedOff_WhenAnotherNodeTakesItsSessionOver()
    {
        using var ws = new RunWorkspace();
        await using var pages = new GatedPageServer(TimeSpan.Zero);
        string[] args = [.. BlockedRun.Prepare(ws, pages, "resumed after the pause"), "--cluster"];
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("paused");
        await using var a = await AgentServer.StartAsync(ws.Root, Node(ws, "a", database), args);
        await using var b = await AgentServer.StartAsync(ws.Root, Node(ws, "b", database), args);

        var id = (await a.CreateSessionAsync()).GetProperty("id").GetString()!;
        var runId = await BlockedRun.StartAsync(a, pages, id);
        await SignalAsync("-STOP", a.Process.Process.Id);
        try
        {
            var run = await SendUntilTheClusterMovesAsync(b, id, new { prompt = "go on" });
            Assert.Equal("resumed after the pause", run.GetProperty("finalText").GetString());
        }
        finally
        {
            await SignalAsync("-CONT", a.Process.Process.Id);
        }

        // a's held fetch answers now: its step tries to write and is fenced off (or the cluster stops a first).
        pages.Open();
        using var timeout = new CancellationTokenSource(Generous);
        while (!a.Process.Process.HasExited && await RunningOnAsync(a, runId))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token);
        }

        var after = await BlockedRun.MessagesAsync(b, id);
        Assert.Equal(["user", "assistant", "tool", "assistant", "tool", "user", "assistant"], after.Select(m => m.GetProperty("role").GetString()));
        Assert.StartsWith("interrupted:", BlockedRun.Results(after[4]), StringComparison.Ordinal);
        Assert.Equal("completed", (await b.GetAsync($"v1/sessions/{id}")).GetProperty("status").GetString());
    }

    /// <summary>Whether a node still reports the run as running (false once it ended there, or the node does not answer).</summary>
    private static async Task<bool> RunningOnAsync(AgentServer node, string runId)
    {
        try
        {
            return (await node.GetAsync($"v1/runs/{runId}")).GetProperty("status").GetString() == "running";
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task SignalAsync(string signal, int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>A node whose TLS is turned off (<c>server.cluster.tls.mode: off</c>) says so when it starts, as a warning.</summary>
    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task TlsModeOff_IsSaidAtStart_AsAWarning()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n  - text: unused\n");
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("tlsoff");
        var environment = Node(ws, "off", database);
        environment["AGENT_SERVER__CLUSTER__TLS__MODE"] = "off";

        await using var node = await AgentServer.StartAsync(ws.Root, environment, "--cluster", "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script);

        Assert.Contains("warning: server.cluster.tls.mode is off: node-to-node traffic (the silo port) is neither authenticated nor encrypted, and anyone who reaches that port can act as a node of this cluster.", node.Process.Startup, StringComparison.Ordinal);
        Assert.Contains(", node-to-node traffic NOT authenticated or encrypted (server.cluster.tls.mode: off)", node.Process.Startup, StringComparison.Ordinal);
    }

    /// <summary>Plain <c>agent serve</c> is no cluster node: it answers 404 for the cluster, and never loads Orleans.</summary>
    [LinuxFact]
    [Trait("Speed", "Slow")]
    public async Task PlainServe_IsNoNode_AndNeverLoadsOrleans()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n  - text: alone\n");
        await using var server = await AgentServer.StartAsync(ws.Root, ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script);
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
        Assert.Equal("alone", (await server.SendAndWaitAsync(id, new { prompt = "hi" })).GetProperty("finalText").GetString());

        var (status, body) = await AgentServer.SendAsync(server.Http, HttpMethod.Get, "v1/cluster", null);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("not a node of a cluster", body, StringComparison.Ordinal);
        var loaded = await File.ReadAllTextAsync($"/proc/{server.Process.Process.Id}/maps");
        Assert.Contains("AgentHost.Server.dll", loaded, StringComparison.Ordinal);
        Assert.DoesNotContain("Orleans", loaded, StringComparison.Ordinal);
        Assert.DoesNotContain("AgentHost.Cluster.dll", loaded, StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends with <c>wait=true</c>, again while the answer is the 409 of a node the cluster has not yet declared dead.
    /// When an earlier attempt took effect after all (its node answered too late, and a retry finds the session running
    /// it), waits for that run instead.
    /// </summary>
    internal static async Task<JsonElement> SendUntilTheClusterMovesAsync(AgentServer server, string id, object request)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (true)
        {
            using var response = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return JsonDocument.Parse(body).RootElement.Clone();
            }

            // 409 while the cluster has not declared the node dead, or while its lease has not expired (a paused node's).
            Assert.True(response.StatusCode == HttpStatusCode.Conflict && (body.Contains("is not answering", StringComparison.Ordinal) || body.Contains("did not answer in time", StringComparison.Ordinal) || body.Contains("is in use by", StringComparison.Ordinal) || body.Contains("is running", StringComparison.Ordinal)), $"{(int)response.StatusCode} {body}");
            if (JsonDocument.Parse(body).RootElement.GetProperty("error").GetString() is { } error && error.StartsWith($"session {id} is running ", StringComparison.Ordinal))
            {
                return await EndOfAsync(server, error.Split(' ')[4].TrimEnd(';'), timeout.Token);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
        }
    }

    /// <summary>The run once it has ended.</summary>
    private static async Task<JsonElement> EndOfAsync(AgentServer server, string runId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = await server.GetAsync($"v1/runs/{runId}");
            if (run.GetProperty("status").GetString() != "running")
            {
                return run;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>A node's environment: its own data folder (with the workspace's user configuration), the shared store.</summary>
    internal static Dictionary<string, string> Node(RunWorkspace ws, string name, string database)
    {
        var environment = ws.Environment;
        var home = ws.Combine("home-" + name);
        Directory.CreateDirectory(home);
        var config = Path.Combine(environment["AGENT_HOME"], "config.yaml");
        if (File.Exists(config))
        {
            File.Copy(config, Path.Combine(home, "config.yaml"));
        }

        environment["AGENT_HOME"] = home;
        environment["AGENT_SERVER__STORE"] = database;
        return environment;
    }
}
