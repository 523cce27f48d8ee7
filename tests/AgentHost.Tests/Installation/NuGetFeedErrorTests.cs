using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary>
/// A NuGet feed that answers with an HTTP error is named with its status in words — never a bare .NET resource key
/// (<c>net_http_message_not_success_statuscode_reason</c>) — by a real <c>agent</c> process.
/// </summary>
public sealed class NuGetFeedErrorTests
{
    [Fact]
    public async Task Install_FromAFeedThatAnswers500_NamesTheFeedAndTheStatus()
    {
        using var feed = new NuGetTestServer { FailWith = 500 };
        using var ws = new RunWorkspace();

        var result = await AgentProcess.RunAsync(ws.Root, ws.Environment, "plugin", "install", "demo-tools", "--source", feed.IndexUrl, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains($"{feed.IndexUrl} answered HTTP 500 (Internal Server Error)", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("net_http", result.Error, StringComparison.Ordinal);
    }
}
