using AgentHost.Agent.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// <c>sandbox.network_domains</c> end to end (docs/sandbox.md "Network by domain"): the real <c>agent run</c> with the
/// shell in the real bubblewrap sandbox, whose empty network namespace reaches only the host's filtering proxy through
/// <c>socat</c>, and a real <c>curl</c> inside. Tests may only contact 127.0.0.1, so the "allowed domain" is
/// <c>localhost</c> with a test server behind it: one test switches the private-address guard's loopback refusal off
/// with the test-only environment variable (<see cref="RunSandbox.TestLoopbackVariable"/>), the other shows the guard
/// refusing the same name without it. Hosts off the list are refused before any lookup, so they are never contacted.
/// </summary>
public sealed class SandboxNetworkDomainsTests
{
    [BubblewrapProxyFact]
    public async Task AnAllowedDomain_IsReachedThroughTheProxy_AnotherIsRefused_AndTheRefusalIsReported()
    {
        await using var server = new LocalHttpServer();
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig("sandbox:\n  network_domains:\n    - localhost\n    - https://bad.example/x\n");
        ws.MoreEnvironment[RunSandbox.TestLoopbackVariable] = "1";
        var port = server.Port;
        var model = ws.Script(
            SandboxWorkspace.Shell(
                $"echo \"proxy=$HTTPS_PROXY\"; NO_PROXY= no_proxy= curl -sS --max-time 60 http://localhost:{port}/plain; echo; " +
                $"NO_PROXY= no_proxy= curl -sS -p --max-time 60 http://localhost:{port}/tunnel; echo"),
            SandboxWorkspace.Shell("curl -s -o /dev/null -w 'code=%{http_code}\\n' --max-time 60 http://example.org/page; curl -s -o /dev/null --max-time 60 https://example.org/; echo exit=$?"));

        var run = await ws.RunAsync(model);
        var session = run.Events.Select(e => SandboxRun.Text(e, "sessionId")).First(id => id.Length > 0);
        var temp = RunSandbox.TempDirectory(session);
        var socketLeft = File.Exists(Path.Combine(temp, "proxy.sock"));
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.Contains("proxy=http://127.0.0.1:3128", run.Results[0], StringComparison.Ordinal);
        Assert.True(run.Results[0].Contains("REACHED /plain", StringComparison.Ordinal), run.Results[0]);
        Assert.True(run.Results[0].Contains("REACHED /tunnel", StringComparison.Ordinal), run.Results[0]);
        Assert.Contains("network: localhost only, through the host's proxy", run.Sandboxes[0], StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);

        Assert.True(run.Results[1].Contains("code=403", StringComparison.Ordinal), run.Results[1]);
        Assert.Contains("[sandbox] network to example.org:80 refused: example.org is not in network_domains (localhost)", run.Results[1], StringComparison.Ordinal);
        Assert.Contains(run.Warnings, w => w.Contains("network to example.org:443 refused: example.org is not in network_domains (localhost); add it to sandbox.network_domains", StringComparison.Ordinal));
        Assert.Contains(run.Warnings, w => w.Contains("sandbox.network_domains.1", StringComparison.Ordinal) && w.Contains("no scheme, port or path", StringComparison.Ordinal));
        Assert.False(socketLeft, "the proxy's socket was left after the run");
    }

    [BubblewrapProxyFact]
    public async Task TheGuard_RefusesAnAllowedNameThatResolvesToLoopback_InTheSandbox()
    {
        await using var server = new LocalHttpServer();
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig("sandbox:\n  network_domains: [localhost]\n");
        var model = ws.Script(SandboxWorkspace.Shell($"NO_PROXY= no_proxy= curl -sS --max-time 60 http://localhost:{server.Port}/x; echo; echo done"));

        var run = await ws.RunAsync(model);

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.Contains("agent sandbox: network to localhost:", run.Results[0], StringComparison.Ordinal);
        Assert.Contains(run.Warnings, w => w.Contains("loopback address", StringComparison.Ordinal) && w.Contains("localhost resolves to it", StringComparison.Ordinal));
        Assert.Equal(0, server.Connections);
    }

    [BubblewrapProxyFact]
    public async Task AnUntrustedProject_CannotGiveItsCommandsDomains()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteProjectConfig("sandbox:\n  network_domains: [\"*\"]\n");
        var model = ws.Script(SandboxWorkspace.Shell("echo \"proxy=[$HTTPS_PROXY]\""));

        var run = await ws.RunAsync(model);

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.Contains("proxy=[]", run.Results[0], StringComparison.Ordinal);
        Assert.Contains("(no network)", run.Sandboxes[0], StringComparison.Ordinal);
        Assert.Contains("sandbox settings", run.All, StringComparison.Ordinal);
    }

    [BubblewrapProxyFact]
    public async Task SandboxCheck_ListsWhatTheProxyRefused()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig("sandbox:\n  network_domains: [github.com]\n");

        var result = await AgentProcess.RunAsync(ws.Root, ws.Environment, ["sandbox", "check", "--", "curl", "-s", "-o", "/dev/null", "--max-time", "60", "http://example.org/"]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("network: github.com only, through the host's proxy", result.Output, StringComparison.Ordinal);
        Assert.Contains("network to example.org:80 refused: example.org is not in network_domains (github.com)", result.Output, StringComparison.Ordinal);
    }
}
