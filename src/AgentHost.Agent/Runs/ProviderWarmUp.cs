using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Runs;

/// <summary>
/// Runs a chat client's optional <see cref="IChatWarmUp"/> in the background, so that connecting to the endpoint (DNS,
/// TCP, TLS) and preparing the client's pipeline overlap with opening the session and building the prompt.
/// </summary>
internal sealed class ProviderWarmUp : IDisposable
{
    private readonly CancellationTokenSource _stop;

    private ProviderWarmUp(IChatWarmUp warmUp, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        Completion = Task.Run(() => RunAsync(warmUp, token), CancellationToken.None);
    }

    /// <summary>Completes when the warm-up is done, failed or was stopped; it never faults.</summary>
    public Task Completion { get; }

    /// <summary>Starts the warm-up when the client offers one; never throws, and nothing waits for it before a request.</summary>
    /// <param name="client">The run's chat client.</param>
    /// <param name="cancellationToken">The run's cancellation.</param>
    /// <returns>The running warm-up (dispose it when the run ends, to stop it), or <see langword="null"/> when the client has none.</returns>
    public static ProviderWarmUp? Start(IChatClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.GetService(typeof(IChatWarmUp)) is IChatWarmUp warmUp ? new ProviderWarmUp(warmUp, cancellationToken) : null;
    }

    /// <summary>Stops the warm-up if it is still running.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private static async Task RunAsync(IChatWarmUp warmUp, CancellationToken cancellationToken)
    {
        try
        {
            await warmUp.WarmUpAsync(cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A warm-up is an optimisation: whatever it throws, the run's own request reports real problems.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
