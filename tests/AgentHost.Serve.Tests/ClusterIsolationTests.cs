using System.Net;
using System.Net.Http.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// A member stays a member on <c>agent serve --cluster</c> (issue #73 §2, §4; docs/server.md "What a member can and
/// cannot reach"): two real nodes on one real PostgreSQL, real members' tokens, the scripted model running what a hostile
/// one would. A session created on one node and run on the other gets an environment built for it — never the node's
/// store URI or token; another member's session is answered on either node exactly as one that does not exist; and a
/// removed member's open event stream on one node ends before the next event, whichever node removed them.
/// </summary>
public sealed class ClusterIsolationTests
{
    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task OnEitherNode_AMembersCommandsSeeNoNodeSecret_AnotherMembersSessionIsMissing_AndARemovedMembersStreamEnds()
    {
        using var ws = new RunWorkspace();
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("isolation");
        var tokens = new Dictionary<string, string>();
        foreach (var name in new[] { "alice", "bob" })
        {
            var added = await AgentProcess.RunAsync(ws.Root, ClusterTests.Node(ws, "admin", database), "server", "user", "add", name, "--role", "member");
            Assert.True(added.ExitCode == 0, added.Error);
            tokens[name] = added.Output.Trim();
        }

        // No OS sandbox needed here (the environment is built whether or not one runs): yolo is allowed without it.
        string[] args = ["--cluster", "--plugin", "scripted", "--plugin", "shell", "--no-default-plugins", "--model", "scripted/" + ws.WriteScript("turns:\n  - text: Hi.\n  - text: Again.\n"), .. MemberServer.WithoutSandbox];
        await using var a = await AgentServer.StartAsync(ws.Root, ClusterTests.Node(ws, "a", database), args);
        await using var b = await AgentServer.StartAsync(ws.Root, ClusterTests.Node(ws, "b", database), args);
        using var aliceOnA = a.Client(tokens["alice"]);
        using var aliceOnB = b.Client(tokens["alice"]);
        using var bobOnA = a.Client(tokens["bob"]);
        using var bobOnB = b.Client(tokens["bob"]);

        // §2: created on a, run on b; the shell line reverses what it prints, so no output scrubber would catch it.
        var script = ws.WriteRootScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "printenv | rev > cluster-env.txt" } }]
              - text: done
              - text: the admin's answer
            """);
        using var created = await aliceOnA.PostAsJsonAsync("v1/sessions", new { permissionMode = "yolo", model = "scripted/" + script });
        var id = (await AgentServer.ReadAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var sent = await aliceOnB.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt = "show me the environment" });
        var run = await AgentServer.ReadAsync(sent, HttpStatusCode.OK);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var seen = string.Join('\n', File.ReadAllLines(Path.Combine(ws.Root, "cluster-env.txt")).Select(line => new string([.. line.Reverse()])));
        Assert.DoesNotContain(database, seen, StringComparison.Ordinal);
        Assert.DoesNotContain("AGENT_SERVER__STORE=", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("AGENT_HOME=", seen, StringComparison.Ordinal);
        Assert.DoesNotContain(a.Token, seen, StringComparison.Ordinal);
        Assert.DoesNotContain(b.Token, seen, StringComparison.Ordinal);
        Assert.Contains("\nPATH=/", "\n" + seen, StringComparison.Ordinal);

        // §4: bob gets alice's session on either node exactly as a session that does not exist.
        (HttpMethod, Func<string, string>, object?)[] requests =
        [
            (HttpMethod.Get, s => $"v1/sessions/{s}", null),
            (HttpMethod.Get, s => $"v1/sessions/{s}/history", null),
            (HttpMethod.Post, s => $"v1/sessions/{s}/messages", new { prompt = "mine now" }),
            (HttpMethod.Get, s => $"v1/tools?session={s}", null),
        ];
        await AgentServer.AssertAnsweredAsMissingAsync(bobOnA, requests, id, "01JNOSUCHSESSION0000000000");
        await AgentServer.AssertAnsweredAsMissingAsync(bobOnB, requests, id, "01JNOSUCHSESSION0000000000");

        // §4: alice's stream on b ends once she is removed (the command writes the store; a is where the next run goes).
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var events = await SseReader.OpenAsync(aliceOnB, $"v1/sessions/{id}/events", null, timeout.Token);
        var removed = await AgentProcess.RunAsync(ws.Root, ClusterTests.Node(ws, "admin", database), "server", "user", "remove", "alice");
        Assert.True(removed.ExitCode == 0, removed.Error);
        var after = (await a.SendAndWaitAsync(id, new { prompt = "the admin's prompt" })).GetProperty("id").GetString()!;
        var delivered = new List<string>();
        while (await events.NextAsync() is { } item)
        {
            delivered.Add(item.Data);
        }

        Assert.DoesNotContain(delivered, data => data.Contains(after, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, (await aliceOnA.GetAsync("v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await aliceOnB.GetAsync("v1/sessions")).StatusCode);
    }
}
