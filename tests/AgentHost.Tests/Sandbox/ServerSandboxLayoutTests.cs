using System.Net.Http.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// What a server session's sandbox binds (docs/sandbox.md "Layout for server sessions"), through a real
/// <c>agent serve --socket</c> with two members, each with a root of their own (<c>server.user_roots</c>), and the
/// scripted model running the shell lines a hostile model would, in yolo mode so that only the sandbox stands between
/// them and the machine: member A's commands cannot read the server's sessions database or data folder, see nothing of
/// member B's root (an empty folder in its place), nor what other sessions left in the server's temporary folder, cannot
/// connect to the server's socket; A's own root stays readable and writable and its tests run.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerSandboxLayoutTests : IDisposable
{
    private const string BobsSecret = "bob-secret-4e1a";
    private const string BobsTemporary = "bob-temporary-88c1";

    private readonly MemberServer _server = new();
    private string? _otherSessions;

    public void Dispose()
    {
        _server.Dispose();
        if (_otherSessions is not null && Directory.Exists(_otherSessions))
        {
            Directory.Delete(_otherSessions, recursive: true);
        }
    }

    // BubblewrapProxyFact: bwrap, and socat (the client that connects to the server's socket) on PATH.
    [BubblewrapProxyFact]
    public async Task AMembersSession_SeesOnlyItsOwnRoot_NotTheServersDataFolder_NorAnotherMembersRoot_NorTheServersSocket()
    {
        var socat = ProgramOnPath("socat");
        var alice = _server.Workspace.Combine("roots", "alice");
        var bob = _server.Workspace.Combine("roots", "bob");
        Directory.CreateDirectory(alice);
        Directory.CreateDirectory(bob);
        File.WriteAllText(Path.Combine(bob, "secret.txt"), BobsSecret + "\n");
        File.WriteAllText(Path.Combine(alice, "test.sh"), "test \"$(cat mine.txt)\" = mine && echo tests-passed\n");
        _server.Workspace.WriteUserConfig($"sandbox:\n  mode: required\nserver:\n  user_roots:\n    alice: [{alice}]\n    bob: [{bob}]\n");
        var aliceToken = await _server.AddAsync("alice");
        await _server.AddAsync("bob");
        var data = _server.Workspace.Environment["AGENT_HOME"];
        var socket = _server.Workspace.Combine("agent.sock");
        // What another session's sandboxed commands left in their temporary folder: its path is written to other.txt
        // once the server runs (RunAsAliceAsync), in the server's folder of them.
        var line =
            $"cat {data}/sessions.db > /dev/null; echo \"db=$?\"; ls {data}; echo \"data=$?\"; ls {bob}; echo \"ls=$?\"; cat {bob}/secret.txt; echo \"secret=$?\"; "
            + $"printf 'GET /v1/health HTTP/1.0\\r\\n\\r\\n' | {socat} - UNIX-CONNECT:{socket}; echo \"socket=$?\"; "
            + "cat \"$(cat other.txt)\"; echo \"temporary=$?\"; echo t > \"$TMPDIR/own.txt\" && cat \"$TMPDIR/own.txt\" && echo \"own-temporary=ok\"; "
            + "echo mine > mine.txt; sh test.sh; echo \"own=$?\"";
        // A script of the member's own root, so that no permission rule stands in the way: only the sandbox does.
        File.WriteAllText(Path.Combine(alice, "probe.sh"), line.Replace("; ", "\n", StringComparison.Ordinal) + "\n");
        var script = "turns:\n  - tool_calls: [" + SandboxWorkspace.Shell("sh probe.sh > report.txt 2>&1") + "]\n  - text: done\n";
        var report = await RunAsAliceAsync(aliceToken, alice, socket, script);
        Assert.True(report.Contains("own=0", StringComparison.Ordinal), report);
        Assert.Contains("tests-passed", report, StringComparison.Ordinal);
        Assert.DoesNotContain("db=0", report, StringComparison.Ordinal);
        Assert.DoesNotContain("sessions.db", report.Replace($"{data}/sessions.db", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("secret.txt\n", report, StringComparison.Ordinal);
        Assert.DoesNotContain(BobsSecret, report, StringComparison.Ordinal);
        Assert.DoesNotContain("secret=0", report, StringComparison.Ordinal);
        Assert.DoesNotContain("socket=0", report, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1", report, StringComparison.Ordinal);
        Assert.DoesNotContain(BobsTemporary, report, StringComparison.Ordinal);
        Assert.DoesNotContain("temporary=0", report, StringComparison.Ordinal);
        Assert.Contains("own-temporary=ok", report, StringComparison.Ordinal);
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(alice, "mine.txt")));

        // Control: the same session without the sandbox reaches all of it (no permission rule stood in the way).
        var control = await RunAsAliceAsync(aliceToken, alice, socket, script, MemberServer.WithoutSandbox);
        Assert.Contains(BobsSecret, control, StringComparison.Ordinal);
        Assert.Contains("db=0", control, StringComparison.Ordinal);
        Assert.Contains("socket=0", control, StringComparison.Ordinal); // the socket accepts the connection outside the sandbox
        Assert.Contains(BobsTemporary, control, StringComparison.Ordinal);
    }

    /// <summary>Starts the server, runs one turn of a yolo session of alice's in her root, stops it; returns the probe's report.</summary>
    private async Task<string> RunAsAliceAsync(string aliceToken, string alice, string socket, string script, params string[] more)
    {
        File.Delete(Path.Combine(alice, "report.txt"));
        await using var server = await _server.StartAsync(script, ["shell"], ["--socket", socket, .. more]);
        // Another session's sandbox folder in this server's folder of them (agent-serve-PID), as its commands left it.
        var others = Path.Combine(Path.GetTempPath(), "agent-serve-" + server.Process.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "agent-sandbox-other");
        Directory.CreateDirectory(others);
        File.WriteAllText(Path.Combine(others, "left.txt"), BobsTemporary + "\n");
        File.WriteAllText(Path.Combine(alice, "other.txt"), Path.Combine(others, "left.txt"));
        _otherSessions = Path.GetDirectoryName(others);
        using var client = server.Client(aliceToken);
        var id = await MemberServer.CreateSessionAsync(client, new { root = alice, permissionMode = "yolo" });
        using var sent = await client.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt = "go" });
        var run = await AgentServer.ReadAsync(sent, System.Net.HttpStatusCode.OK);
        var report = Path.Combine(alice, "report.txt");
        return File.Exists(report) ? File.ReadAllText(report) : "no report: " + run;
    }

    private static string ProgramOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists) ?? name;
}
