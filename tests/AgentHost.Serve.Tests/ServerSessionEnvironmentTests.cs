using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// What a member's session of a real <c>agent serve</c> can reach of the server (docs/server.md "Environment of a
/// session's processes"): its shell commands, workflow shell nodes and hooks get an environment built for them (the
/// allow-list and <c>server.session_env</c>), never the server's token, provider keys or <c>AGENT_*</c> settings. The scripted model does
/// what a hostile one would: <c>printenv | rev</c>, which no output scrubber recognises.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerSessionEnvironmentTests : IDisposable
{
    private const string ProviderKey = "sk-test-provider-key-7f3a91";
    private const string Plain = "plain-but-unlisted-3319";
    private const string Listed = "listed-by-the-admin-5521";

    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [UnixFact("POSIX shell command lines (printenv, rev)")]
    public async Task AMembersShellWorkflowAndHookProcesses_GetTheAllowList_NeverTheServersTokenKeysOrSettings()
    {
        _ws.WriteUserConfig($$"""
            server:
              session_env: [TEAM_SETTING]
            hooks:
              UserPromptSubmit:
                - matcher: ""
                  hooks:
                    - type: command
                      command: {{JsonSerializer.Serialize("printenv | rev > hook-env.txt; exit 0")}}
            """);
        File.WriteAllText(Path.Combine(_ws.Root, "env.yaml"), """
            name: env
            nodes:
              - id: dump
                kind: shell
                command: printenv | rev > workflow-env.part && mv workflow-env.part workflow-env.txt
            """);
        var trusted = await _ws.RunAsync("trust");
        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error + trusted.Output);
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var environment = _ws.Environment;
        environment["ANTHROPIC_API_KEY"] = ProviderKey;
        environment["PLAIN_UNLISTED"] = Plain;
        environment["TEAM_SETTING"] = Listed;
        await using var server = await AgentServer.StartAsync(_ws.Root, environment, "--plugin", "scripted", "--plugin", "shell", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n"));
        using var member = server.Client(alice);

        var script = _ws.WriteRootScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "printenv | rev > shell-env.txt; printenv TEST_SERVER_TOKEN | rev >> shell-env.txt; printenv ANTHROPIC_API_KEY | rev >> shell-env.txt" } }]
              - tool_calls: [{ name: shell, arguments: { command: "printenv | rev > job-env.part && mv job-env.part job-env.txt", run_in_background: true } }]
              - text: done
            """);
        using var created = await member.PostAsJsonAsync("v1/sessions", new { permissionMode = "yolo", model = "scripted/" + script });
        var session = (await AgentServer.ReadAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var sent = await member.PostAsJsonAsync($"v1/sessions/{session}/messages?wait=true", new { prompt = "show me the environment" });
        var run = await AgentServer.ReadAsync(sent, HttpStatusCode.OK);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());

        using var started = await member.PostAsJsonAsync("v1/workflows/runs", new { workflow = "env.yaml" });
        await AgentServer.ReadAsync(started, HttpStatusCode.Accepted);

        var seen = new Dictionary<string, string>
        {
            ["shell"] = await File.ReadAllTextAsync(Path.Combine(_ws.Root, "shell-env.txt")),
            ["background job"] = await ReadWhenWrittenAsync(Path.Combine(_ws.Root, "job-env.txt")),
            ["workflow shell node"] = await ReadWhenWrittenAsync(Path.Combine(_ws.Root, "workflow-env.txt")),
            ["hook"] = await File.ReadAllTextAsync(Path.Combine(_ws.Root, "hook-env.txt")),
        };
        foreach (var (what, reversed) in seen)
        {
            var text = Unreversed(reversed);
            Assert.False(text.Contains(server.Token, StringComparison.Ordinal), $"the {what} saw the server's token:\n{text}");
            Assert.False(text.Contains(ProviderKey, StringComparison.Ordinal), $"the {what} saw the provider key:\n{text}");
            Assert.False(text.Contains(Plain, StringComparison.Ordinal), $"the {what} saw a variable server.session_env does not list:\n{text}");
            Assert.DoesNotContain("AGENT_HOME=", text, StringComparison.Ordinal);
            Assert.Contains("TEAM_SETTING=" + Listed, text, StringComparison.Ordinal);
            Assert.Contains("\nPATH=/", "\n" + text, StringComparison.Ordinal);
            Assert.Contains("\nHOME=", "\n" + text, StringComparison.Ordinal);
        }

    }

    [UnixFact("POSIX shell command lines (printenv, rev)")]
    public async Task AMembersTrustedProject_ExpandsVariablesFromTheSessionsEnvironment_NeverTheServersTokenKeysOrSettings()
    {
        // A trusted member project copies the server's secrets into the MCP servers it configures: ${VAR} in its
        // .agent/config.yaml (args, env) and in its .mcp.json. On a server they expand from the session's environment only.
        _ws.WriteUserConfig("server:\n  session_env: [TEAM_SETTING]\n");
        const string Copy = "'${TEST_SERVER_TOKEN}|${ANTHROPIC_API_KEY}|${AGENT_HOME}|${PLAIN_UNLISTED}|${TEAM_SETTING}'";
        _ws.WriteProjectConfig($$"""
            mcp:
              servers:
                leak:
                  command: sh
                  args: ["-c", {{JsonSerializer.Serialize($"printenv | rev > config-env.txt; echo {Copy} | rev > config-args.txt")}}]
                  env:
                    FROM_TOKEN: ${TEST_SERVER_TOKEN}
                    FROM_KEY: ${ANTHROPIC_API_KEY}
            """);
        File.WriteAllText(Path.Combine(_ws.Root, ".mcp.json"), JsonSerializer.Serialize(new
        {
            mcpServers = new Dictionary<string, object>
            {
                ["leakjson"] = new
                {
                    command = "sh",
                    args = new[] { "-c", $"printenv | rev > json-env.txt; echo {Copy} | rev > json-args.txt" },
                    env = new Dictionary<string, string> { ["FROM_TOKEN"] = "${TEST_SERVER_TOKEN}", ["FROM_KEY"] = "${ANTHROPIC_API_KEY}" },
                },
            },
        }));
        var trusted = await _ws.RunAsync("trust");
        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error + trusted.Output);
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var environment = _ws.Environment;
        environment["ANTHROPIC_API_KEY"] = ProviderKey;
        environment["PLAIN_UNLISTED"] = Plain;
        environment["TEAM_SETTING"] = Listed;
        await using var server = await AgentServer.StartAsync(_ws.Root, environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n"));
        using var member = server.Client(alice);
        using var created = await member.PostAsJsonAsync("v1/sessions", new { });
        var session = (await AgentServer.ReadAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var sent = await member.PostAsJsonAsync($"v1/sessions/{session}/messages?wait=true", new { prompt = "hello" });
        await AgentServer.ReadAsync(sent, HttpStatusCode.OK);

        foreach (var file in new[] { "config-env.txt", "config-args.txt", "json-env.txt", "json-args.txt" })
        {
            var text = Unreversed(await ReadWhenWrittenAsync(Path.Combine(_ws.Root, file)));
            Assert.False(text.Contains(server.Token, StringComparison.Ordinal), $"{file}: the project copied the server's token:\n{text}");
            Assert.False(text.Contains(ProviderKey, StringComparison.Ordinal), $"{file}: the project copied the provider key:\n{text}");
            Assert.False(text.Contains(Plain, StringComparison.Ordinal), $"{file}: the project copied a variable server.session_env does not list:\n{text}");
            Assert.False(text.Contains(environment["AGENT_HOME"], StringComparison.Ordinal), $"{file}: the project copied AGENT_HOME:\n{text}");
        }

        // What the admin lists still expands.
        Assert.Contains(Listed, Unreversed(await File.ReadAllTextAsync(Path.Combine(_ws.Root, "config-args.txt"))), StringComparison.Ordinal);
        Assert.Contains(Listed, Unreversed(await File.ReadAllTextAsync(Path.Combine(_ws.Root, "json-args.txt"))), StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task AMembersHook_RunsInTheSessionsSandbox_ByDefaultOnAServer_AndCannotWriteOutsideItsRoot()
    {
        var outside = _ws.Combine("outside");
        Directory.CreateDirectory(outside);
        var hookOutside = Path.Combine(outside, "hook-wrote.txt");
        _ws.WriteUserConfig($$"""
            hooks:
              UserPromptSubmit:
                - matcher: ""
                  hooks:
                    - type: command
                      command: {{JsonSerializer.Serialize($"echo ran > hook-ran.txt; echo x > '{hookOutside}'; exit 0")}}
            """);
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        await using var server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n"));
        using var member = server.Client(alice);
        using var created = await member.PostAsJsonAsync("v1/sessions", new { });
        var session = (await AgentServer.ReadAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var sent = await member.PostAsJsonAsync($"v1/sessions/{session}/messages?wait=true", new { prompt = "hello" });
        await AgentServer.ReadAsync(sent, HttpStatusCode.OK);

        // The hook ran (it wrote inside the root) in the session's sandbox (sandbox.hooks is on for server sessions): nothing outside.
        Assert.True(File.Exists(Path.Combine(_ws.Root, "hook-ran.txt")), "the member's hook did not run");
        Assert.False(File.Exists(hookOutside), "a member's hook wrote outside its root");
    }

    /// <summary><c>rev</c> undone, line by line.</summary>
    private static string Unreversed(string text) =>
        string.Join('\n', text.Split('\n').Select(line => new string([.. line.Reverse()])));

    /// <summary>
    /// A file a background process writes (a job, a workflow run), once written (a minute at most). The process writes it
    /// under another name and renames it when complete: <c>rev</c> writes a file in 4 KB pieces, and a file read as soon as
    /// it was not empty held only the first piece.
    /// </summary>
    private static async Task<string> ReadWhenWrittenAsync(string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path)) { EnableRaisingEvents = true };
        while (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            await Task.Run(() => watcher.WaitForChanged(WatcherChangeTypes.All, 1000), timeout.Token);
            timeout.Token.ThrowIfCancellationRequested();
        }

        return await File.ReadAllTextAsync(path);
    }
}
