using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Lsp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// The long-running servers a member's session of a real <c>agent serve</c> uses run in the real bubblewrap sandbox by
/// default (docs/sandbox.md "Layout for server sessions"), with no <c>sandbox.*</c> setting: the language servers of the
/// member's root (<c>sandbox.lsp_servers</c>), bound to that root, and the session's stdio MCP servers
/// (<c>sandbox.mcp_servers</c>). Two members each have a root of their own (<c>server.user_roots</c>); the server's data
/// folder holds a secret file. Each server is a real node process that tries to read (and write) what it must not: in
/// alice's session it reads her root, but not the server's data folder nor bob's root, and writes nowhere outside her
/// root. The control turns the setting off (an admin's choice) and the same server reads both secrets.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerMemberServersSandboxTests : IDisposable
{
    private const string ServerSecret = "server-secret-9c2d";
    private const string BobsSecret = "bob-secret-71f0";
    private const string AlicesText = "alice-own-5b83";
    private const string BobsTemporary = "bob-temporary-2e6a";

    private readonly RunWorkspace _ws = new();
    private readonly string _alice;
    private readonly string _bob;
    private readonly string _serverSecret;
    private readonly List<string> _serverFolders = [];
    private string? _aliceToken;

    public ServerMemberServersSandboxTests()
    {
        _alice = _ws.Combine("roots", "alice");
        _bob = _ws.Combine("roots", "bob");
        Directory.CreateDirectory(_alice);
        Directory.CreateDirectory(_bob);
        File.WriteAllText(Path.Combine(_bob, "secret.txt"), BobsSecret + "\n");
        File.WriteAllText(Path.Combine(_alice, "mine.txt"), AlicesText + "\n");
        _serverSecret = Path.Combine(_ws.Environment["AGENT_HOME"], "server-secret.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(_serverSecret)!);
        File.WriteAllText(_serverSecret, ServerSecret + "\n");
    }

    public void Dispose() => _ws.Dispose();

    [BubblewrapLspFact]
    public async Task AMembersLanguageServer_RunsInASandboxBoundToItsRoot_ByDefaultOnAServer_WorksThere_AndReachesNothingOutside()
    {
        var outside = _ws.Combine("outside");
        Directory.CreateDirectory(outside);
        var wroteOutside = Path.Combine(outside, "ls-wrote.txt");
        var cache = Path.Combine(_alice, "ls-cache.txt");
        string[] probe =
        [
            LspServers.Fixture("settling-server.mjs"),
            "--read", Path.Combine(_alice, "mine.txt"), "--read", _serverSecret, "--read", Path.Combine(_bob, "secret.txt"),
            "--write", cache, "--write", wroteOutside,
        ];
        // A real language server (yaml-language-server from npm) reads its root's schema; the fixture probes.
        _ws.WriteUserConfig(Roots() + $$"""
            lsp:
              servers:
                probe:
                  command: node
                  args: {{JsonSerializer.Serialize(probe)}}
                  extensions: [.fx]
                my-yaml:
                  command: {{JsonSerializer.Serialize(Path.Combine(LspServers.BinDirectory!, "yaml-language-server"))}}
                  args: [--stdio]
                  extensions: [.yml]
                  settings: { yaml: { validate: true, schemaStore: { enable: false } } }
            """);
        File.WriteAllText(Path.Combine(_alice, "schema.json"), """{ "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] }""");
        File.WriteAllText(Path.Combine(_alice, "svc.yml"), "# yaml-language-server: $schema=./schema.json\nname: 5\n");
        File.WriteAllText(Path.Combine(_alice, "probe.fx"), "fine\n");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls:
                  - { name: lsp_diagnostics, arguments: { path: probe.fx } }
                  - { name: lsp_diagnostics, arguments: { path: svc.yml } }
              - text: done
            """);

        var sandboxed = await RunAsAliceAsync(script);

        var report = string.Join("\n", sandboxed);
        Assert.Contains($"read {_alice}/mine.txt: ok {AlicesText}", report, StringComparison.Ordinal);
        Assert.Contains($"write {cache}: ok", report, StringComparison.Ordinal);
        Assert.Contains("sandbox=bubblewrap", report, StringComparison.Ordinal);
        Assert.Contains($"read {_serverSecret}: error ", report, StringComparison.Ordinal);
        Assert.Contains($"read {_bob}/secret.txt: error ", report, StringComparison.Ordinal);
        Assert.Contains($"write {wroteOutside}: error ", report, StringComparison.Ordinal);
        Assert.DoesNotContain(ServerSecret, report, StringComparison.Ordinal);
        Assert.DoesNotContain(BobsSecret, report, StringComparison.Ordinal);
        Assert.False(File.Exists(wroteOutside), "a member's language server wrote outside its root");
        Assert.True(File.Exists(cache), "the language server could not write in its own root:\n" + report);
        Assert.Contains("LSP (my-yaml): 1 error, 0 warnings in svc.yml", report, StringComparison.Ordinal);
        Assert.Contains("Incorrect type. Expected \"string\"", report, StringComparison.Ordinal);

        // Control: an admin who turns it off runs the same server unsandboxed, and nothing else stood in its way.
        var control = string.Join("\n", await RunAsAliceAsync(script, "-c", "sandbox.lsp_servers=false"));
        Assert.Contains(ServerSecret, control, StringComparison.Ordinal);
        Assert.Contains(BobsSecret, control, StringComparison.Ordinal);
        Assert.True(File.Exists(wroteOutside), "the control's language server did not write outside:\n" + control);
    }

    [BubblewrapNodeFact]
    public async Task AMembersStdioMcpServer_RunsInTheSessionsSandbox_ByDefaultOnAServer_AndReadsNothingOutsideItsRoot()
    {
        var reader = Path.Combine(RunWorkspace.RepositoryRoot(), "tests", "mcp-servers", "fixtures", "file-reader-server.mjs");
        _ws.WriteUserConfig(Roots() + $"mcp:\n  servers:\n    reader: {{ command: node, args: [{JsonSerializer.Serialize(reader)}] }}\n");
        // What another session's sandboxed commands leave in their temporary folder, in the server's folder of them
        // (agent-serve-PID: made by RunAsAliceAsync once the server runs; its path does not depend on the PID below it).
        var otherSessions = Path.Combine(_ws.Combine("other-link"), "agent-sandbox-other");
        var script = _ws.WriteScript($$"""
            turns:
              - tool_calls:
                  - { name: mcp__reader__read_file, arguments: { path: {{JsonSerializer.Serialize(Path.Combine(_alice, "mine.txt"))}} } }
                  - { name: mcp__reader__read_file, arguments: { path: {{JsonSerializer.Serialize(_serverSecret)}} } }
                  - { name: mcp__reader__read_file, arguments: { path: {{JsonSerializer.Serialize(Path.Combine(_bob, "secret.txt"))}} } }
                  - { name: mcp__reader__read_file, arguments: { path: {{JsonSerializer.Serialize(Path.Combine(otherSessions, "left.txt"))}} } }
              - text: done
            """);

        try
        {
            var results = await RunAsAliceAsync(script);

            Assert.Equal(4, results.Count);
            Assert.Contains("content: " + AlicesText, results[0], StringComparison.Ordinal);
            Assert.All(results, result => Assert.Contains("sandbox=bubblewrap", result, StringComparison.Ordinal));
            Assert.StartsWith("error: ", results[1], StringComparison.Ordinal);
            Assert.StartsWith("error: ", results[2], StringComparison.Ordinal);
            Assert.StartsWith("error: ", results[3], StringComparison.Ordinal);
            Assert.DoesNotContain(ServerSecret, string.Join("\n", results), StringComparison.Ordinal);
            Assert.DoesNotContain(BobsSecret, string.Join("\n", results), StringComparison.Ordinal);
            Assert.DoesNotContain(BobsTemporary, string.Join("\n", results), StringComparison.Ordinal);

            // Its temporary folder is these servers' own (not one for every session of the process), gone with them.
            var temporary = System.Text.RegularExpressions.Regex.Match(results[0], "tmpdir=(.*)").Groups[1].Value.Trim();
            Assert.Matches(@"agent-sandbox-mcp[0-9]+[0-9a-f]{16}$", temporary);
            Assert.False(Directory.Exists(temporary), "the MCP servers' temporary folder outlived them: " + temporary);

            // Control: with sandbox.mcp_servers off (an admin's choice) the same server reads all of it.
            var control = string.Join("\n", await RunAsAliceAsync(script, "-c", "sandbox.mcp_servers=false"));
            Assert.Contains(ServerSecret, control, StringComparison.Ordinal);
            Assert.Contains(BobsSecret, control, StringComparison.Ordinal);
            Assert.Contains(BobsTemporary, control, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var folder in _serverFolders.Where(Directory.Exists))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Each member's root (<c>server.user_roots</c>), as the start of the server's user configuration.</summary>
    private string Roots() => $"server:\n  user_roots:\n    alice: [{_alice}]\n    bob: [{_bob}]\n";

    /// <summary>
    /// Starts the server, runs one turn of a yolo session of alice's in her root (so that no permission rule stands in
    /// the way: only the sandbox does), stops it; returns the session's tool results.
    /// </summary>
    private async Task<List<string>> RunAsAliceAsync(string script, params string[] more)
    {
        if (_aliceToken is null)
        {
            _aliceToken = await AgentServer.AddUserAsync(_ws, "alice", "member");
            await AgentServer.AddUserAsync(_ws, "bob", "member");
        }

        await using var server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, ["--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script, .. more]);
        // Another session's sandbox folder in this server's folder of them (agent-serve-PID), as its commands left it;
        // other-link names that folder whatever the server's process id.
        var folder = Path.Combine(Path.GetTempPath(), "agent-serve-" + server.Process.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(folder, "agent-sandbox-other"));
        File.WriteAllText(Path.Combine(folder, "agent-sandbox-other", "left.txt"), BobsTemporary + "\n");
        _serverFolders.Add(folder);
        var link = _ws.Combine("other-link");
        if (Path.Exists(link))
        {
            File.Delete(link);
        }

        File.CreateSymbolicLink(link, folder);
        using var client = server.Client(_aliceToken);
        using var created = await client.PostAsJsonAsync("v1/sessions", new { root = _alice, permissionMode = "yolo" });
        var id = (await AgentServer.ReadAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var sent = await client.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt = "go" });
        var run = await AgentServer.ReadAsync(sent, HttpStatusCode.OK);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var results = await AgentServer.ToolResultsAsync(client, id);
        // Closed by its client: what the session held ends (its MCP servers, their sandbox) before the server is killed.
        using var closed = await client.PostAsync($"v1/sessions/{id}/close", null);
        await AgentServer.ReadAsync(closed, HttpStatusCode.OK);
        return results;
    }
}
