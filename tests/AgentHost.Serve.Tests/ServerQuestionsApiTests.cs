using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>agent serve's questions for a person over real HTTP: the model's ask_user is a pending question of its session, seen on the stream and answered by POST.</summary>
[Trait("Speed", "Slow")]
public sealed class ServerQuestionsApiTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task AskUser_IsAPendingQuestion_AnAnswerNotAmongTheOptionsIsRefused_AndTheAnswerReachesTheModel()
    {
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "Ship it?", options: [ship, wait] } }]
              - expect: { tool_results_contain: ["ship"] }
                text: Shipping.
            """);
        var id = (await server.CreateSessionAsync(new { interactive = true })).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var stream = await SseReader.OpenAsync(server.Http, $"v1/sessions/{id}/events", null, timeout.Token);

        using var accepted = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "release" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var asked = JsonDocument.Parse((await UntilAsync(stream, "question.asked"))[^1].Data).RootElement;
        var questionId = asked.GetProperty("questionId").GetString()!;
        Assert.Equal("Ship it?", asked.GetProperty("text").GetString());

        using var listed = await server.Http.GetAsync($"v1/sessions/{id}/questions", timeout.Token);
        var pending = Assert.Single((await AgentServer.ReadAsync(listed, HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal(questionId, pending.GetProperty("questionId").GetString());
        Assert.Equal(["ship", "wait"], pending.GetProperty("options").EnumerateArray().Select(o => o.GetString()!).ToArray());

        using var refused = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/questions/{questionId}", new { answer = "maybe" }, timeout.Token);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("'maybe' is not one of the options", await refused.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        using var unknown = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/questions/q_nope", new { answer = "ship" }, timeout.Token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var answered = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/questions/{questionId}", new { answer = "Ship" }, timeout.Token);
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);

        var rest = await UntilAsync(stream, "run.ended");
        var end = JsonDocument.Parse(rest.Single(e => e.EventType == "question.answered").Data).RootElement;
        Assert.Equal("ship", end.GetProperty("answer").GetString());
        Assert.Equal("http", end.GetProperty("answeredBy").GetString());
        Assert.Equal("completed", JsonDocument.Parse(rest[^1].Data).RootElement.GetProperty("status").GetString());
        using var after = await server.Http.GetAsync($"v1/sessions/{id}/questions", timeout.Token);
        Assert.Empty((await AgentServer.ReadAsync(after, HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task AHeadlessSession_NeverWaits_TheModelIsToldNobodyIsPresent()
    {
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "Which branch?" } }]
              - expect: { tool_results_contain: ["No answer: nobody is present to answer"] }
                text: Using main.
            """);
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;

        var run = await server.SendAndWaitAsync(id, new { prompt = "merge" });

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("Using main.", run.GetProperty("finalText").GetString());
    }

    private async Task<AgentServer> StartAsync(string script) =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript(script));

    /// <summary>Reads events up to and including the first of <paramref name="type"/>.</summary>
    private static async Task<List<SseItem<string>>> UntilAsync(SseReader reader, string type)
    {
        var events = new List<SseItem<string>>();
        while (await reader.NextAsync() is { } item)
        {
            events.Add(item);
            if (item.EventType == type)
            {
                return events;
            }
        }

        throw new InvalidOperationException($"the stream ended before {type}: {string.Join(", ", events.Select(e => e.EventType))}");
    }
}
