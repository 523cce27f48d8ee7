using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using AgentHost.Agent.Engine;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Providers;
using AgentHost.Tests.Agent;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests;

/// <summary>#19 item 7: a refused connection is not retried, and a provider error's description never doubles a period (the CLI's own line is checked end to end in ProviderChecksTests).</summary>
public sealed class ProviderMessageTests
{
    private static readonly Regex DoublePeriod = new(@"\.\s*\.(?!\d)", RegexOptions.CultureInvariant);

    [Fact]
    public async Task ARefusedConnection_IsNotRetried_AndSaysHowToFixIt()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused));
        var error = new ProviderException(ProviderErrorKind.Transport, "provider 'lmstudio': http://127.0.0.1:9/v1 could not be reached: Connection refused (127.0.0.1:9)", refused) { Provider = "lmstudio" };
        await using var harness = new AgentHarness(options: new AgentLoopOptions { Retry = new ModelRetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(1) } });
        harness.Client.Custom(cancellationToken => Throwing(error, cancellationToken));

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.ProviderError, result.Outcome);
        Assert.Single(harness.Client.Requests);
        Assert.Empty((await harness.EventsAsync()).OfType<ModelRetryingEvent>());
        Assert.Equal(
            "the model request failed: provider 'lmstudio': http://127.0.0.1:9/v1 could not be reached: Connection refused (127.0.0.1:9). Nothing listens at that address: start the server, or correct providers.lmstudio.base_url (or $LMSTUDIO_BASE_URL).",
            result.Reason);
        Assert.False(ModelRetryPolicy.IsRetryable(error));
        Assert.True(ModelRetryPolicy.IsRetryable(new ProviderException(ProviderErrorKind.Transport, "reset", new IOException("reset"))));
    }

    public static TheoryData<ProviderErrorKind, string> Messages()
    {
        var data = new TheoryData<ProviderErrorKind, string>();
        foreach (var kind in Enum.GetValues<ProviderErrorKind>())
        {
            foreach (var message in new[] { "it failed", "it failed.", "it failed. ", "Incorrect API key provided: sk-b***. See https://example.test/keys." })
            {
                data.Add(kind, message);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Describe_NeverDoublesAPeriod_AndLeavesTheLastOneToTheSentenceAround(ProviderErrorKind kind, string message)
    {
        var error = new ProviderException(kind, message) { Provider = "openai", StatusCode = 400 };

        var described = ProviderErrorHints.Describe(error, attempts: 2);

        Assert.DoesNotMatch(DoublePeriod, described);
        Assert.Equal(ProviderErrorHints.Hint(kind, error).Length > 0, described.EndsWith('.')); // the hint's own period, else none
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Throwing(Exception error, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        if (error is not null)
        {
            throw error;
        }

        yield break;
    }
}
