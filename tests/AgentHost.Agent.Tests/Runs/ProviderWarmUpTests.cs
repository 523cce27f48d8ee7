using AgentHost.Agent.Runs;

namespace AgentHost.Agent.Tests.Runs;

/// <summary>
/// The host's side of a provider's warm-up (<see cref="ProviderWarmUp"/>): it never faults and is stopped when the run
/// ends. (Moved from tests/AgentHost.Tests' <c>OpenAIWarmUpTests</c>, where the openai plugin's client stood in for the
/// provider; that plugin's warm-up itself, one <c>HEAD</c> to the base URL, is tested there.)
/// </summary>
public sealed class ProviderWarmUpTests
{
    [Fact]
    public async Task HostWarmUp_WhenTheEndpointIsDown_CompletesQuietly()
    {
        using var client = new WarmingChatClient(WarmUpEnd.Fails);

        using var warmUp = ProviderWarmUp.Start(client, CancellationToken.None);

        Assert.NotNull(warmUp);
        await warmUp.Completion; // never faults: the run's own request reports an unreachable endpoint
        Assert.True(warmUp.Completion.IsCompletedSuccessfully);
        Assert.Equal(["warm-up"], client.Log);
    }

    [Fact]
    public async Task HostWarmUp_ThatGetsNoAnswer_IsStopped_WhenTheRunEnds()
    {
        using var client = new WarmingChatClient(WarmUpEnd.NoAnswer);
        var warmUp = ProviderWarmUp.Start(client, CancellationToken.None)!;
        await client.WarmUpStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(warmUp.Completion.IsCompleted);

        warmUp.Dispose(); // what the runner does when the run ends

        await warmUp.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(warmUp.Completion.IsCompletedSuccessfully);
    }
}
