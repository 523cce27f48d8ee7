using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Issue #22: <c>agent run --server URL</c> against a real <c>agent serve</c> process — the run happens in the server's
/// warm engine and is shown exactly as a local run shows it; the session is the server's; errors name the server and the fix.
/// </summary>
[Trait("Speed", "Slow")]
public sealed partial class RemoteRunTests : IDisposable
{
    private const string Answer = "The quickstart has a README.";

    private readonly RunWorkspace _ws = new();

    [Fact]
    public async Task TextOutput_IsWhatALocalRunPrints()
    {
        var script = ToolScript();
        var local = await _ws.RunAsync("run", "read the readme", "-p", "scripted", "-p", "files", "--no-default-plugins", "-m", "scripted/" + script);
        await using var server = await StartServerAsync(script, "files");

        var remote = await RunRemoteAsync(server, "run", "read the readme", "--server", server.Url.ToString());

        Assert.True(local.ExitCode == 0, local.Error);
        Assert.True(remote.ExitCode == 0, remote.Error);
        Assert.Equal(local.Output, remote.Output);
        Assert.Contains(Answer, remote.Output, StringComparison.Ordinal);
        Assert.Equal(Activity(local.Error), Activity(remote.Error));
        Assert.Contains("→ view {\"path\":\"README.md\"}", remote.Error, StringComparison.Ordinal);
        Assert.Matches($@"session \w+ \(2 steps, \d+ in / \d+ out tokens\)\. Continue with: agent run --server {Regex.Escape(server.Url.ToString())} --session \w+ ""…""", remote.Error);
    }

    [Fact]
    public async Task JsonOutput_IsTheServersEventsOfTheRun_AndTheSessionIsTheServers_AndSessionContinuesIt()
    {
        var script = _ws.WriteScript("""
            turns:
              - text: first answer
              - expect: { last_user_contains: second }
                text: second answer
              - expect: { last_user_contains: third }
                text: third answer
            """);
        await using var server = await StartServerAsync(script);

        var first = await RunRemoteAsync(server, "run", "first", "--server", server.Url.ToString(), "-o", "json");

        Assert.True(first.ExitCode == 0, first.Error);
        var events = RunWorkspace.Events(first.Output);
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal("run.accepted", types[0]);
        Assert.Equal("run.ended", types[^1]);
        Assert.Contains("run.started", types);
        Assert.Contains("message.delta", types);
        Assert.Contains("run.completed", types);
        var sessionId = events[0].GetProperty("sessionId").GetString()!;
        Assert.All(events, e => Assert.Equal(sessionId, e.GetProperty("sessionId").GetString()));
        Assert.Equal("completed", events[^1].GetProperty("status").GetString());
        Assert.Equal("first answer", string.Concat(events.Where(e => e.GetProperty("type").GetString() == "message.delta").Select(e => e.GetProperty("text").GetString())));

        var listed = await server.GetAsync("v1/sessions");
        Assert.Contains(listed.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("id").GetString() == sessionId);

        var second = await RunRemoteAsync(server, "run", "second", "--server", server.Url.ToString(), "--session", sessionId, "-o", "final");
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Equal("second answer", second.Output.Trim());

        var third = await RunRemoteAsync(server, "run", "third", "--server", server.Url.ToString(), "--continue");
        Assert.True(third.ExitCode == 0, third.Error);
        Assert.Equal("third answer", third.Output.Trim());
        Assert.Contains($"session {sessionId} (", third.Error, StringComparison.Ordinal);

        var history = await server.GetAsync($"v1/sessions/{sessionId}/messages");
        Assert.Equal(6, history.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task SecondRun_ReusesTheServersEngine()
    {
        var script = _ws.WriteScript("""
            turns:
              - text: one
            """);
        await using var server = await StartServerAsync(script);

        var first = await RunRemoteAsync(server, "run", "go", "--server", server.Url.ToString(), "-o", "final");
        var second = await RunRemoteAsync(server, "run", "go", "--server", server.Url.ToString(), "-o", "final");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Equal("one", second.Output.Trim());
        var engines = (await server.GetAsync("v1/plugins")).EnumerateArray().ToList();
        var engine = Assert.Single(engines);
        Assert.Equal(["scripted"], engine.GetProperty("plugins").EnumerateArray().Select(p => p.GetString()));
        var sessions = (await server.GetAsync("v1/sessions")).GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(2, sessions.Count);
    }

    [Fact]
    public async Task BadToken_IsRefused_WithTheFix_AndUnknownSession_IsNotFound()
    {
        var script = _ws.WriteScript("turns:\n  - text: never\n");
        await using var server = await StartServerAsync(script);

        var env = _ws.Environment;
        env["AGENT_SERVER_TOKEN"] = "wrong-token";
        var refused = await AgentProcess.RunAsync(_ws.Root, env, "run", "go", "--server", server.Url.ToString());
        var missing = await RunRemoteAsync(server, "run", "go", "--server", server.Url.ToString(), "--session", "no-such-session");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"the agent server at {server.Url} refused the token (401)", refused.Error, StringComparison.Ordinal);
        Assert.Contains("AGENT_SERVER_TOKEN", refused.Error, StringComparison.Ordinal);
        Assert.Equal(8, missing.ExitCode);
        Assert.Contains($"agent server {server.Url}: ", missing.Error, StringComparison.Ordinal);
        Assert.Contains("no-such-session", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedPrompt_ExitsWithTheCodeOfItsErrorKind_AsALocalRunDoes()
    {
        var script = _ws.WriteScript("turns:\n  - text: never\n");
        await using var server = await StartServerAsync(script);

        var remote = await RunRemoteAsync(server, "run", "look", "--context", "@missing-file.txt", "--server", server.Url.ToString());
        var local = await _ws.RunAsync("run", "look", "--context", "@missing-file.txt", "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script);

        Assert.Equal(2, local.ExitCode);
        Assert.Equal(local.ExitCode, remote.ExitCode);
        Assert.Contains("missing-file.txt", remote.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerNotRunning_TheErrorNamesTheUrl_AndHowToStartIt()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}/";
        var env = _ws.Environment;
        env["AGENT_SERVER_TOKEN"] = "some-token";

        var result = await AgentProcess.RunAsync(_ws.Root, env, "run", "go", "--server", url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: cannot reach the agent server at {url} (", result.Error, StringComparison.Ordinal);
        Assert.Contains("start it with 'agent serve'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoToken_AndOptionsAServerCannotHonour_AreUsageErrors()
    {
        var noToken = await _ws.RunAsync("run", "go", "--server", "http://127.0.0.1:4141");
        var namedVariable = await _ws.RunAsync("run", "go", "--server", "http://127.0.0.1:4141", "--server-token-env", "MY_TOKEN");
        var image = await _ws.RunAsync("run", "go", "--server", "http://127.0.0.1:4141", "--image", "shot.png");
        var plugin = await _ws.RunAsync("run", "go", "--server", "http://127.0.0.1:4141", "--continue", "-p", "files");
        var notAUrl = await _ws.RunAsync("run", "go", "--server", "localhost");

        Assert.Equal(2, noToken.ExitCode);
        Assert.Contains("--server http://127.0.0.1:4141/: no token; set AGENT_SERVER_TOKEN", noToken.Error, StringComparison.Ordinal);
        Assert.Equal(2, namedVariable.ExitCode);
        Assert.Contains("MY_TOKEN (--server-token-env) is not set", namedVariable.Error, StringComparison.Ordinal);
        Assert.Equal(2, image.ExitCode);
        Assert.Contains("--image cannot be used with --server: ", image.Error, StringComparison.Ordinal);
        Assert.Equal(2, plugin.ExitCode);
        Assert.Contains("--plugin cannot be used with --server --session/--continue: ", plugin.Error, StringComparison.Ordinal);
        Assert.Equal(2, notAUrl.ExitCode);
        Assert.Contains("not an http(s) address", notAUrl.Error, StringComparison.Ordinal);
    }

    [SigintFact]
    public async Task CtrlC_CancelsTheRunOnTheServer_AndExitsWith130()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls:
                  - name: shell
                    arguments: { command: "sleep 120" }
              - text: never reached
            """);
        await using var server = await StartServerAsync(script, "shell");
        var env = _ws.Environment;
        env["AGENT_SERVER_TOKEN"] = server.Token;
        using var agent = AgentProcess.Start(_ws.Root, env, "run", "wait", "--server", server.Url.ToString(), "--permission-mode", "yolo");
        var stdout = agent.StandardOutput.ReadToEndAsync();

        // The shell call has started on the server: interrupt the client as Ctrl+C would.
        var seen = new System.Text.StringBuilder();
        using (var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            while (await agent.StandardError.ReadLineAsync(waiting.Token) is { } line && !line.StartsWith("→ shell", StringComparison.Ordinal))
            {
                seen.AppendLine(line);
            }
        }

        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var rest = await agent.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await agent.WaitForExitAsync(timeout.Token);
        await stdout;

        Assert.True(agent.ExitCode == 130, seen + rest);
        Assert.Contains("run stopped (Cancelled)", rest, StringComparison.Ordinal);
        Assert.Contains($"continue with: agent run --server {server.Url} --session ", rest, StringComparison.Ordinal);
        var health = await server.GetAsync("v1/health");
        Assert.Equal(0, health.GetProperty("runningRuns").GetInt32());
    }

    [Fact]
    public async Task DroppedEventStream_IsResumed_WithNothingMissedOrRepeated()
    {
        var script = ToolScript();
        await using var server = await StartServerAsync(script, "files");
        await using var forwarder = new DroppingForwarder(server.Url.Port, "event: tool.completed");

        var remote = await RunRemoteAsync(server, "run", "read the readme", "--server", forwarder.Url);

        Assert.True(forwarder.Dropped, "the forwarder never cut the event stream");
        Assert.True(remote.ExitCode == 0, remote.Error);
        Assert.Equal($"Let me look.\n{Answer}\n", remote.Output);
        Assert.Single(remote.Error.Split('\n'), l => l.StartsWith("→ view", StringComparison.Ordinal));
        Assert.Single(remote.Error.Split('\n'), l => l.StartsWith("  ✓ view", StringComparison.Ordinal));
    }

    public void Dispose() => _ws.Dispose();

    private string ToolScript() => _ws.WriteScript($$"""
        turns:
          - text: Let me look.
            tool_calls: [{ name: view, arguments: { path: README.md } }]
          - expect: { tool_results_contain: [Quickstart] }
            text: "{{Answer}}"
        """);

    /// <summary><c>agent serve</c> in the workspace with the scripted model (and <paramref name="plugins"/>), no default plugins.</summary>
    private Task<AgentServer> StartServerAsync(string script, params string[] plugins) =>
        AgentServer.StartAsync(_ws.Root, _ws.Environment, ["--plugin", "scripted", .. plugins.SelectMany(p => new[] { "--plugin", p }), "--no-default-plugins", "--model", "scripted/" + script]);

    private Task<CliResult> RunRemoteAsync(AgentServer server, params string[] args)
    {
        var env = _ws.Environment;
        env["AGENT_SERVER_TOKEN"] = server.Token;
        return AgentProcess.RunAsync(_ws.Root, env, args);
    }

    /// <summary>The tool and permission lines of a run's stderr, durations left out.</summary>
    private static List<string> Activity(string error) =>
        [.. error.Split('\n').Where(l => l.StartsWith('→') || l.StartsWith("  ", StringComparison.Ordinal)).Select(l => Duration().Replace(l, "(N ms)"))];

    /// <summary>
    /// A TCP forwarder to the server on 127.0.0.1 that cuts, once, the connection whose response carries
    /// <paramref name="marker"/> (an SSE frame), right after forwarding it: a dropped event stream.
    /// </summary>
    private sealed class DroppingForwarder : IAsyncDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly int _target;
        private readonly string _marker;
        private readonly Task _accepting;
        private int _dropped;

        public DroppingForwarder(int target, string marker)
        {
            _target = target;
            _marker = marker;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public string Url => $"http://127.0.0.1:{((System.Net.IPEndPoint)_listener.LocalEndpoint).Port}/";

        public bool Dropped => Volatile.Read(ref _dropped) == 1;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ForwardAsync(client);
            }
        }

        private async Task ForwardAsync(System.Net.Sockets.TcpClient client)
        {
            using var _ = client;
            using var upstream = new System.Net.Sockets.TcpClient();
            await upstream.ConnectAsync(System.Net.IPAddress.Loopback, _target, _stop.Token);
            var up = client.GetStream().CopyToAsync(upstream.GetStream(), _stop.Token);
            var buffer = new byte[64 * 1024];
            var down = upstream.GetStream();
            try
            {
                int read;
                while ((read = await down.ReadAsync(buffer, _stop.Token)) > 0)
                {
                    await client.GetStream().WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    if (System.Text.Encoding.UTF8.GetString(buffer, 0, read).Contains(_marker, StringComparison.Ordinal) && Interlocked.Exchange(ref _dropped, 1) == 0)
                    {
                        client.Client.Close(); // the connection drops mid-stream
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // Either side went away.
            }

            await up.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [GeneratedRegex(@"\(\d+ ms\)")]
    private static partial Regex Duration();
}
