using AgentHost.Common.Processes;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// The sandbox probe on a loaded machine: a bwrap whose first trial does not finish within the probe's 10 seconds (it
/// started; the machine is slow) is tried again with a longer limit instead of being reported as unable to sandbox —
/// which, under sandbox.mode auto, would have run the commands unsandboxed because the machine was busy; and a trial
/// that fails once is tried again, so only two failures mean no sandbox. A real child process (a script standing in
/// for bwrap).
/// </summary>
public sealed class SandboxProbeTests
{
    [LinuxFact("a shell script standing in for bwrap")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task ATrialThatTimesOut_IsTriedAgain_NotTakenForAMissingCapability()
    {
        using var temp = new TempDirectory();
        var marker = temp.Combine("first-trial-started");
        var fake = FakeBwrap(temp, "bwrap", $$"""
            if [ ! -f '{{marker}}' ]; then touch '{{marker}}'; exec sleep 15; fi
            exit 0
            """);

        var probed = await SandboxProbe.ProbeAsync(fake, []);

        Assert.True(File.Exists(marker), "the first trial never ran");
        Assert.True(probed.IsAvailable, probed.UnavailableReason);
        Assert.Equal("0.8.0", probed.Version);
    }

    [LinuxFact("a shell script standing in for bwrap")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task ATrialThatFailsOnce_IsTriedAgain_AndOnlyTwoFailuresMeanNoSandbox()
    {
        using var temp = new TempDirectory();
        var marker = temp.Combine("first-trial-failed");
        var flaky = FakeBwrap(temp, "bwrap", $$"""
            if [ ! -f '{{marker}}' ]; then touch '{{marker}}'; echo "bwrap: a passing shortage" >&2; exit 1; fi
            exit 0
            """);
        var broken = FakeBwrap(temp, "broken/bwrap", """
            echo "bwrap: No permissions to create new namespace" >&2; exit 1
            """);

        var probed = await SandboxProbe.ProbeAsync(flaky, []);
        var refused = await SandboxProbe.ProbeAsync(broken, []);

        Assert.True(File.Exists(marker), "the first trial never ran");
        Assert.True(probed.IsAvailable, probed.UnavailableReason);
        Assert.False(refused.IsAvailable);
        Assert.Contains("cannot create a sandbox here (bwrap: No permissions to create new namespace)", refused.UnavailableReason, StringComparison.Ordinal);
    }

    /// <summary>An executable script standing in for bwrap: it answers <c>--version</c>, and runs <paramref name="trial"/> for a trial sandbox.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static string FakeBwrap(TempDirectory temp, string relativePath, string trial)
    {
        var script = temp.WriteFile(relativePath, $"""
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "bubblewrap 0.8.0"; exit 0; fi
            {trial}
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }
}
