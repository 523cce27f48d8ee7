using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// The git plugin's calls in a member's session of a real <c>agent serve</c> (docs/tools-git.md "Environment"): git, and
/// so a repository's hooks, get the session's environment (the allow-list and <c>server.session_env</c>), never the
/// server's token or provider keys; and the plugin's commit never runs the repository's <c>core.fsmonitor</c>. The
/// scripted model commits as a hostile one would, with a <c>pre-commit</c> hook that dumps its environment reversed.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerGitSecretsTests : IDisposable
{
    private const string ProviderKey = "sk-test-provider-key-41c9d2";

    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [UnixFact("POSIX shell hooks (printenv, rev)")]
    public async Task AMembersGitCommit_RunsHooksWithTheSessionsEnvironment_AndNeverTheRepositorysFsmonitor()
    {
        var fsmonitorRan = _ws.Combine("fsmonitor-ran.txt");
        Git("init", "-q", "-b", "main");
        Git("config", "user.name", "Member");
        Git("config", "user.email", "member@example.com");
        File.WriteAllText(Path.Combine(_ws.Root, "a.txt"), "one\n");
        Git("add", "a.txt");
        Git("commit", "-q", "-m", "first");
        File.WriteAllText(Path.Combine(_ws.Root, "a.txt"), "one\ntwo\n");
        Git("add", "a.txt");
        Executable(Path.Combine(_ws.Root, ".git", "hooks", "pre-commit"), "printenv | rev > hook-env.txt\n");
        Executable(_ws.Combine("fsmonitor.sh"), $"echo ran >> '{fsmonitorRan}'\n");
        Git("config", "core.fsmonitor", _ws.Combine("fsmonitor.sh"));

        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var environment = _ws.Environment;
        environment["ANTHROPIC_API_KEY"] = ProviderKey;
        await using var server = await AgentServer.StartAsync(_ws.Root, environment, "--plugin", "scripted", "--plugin", "git", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n"));
        using var member = server.Client(alice);
        // The member's script lies in their root (a model id naming a file is confined to the caller's roots).
        File.WriteAllText(Path.Combine(_ws.Root, "commit-script.yaml"), """
            turns:
              - tool_calls: [{ name: git_commit, arguments: { message: "Change a" } }]
              - expect: { tool_results_contain: ["Committed "] }
                text: done
            """);
        using var created = await member.PostAsJsonAsync("v1/sessions", new { permissionMode = "yolo", model = "scripted/commit-script.yaml" });
        var session = (await AgentServer.ReadAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var sent = await member.PostAsJsonAsync($"v1/sessions/{session}/messages?wait=true", new { prompt = "commit it" });
        var run = await AgentServer.ReadAsync(sent, HttpStatusCode.OK);

        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        Assert.Contains("Change a", Git("log", "-1", "--format=%s"), StringComparison.Ordinal);
        var hookEnvironment = string.Join('\n', File.ReadAllText(Path.Combine(_ws.Root, "hook-env.txt")).Split('\n').Select(line => new string([.. line.Reverse()])));
        Assert.False(hookEnvironment.Contains(server.Token, StringComparison.Ordinal), "the repository's hook saw the server's token:\n" + hookEnvironment);
        Assert.False(hookEnvironment.Contains(ProviderKey, StringComparison.Ordinal), "the repository's hook saw the provider key:\n" + hookEnvironment);
        Assert.DoesNotContain("AGENT_HOME=", hookEnvironment, StringComparison.Ordinal);
        Assert.Contains("\nPATH=/", "\n" + hookEnvironment, StringComparison.Ordinal);
        Assert.False(File.Exists(fsmonitorRan), "the plugin's commit ran the repository's core.fsmonitor");
    }

    private static void Executable(string path, string body)
    {
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The real git in the workspace, without the repository's programs, for the setup and the check.</summary>
    private string Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _ws.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = _ws.Combine("no-global-gitconfig");
        Directory.CreateDirectory(_ws.Root);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error.Result}");
        return output;
    }
}
