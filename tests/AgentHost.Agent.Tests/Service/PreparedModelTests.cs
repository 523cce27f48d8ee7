using System.Collections.Concurrent;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Service;
using AgentHost.Agent.Tests.Runs;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Service;

/// <summary>
/// #25: the model client a front end prepares while the session opens (<see cref="PreparedModel"/>), with a client
/// that has a provider's warm-up: taken once, by the same model only; a wrong or failed guess is thrown away (client
/// disposed, warm-up stopped) and the session makes its own. (Moved from tests/AgentHost.Tests, where the openai
/// plugin's client and a local server stood in for the provider; its warm-up itself is tested there.)
/// </summary>
public sealed class PreparedModelTests
{
    private readonly ConcurrentQueue<string> _endpoint = new();

    [Fact]
    public async Task SameModel_IsTakenOnce_WithItsRunningWarmUp_SoTheFirstRequestFollowsOneHead()
    {
        using var prepared = new PreparedModel();
        var made = 0;
        prepared.Start("test-model", text => "local/" + text, text => { made++; return Selected(text); }, CancellationToken.None);

        var model = await prepared.TakeAsync("local/test-model");

        Assert.NotNull(model);
        Assert.Equal(1, made);
        Assert.Null(await prepared.TakeAsync("local/test-model")); // taken once: a second session makes its own
        using (var other = Client())
        {
            Assert.Null(prepared.TakeWarmUp(other)); // another client's warm-up is not this one
        }

        using var warmUp = prepared.TakeWarmUp(model.Client);
        Assert.NotNull(warmUp);
        Assert.Null(prepared.TakeWarmUp(model.Client));
        await warmUp.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        var response = await model.Client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).ToChatResponseAsync();
        Assert.Equal("ok", response.Text);
        Assert.Equal(["warm-up", "request"], _endpoint);
        model.Client.Dispose();
    }

    [Fact]
    public async Task AnotherModel_IsNotTaken_AndTheGuessIsThrownAway_WhenTheServiceCloses()
    {
        var prepared = new PreparedModel();
        var guess = Client(WarmUpEnd.NoAnswer); // the guess's warm-up would wait for ever
        SelectedModel? selected = null;
        prepared.Start("local/test-model", text => text, text => selected = Selected(text, guess), CancellationToken.None);
        await guess.WarmUpStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(await prepared.TakeAsync("local/other-model"));
        Assert.True(prepared.IsStarted);

        prepared.Dispose(); // what the service does when it closes
        Assert.False(prepared.IsStarted);
        Assert.Null(await prepared.TakeAsync("local/test-model")); // nothing is handed out after that
        Assert.NotNull(selected);
        await guess.WarmUpCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the warm-up is stopped
        await guess.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(30)); // and the client disposed
    }

    [Fact]
    public async Task FailedGuess_GivesNothing_AndTheSessionsOwnChoiceReportsTheProblem()
    {
        using var prepared = new PreparedModel();
        prepared.Start("local/test-model", text => text, _ => throw new InvalidOperationException("no such provider"), CancellationToken.None);

        Assert.Null(await prepared.TakeAsync("local/test-model"));
        Assert.Empty(_endpoint);
    }

    [Fact]
    public async Task SecondStart_IsIgnored_AndNothingStarted_GivesNothing()
    {
        using var prepared = new PreparedModel();
        Assert.Null(await prepared.TakeAsync("local/test-model"));

        var made = new List<string>();
        prepared.Start("local/a", text => text, text => { lock (made) { made.Add(text); } return Selected(text); }, CancellationToken.None);
        prepared.Start("local/b", text => text, text => { lock (made) { made.Add(text); } return Selected(text); }, CancellationToken.None);

        Assert.Null(await prepared.TakeAsync("local/b"));
        var a = await prepared.TakeAsync("local/a");
        Assert.NotNull(a);
        Assert.Equal(["local/a"], made);
        prepared.TakeWarmUp(a.Client)?.Dispose();
        a.Client.Dispose();
    }

    private WarmingChatClient Client(WarmUpEnd end = WarmUpEnd.Completes) => new(end, _endpoint);

    private SelectedModel Selected(string text, IChatClient? client = null) =>
        new("local", text[(text.IndexOf('/', StringComparison.Ordinal) + 1)..], client ?? Client(), null);
}
