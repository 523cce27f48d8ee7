using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Workflow runs of agent serve over real HTTP: started in the background, a wait node as the run's pending question
/// answered by POST, a run a headless CLI left waiting resumed by an answer, and runs owned by the user who started them.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerWorkflowsApiTests : IDisposable
{
    private const string Approve = """
        name: approve
        inputs:
          item: { type: string, default: widgets }
        nodes:
          - id: ask
            kind: wait
            question: "Ship {{ inputs.item }}?"
            options: [ship, hold]
          - id: done
            kind: shell
            command: echo "decided-$ANSWER"
            env: { ANSWER: "{{ nodes.ask.answer }}" }
        output: "{{ nodes.done.output }}"
        """;

    /// <summary>An agent node (its session belongs to the run's owner), then the same question as <see cref="Approve"/>.</summary>
    private const string Think = """
        name: think
        nodes:
          - id: answer
            kind: agent
            prompt: "Say hi"
          - id: ask
            kind: wait
            question: "Keep it?"
            options: [keep, drop]
        output: "{{ nodes.ask.answer }}"
        """;

    private readonly RunWorkspace _ws = new();

    public ServerWorkflowsApiTests()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "approve.yaml"), Approve);
        File.WriteAllText(Path.Combine(_ws.Root, "think.yaml"), Think);
    }

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task AWaitNode_IsTheRunsPendingQuestion_ARefusedAnswerLeavesItWaiting_AndTheAnswerCompletesTheRun()
    {
        await using var server = await StartAsync();
        using var started = await server.Http.PostAsJsonAsync("v1/workflows/runs", new { workflow = "approve.yaml", inputs = new { item = "gadgets" } });
        var id = (await AgentServer.ReadAsync(started, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;

        var waiting = await UntilAsync(server, id, run => run.GetProperty("status").GetString() == "waiting");
        var question = waiting.GetProperty("question");
        Assert.Equal("Ship gadgets?", question.GetProperty("text").GetString());
        Assert.Equal(["ship", "hold"], question.GetProperty("options").EnumerateArray().Select(o => o.GetString()!).ToArray());
        Assert.Equal("ask", question.GetProperty("nodeId").GetString());
        Assert.Equal("approve", waiting.GetProperty("workflow").GetString());

        using var refused = await server.Http.PostAsJsonAsync($"v1/workflows/runs/{id}/answer", new { answer = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("'maybe' is not one of the options", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("waiting", (await server.GetAsync($"v1/workflows/runs/{id}")).GetProperty("status").GetString());

        using var answered = await server.Http.PostAsJsonAsync($"v1/workflows/runs/{id}/answer", new { answer = "SHIP" });
        Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);

        var done = await UntilAsync(server, id, run => run.GetProperty("status").GetString() is not ("running" or "waiting"));
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        Assert.Contains("decided-ship", done.GetProperty("output").GetString(), StringComparison.Ordinal);
        Assert.Contains(await ListAsync(server), r => r.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task ARunAHeadlessCliLeftWaiting_IsShownWithItsQuestion_AndResumedByAnAnswer()
    {
        await TrustAsync();
        var headless = await _ws.RunAsync("workflow", "run", "approve.yaml", "--plugin", "shell", "-o", "json");
        Assert.True(headless.ExitCode == ExitCodes.Waiting, headless.Error + headless.Output);
        var id = RunWorkspace.Events(headless.Output)[^1].GetProperty("runId").GetString()!;
        await using var server = await StartAsync();

        var waiting = await server.GetAsync($"v1/workflows/runs/{id}");
        Assert.Equal("waiting", waiting.GetProperty("status").GetString());
        Assert.Equal("Ship widgets?", waiting.GetProperty("question").GetProperty("text").GetString());
        using var unknown = await server.Http.PostAsJsonAsync("v1/workflows/runs/nosuchrun/answer", new { answer = "hold" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var answered = await server.Http.PostAsJsonAsync($"v1/workflows/runs/{id}/answer", new { answer = "hold" });
        Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);

        var done = await UntilAsync(server, id, run => run.GetProperty("status").GetString() is not ("running" or "waiting"));
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        Assert.Contains("decided-hold", done.GetProperty("output").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownWorkflow_IsRefused_AndNothingRuns()
    {
        await using var server = await StartAsync();

        using var refused = await server.Http.PostAsJsonAsync("v1/workflows/runs", new { workflow = "nope.yaml" });

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Empty(await ListAsync(server));
    }

    [Fact]
    public async Task Runs_BelongToTheMemberWhoStartedThem_AnotherMembersRunIs404_AViewerReadsButStartsAndAnswersNone()
    {
        var tokens = new Dictionary<string, string>();
        foreach (var (name, role) in new[] { ("alice", "member"), ("bob", "member"), ("vera", "viewer"), ("ada", "admin") })
        {
            tokens[name] = await AgentServer.AddUserAsync(_ws, name, role);
        }

        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        using var bob = server.Client(tokens["bob"]);
        using var vera = server.Client(tokens["vera"]);
        using var ada = server.Client(tokens["ada"]);

        using var started = await alice.PostAsJsonAsync("v1/workflows/runs", new { workflow = "think.yaml" });
        var run = await AgentServer.ReadAsync(started, HttpStatusCode.Accepted);
        var id = run.GetProperty("id").GetString()!;
        Assert.Equal("alice", run.GetProperty("owner").GetString());
        var waiting = await UntilAsync(alice, id, r => r.GetProperty("status").GetString() == "waiting");
        Assert.Equal("Keep it?", waiting.GetProperty("question").GetProperty("text").GetString());

        // The agent node's session is alice's too: in her list, hidden from bob.
        var nodeSessions = await SessionIdsAsync(alice);
        Assert.Single(nodeSessions);
        Assert.Empty(await SessionIdsAsync(bob));

        // Another member's run is answered exactly as a run that does not exist, and is not listed.
        await AgentServer.AssertAnsweredAsMissingAsync(bob, RunRequests(), id, "01JNOSUCHRUN00000000000000");

        Assert.Empty(await RunIdsAsync(bob));
        Assert.Equal([id], await RunIdsAsync(alice));

        // A viewer reads every run, and starts and answers none (403: it can see them).
        Assert.Equal([id], await RunIdsAsync(vera));
        Assert.Equal(HttpStatusCode.OK, (await AgentServer.SendAsync(vera, HttpMethod.Get, $"v1/workflows/runs/{id}", null)).Status);
        var answeredByViewer = await AgentServer.SendAsync(vera, HttpMethod.Post, $"v1/workflows/runs/{id}/answer", new { answer = "keep" });
        Assert.True(answeredByViewer.Status == HttpStatusCode.Forbidden, answeredByViewer.Body);
        Assert.Contains("user 'vera' is a viewer", answeredByViewer.Body, StringComparison.Ordinal);
        var startedByViewer = await AgentServer.SendAsync(vera, HttpMethod.Post, "v1/workflows/runs", new { workflow = "approve.yaml" });
        Assert.True(startedByViewer.Status == HttpStatusCode.Forbidden, startedByViewer.Body);

        // Bob's own run is his; an admin sees both; the owner answers hers.
        using var bobs = await bob.PostAsJsonAsync("v1/workflows/runs", new { workflow = "approve.yaml" });
        var bobsId = (await AgentServer.ReadAsync(bobs, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        Assert.Equal([bobsId], await RunIdsAsync(bob));
        Assert.Equal([id, bobsId], (await RunIdsAsync(ada)).Order());
        Assert.Equal([id, bobsId], (await RunIdsAsync(vera)).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await AgentServer.SendAsync(alice, HttpMethod.Get, $"v1/workflows/runs/{bobsId}", null)).Status);

        using var answered = await alice.PostAsJsonAsync($"v1/workflows/runs/{id}/answer", new { answer = "keep" });
        Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        var done = await UntilAsync(alice, id, r => r.GetProperty("status").GetString() is not ("running" or "waiting"));
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        Assert.Equal("keep", done.GetProperty("output").GetString());
    }

    private static IEnumerable<(HttpMethod Method, Func<string, string> Path, object? Body)> RunRequests() =>
    [
        (HttpMethod.Get, id => $"v1/workflows/runs/{id}", null),
        (HttpMethod.Post, id => $"v1/workflows/runs/{id}/answer", new { answer = "keep" }),
    ];

    private static async Task<List<string>> RunIdsAsync(HttpClient client)
    {
        using var response = await client.GetAsync("v1/workflows/runs");
        return [.. (await AgentServer.ReadAsync(response, HttpStatusCode.OK)).EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
    }

    private static async Task<List<string>> SessionIdsAsync(HttpClient client)
    {
        using var response = await client.GetAsync("v1/sessions");
        return [.. (await AgentServer.ReadAsync(response, HttpStatusCode.OK)).GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
    }

    /// <summary>Trusts the project (its shell node may run), then starts the server.</summary>
    private async Task<AgentServer> StartAsync()
    {
        await TrustAsync();
        return await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "shell", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi there.\n"));
    }

    private async Task TrustAsync()
    {
        var trusted = await _ws.RunAsync("trust");
        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error + trusted.Output);
    }

    private static async Task<List<JsonElement>> ListAsync(AgentServer server) => [.. (await server.GetAsync("v1/workflows/runs")).EnumerateArray()];

    /// <summary>Reads the run until <paramref name="done"/> holds (within a minute).</summary>
    private static Task<JsonElement> UntilAsync(AgentServer server, string id, Func<JsonElement, bool> done) => UntilAsync(server.Http, id, done);

    /// <summary>Reads the run as <paramref name="client"/>'s user until <paramref name="done"/> holds (within a minute).</summary>
    internal static async Task<JsonElement> UntilAsync(HttpClient client, string id, Func<JsonElement, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            using var response = await client.GetAsync($"v1/workflows/runs/{id}", timeout.Token);
            var run = await AgentServer.ReadAsync(response, HttpStatusCode.OK);
            if (done(run))
            {
                return run;
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
