using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Placement by workspace (docs/cluster.md "Workspaces") and <c>agent server status</c> on real processes: two
/// <c>agent serve --cluster</c> nodes on a real PostgreSQL that serve different roots (<c>server.roots</c>), as a cluster
/// without shared storage is set up.
/// </summary>
public sealed class ClusterPlacementTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task ASession_RunsOnlyOnANodeThatServesItsWorkspace_AndIsRefusedClearly_WhenNoneDoes()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n  - text: on b\n");
        var shared = ws.WriteScript("turns:\n  - text: shared\n");
        var onlyB = ws.Combine("only-b");
        Directory.CreateDirectory(onlyB);
        // A password in the store's address (the test server trusts 127.0.0.1): it must never be shown.
        var database = (await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("placement")).Replace("postgres://postgres@", "postgres://postgres:pw-not-shown@", StringComparison.Ordinal);
        string[] args = ["--cluster", "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script];
        await using var a = await AgentServer.StartAsync(ws.Root, Serving(ws, "a", database, ws.Root), args);
        // A root whose name carries a terminal sequence: agent server status shows it neutralised.
        var odd = ws.Combine("odd\u001b]0;owned\u0007");
        await using var b = await AgentServer.StartAsync(ws.Root, Serving(ws, "b", database, ws.Root, onlyB, odd), args);
        var addressOfA = (await a.GetAsync("v1/cluster")).GetProperty("node").GetString()!;
        var addressOfB = (await b.GetAsync("v1/cluster")).GetProperty("node").GetString()!;
        await UntilNodeKnowsRootsAsync(a, addressOfB);

        // Created through a, whose roots do not hold only-b: placed on b, which runs it.
        var elsewhere = (await a.CreateSessionAsync(new { root = onlyB })).GetProperty("id").GetString()!;
        Assert.Equal(("completed", "on b"), Ended(await a.SendAndWaitAsync(elsewhere, new { prompt = "hello" })));
        // Created through a with a root both serve: kept on a.
        var local = (await a.CreateSessionAsync(new { root = ws.Root, model = "scripted/" + shared })).GetProperty("id").GetString()!;
        Assert.Equal(("completed", "shared"), Ended(await a.SendAndWaitAsync(local, new { prompt = "hello" })));
        var sessions = await SessionsAsync(b);
        Assert.Equal((1, 1), (sessions[addressOfA], sessions[addressOfB]));
        Assert.True((await b.GetAsync($"v1/sessions/{elsewhere}")).GetProperty("open").GetBoolean());

        // agent server status on a: the cluster, its store without the password, each node with its sessions and roots.
        var status = await StatusAsync(ws, a, "--server", a.Url.ToString());
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Contains("cluster   agenthost (asked node " + addressOfA + ")", status.Output, StringComparison.Ordinal);
        Assert.Matches(@"store     postgres://postgres@127\.0\.0\.1:\d+/placement", status.Output);
        Assert.DoesNotContain("pw-not-shown", status.Output + status.Error, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{Regex(addressOfA)} \*\s+active\s+1\s+{Regex(ws.Root)}$", status.Output);
        Assert.Matches($@"(?m)^{Regex(addressOfB)}\s+active\s+1\s+{Regex(ws.Root)}, {Regex(onlyB)}, {Regex(ws.Combine("odd^[]0;owned^G"))}$", status.Output);
        Assert.DoesNotContain('\u001b', status.Output);
        var json = await StatusAsync(ws, a, "--server", a.Url.ToString(), "--json");
        var cluster = JsonDocument.Parse(json.Output).RootElement.GetProperty("cluster");
        Assert.Equal("agenthost", cluster.GetProperty("clusterId").GetString());
        var nodeB = cluster.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("address").GetString() == addressOfB);
        Assert.Equal([ws.Root, onlyB, odd], nodeB.GetProperty("roots").EnumerateArray().Select(r => r.GetString()));

        // b leaves: a refuses b's session (and a new one in only-b) clearly instead of running it where its folder is not.
        var (code, _) = await b.Process.TerminateAsync();
        Assert.Equal(0, code);
        var refused = await SendUntilRefusedAsync(a, elsewhere);
        Assert.Contains($"no node of cluster agenthost serves workspace {onlyB}; nodes serve: {addressOfA} {ws.Root}.", refused, StringComparison.Ordinal);
        var (created, body) = await AgentServer.SendAsync(a.Http, HttpMethod.Post, "v1/sessions", new { root = onlyB });
        Assert.True(created == HttpStatusCode.Forbidden, $"{(int)created} {body}");
        Assert.Contains($"serves workspace {onlyB};", body, StringComparison.Ordinal);
        var listed = (await a.GetAsync("v1/sessions")).GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("id").GetString() == elsewhere);
        Assert.False(listed.GetProperty("open").GetBoolean());
        Assert.Equal("shared", (await a.GetAsync($"v1/sessions/{local}/messages")).GetProperty("messages").EnumerateArray().Last().GetProperty("text").GetString());
    }

    /// <summary><c>agent server status</c> on a server that is no node of a cluster: its health, and no cluster.</summary>
    [LinuxFact]
    [Trait("Speed", "Slow")]
    public async Task ServerStatus_OnAPlainServer_ShowsItsHealth_AndNoCluster()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n  - text: alone\n");
        await using var server = await AgentServer.StartAsync(ws.Root, ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script);
        await server.CreateSessionAsync();

        var status = await StatusAsync(ws, server, "--server", server.Url.ToString());
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Matches(@"(?m)^server    http://127\.0\.0\.1:\d+/ \(agent \S+, ok, up \d+m \d\ds\)$", status.Output);
        Assert.Contains("sessions  1 open, 0 running runs, 1 engines", status.Output, StringComparison.Ordinal);
        Assert.Contains("cluster   none (a single server)", status.Output, StringComparison.Ordinal);
        var json = JsonDocument.Parse((await StatusAsync(ws, server, "--server", server.Url.ToString(), "--json")).Output).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("cluster").ValueKind);
        Assert.Equal(1, json.GetProperty("health").GetProperty("openSessions").GetInt32());

        var wrong = await AgentProcess.RunAsync(ws.Root, new Dictionary<string, string>(ws.Environment) { ["AGENT_SERVER_TOKEN"] = "not-the-token" }, "server", "status", "--server", server.Url.ToString());
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("refused the token (401)", wrong.Error, StringComparison.Ordinal);
    }

    private static Task<CliResult> StatusAsync(RunWorkspace ws, AgentServer server, params string[] args) =>
        AgentProcess.RunAsync(ws.Root, new Dictionary<string, string>(ws.Environment) { ["AGENT_SERVER_TOKEN"] = server.Token }, ["server", "status", .. args]);

    /// <summary>A node's environment (<see cref="ClusterTests.Node"/>) whose server serves <paramref name="roots"/> (<c>server.roots</c>).</summary>
    private static Dictionary<string, string> Serving(RunWorkspace ws, string name, string database, params string[] roots)
    {
        var environment = ClusterTests.Node(ws, name, database);
        File.WriteAllText(Path.Combine(environment["AGENT_HOME"], "config.yaml"), $"server:\n  roots: [{string.Join(", ", roots.Select(r => JsonSerializer.Serialize(r)))}]\n");
        return environment;
    }

    /// <summary>Waits until <paramref name="node"/> knows the roots <paramref name="other"/> published (a node tells them when it joins).</summary>
    private static async Task UntilNodeKnowsRootsAsync(AgentServer node, string other)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while ((await node.GetAsync("v1/cluster")).GetProperty("nodes").EnumerateArray().All(n => n.GetProperty("address").GetString() != other || !n.TryGetProperty("roots", out var roots) || roots.ValueKind != JsonValueKind.Array))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }

    /// <summary>Each active node's session count, as <paramref name="node"/> sees the cluster.</summary>
    private static async Task<Dictionary<string, int>> SessionsAsync(AgentServer node) =>
        (await node.GetAsync("v1/cluster")).GetProperty("nodes").EnumerateArray()
            .Where(n => n.GetProperty("status").GetString() == "active")
            .ToDictionary(n => n.GetProperty("address").GetString()!, n => n.GetProperty("sessions").GetInt32());

    /// <summary>Sends to the session until the answer is the refusal (403), again while it is the 409 of a node the cluster has not yet let go.</summary>
    private static async Task<string> SendUntilRefusedAsync(AgentServer server, string id)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (true)
        {
            using var response = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt = "still there?" }, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                Assert.Equal("denied", JsonDocument.Parse(body).RootElement.GetProperty("kind").GetString());
                return JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Conflict && body.Contains("is not answering", StringComparison.Ordinal), $"{(int)response.StatusCode} {body}");
            await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
        }
    }

    private static (string?, string?) Ended(JsonElement run) => (run.GetProperty("status").GetString(), run.GetProperty("finalText").GetString());

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
