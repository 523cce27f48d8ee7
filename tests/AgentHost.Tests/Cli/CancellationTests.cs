using System.Diagnostics;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

public sealed class CancellationTests
{
    [SigintFact]
    public async Task CtrlC_DuringAFeedDownload_CancelsAndExitsWith130_LeavingNoInstall()
    {
        using var temp = new TempDirectory();
        using var feed = Ports.StartHttpListener(out var feedUrl);
        using var agent = AgentProcess.Start(
            temp.Path,
            new Dictionary<string, string> { ["AGENT_HOME"] = temp.Combine("home") },
            "plugin", "install", "slow-plugin", "--source", feedUrl + "index.json", "--yes");
        var stderr = agent.StandardError.ReadToEndAsync();

        // The agent is now waiting for our answer, which never comes: interrupt it as Ctrl+C would.
        var request = await feed.GetContextAsync().WaitAsync(TimeSpan.FromMinutes(1));
        using (var kill = Process.Start("kill", ["-INT", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await agent.WaitForExitAsync(timeout.Token);
        request.Response.Abort();

        var error = await stderr;
        Assert.True(agent.ExitCode == ExitCodes.Cancelled, error);
        Assert.Contains("cancelled", error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("home", "plugins.lock.json")));
    }
}
