using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Server;

/// <summary>Workflow runs of agent serve over real HTTP: started in the background, a wait node as the run's pending question answered by POST, and a run a headless CLI left waiting resumed by an answer.</summary>
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

    private readonly RunWorkspace _ws = new();

    public ServerWorkflowsApiTests() => File.WriteAllText(Path.Combine(_ws.Root, "approve.yaml"), Approve);

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

    /// <summary>Trusts the project (its shell node may run), then starts the server.</summary>
    private async Task<AgentServer> StartAsync()
    {
        await TrustAsync();
        return await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "shell", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: unused\n"));
    }

    private async Task TrustAsync()
    {
        var trusted = await _ws.RunAsync("trust");
        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error + trusted.Output);
    }

    private static async Task<List<JsonElement>> ListAsync(AgentServer server) => [.. (await server.GetAsync("v1/workflows/runs")).EnumerateArray()];

    /// <summary>Reads the run until <paramref name="done"/> holds (within a minute).</summary>
    private static async Task<JsonElement> UntilAsync(AgentServer server, string id, Func<JsonElement, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var run = await server.GetAsync($"v1/workflows/runs/{id}");
            if (done(run))
            {
                return run;
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
