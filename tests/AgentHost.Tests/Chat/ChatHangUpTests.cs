using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// The chat's terminal hangs up (its window is closed: the terminal goes, agent gets SIGHUP and the end of its input)
/// at the idle prompt, while a tool runs, and while a permission question waits: the chat ends in order every time.
/// The process exits (it neither spins on the dead terminal nor aborts), the log says how the chat ended, the session is
/// saved with what was sent, and a running tool's process is stopped.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatHangUpTests : IDisposable
{
    /// <summary>How long an ending may take before the test calls it hung (a bound on a failure, not a speed check).</summary>
    private static readonly TimeSpan EndingLimit = TimeSpan.FromSeconds(60);

    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task AtTheIdlePrompt_TheChatEndsInOrder_WithItsSessionSaved()
    {
        var script = _ws.WriteScript("turns:\n  - text: the first answer\n");
        await using var chat = await StartAsync(script);
        await chat.WaitForAsync("/help for commands");
        await chat.LineAsync("first prompt");
        await chat.WaitForAsync("the first answer");
        await chat.WaitForAsync("── ");
        var agent = await chat.ProcessIdAsync();

        await chat.HangUpAsync();

        await AssertEndsAsync(agent);
        var session = await SavedSessionAsync("first prompt");
        Assert.Equal(2, session.GetProperty("messages").GetInt32());
        AssertLogged(session.GetProperty("id").GetString()!);
    }

    [TmuxFact]
    public async Task WhileAToolRuns_TheChatEndsInOrder_StopsTheTool_AndSavesTheSession()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "echo $$ > tool.pid && exec sleep 600" } }]
              - text: never reached
            """);
        // The test finds the tool by the PID it writes ($$): a sandboxed command has its own PID namespace, so it runs unsandboxed.
        await using var chat = await StartAsync(script, "--permission-mode", "yolo", "--sandbox", "off");
        await chat.WaitForAsync("/help for commands");
        await chat.LineAsync("run the long command");
        await chat.WaitForAsync("→ shell");
        var toolPid = await ToolProcessAsync();
        var agent = await chat.ProcessIdAsync();

        await chat.HangUpAsync();

        await AssertEndsAsync(agent);
        await AssertEndsAsync(toolPid);
        var session = await SavedSessionAsync("run the long command");
        AssertLogged(session.GetProperty("id").GetString()!);
    }

    [TmuxFact]
    public async Task WhileAPermissionQuestionWaits_TheChatEndsInOrder_AndTheCallDoesNotRun()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "never\n" } }]
              - text: never reached
            """);
        await using var chat = await StartAsync(script);
        await chat.WaitForAsync("/help for commands");
        await chat.LineAsync("write the notes");
        await chat.WaitForAsync("answer [y/s/p/g/e/n]:");
        var agent = await chat.ProcessIdAsync();

        await chat.HangUpAsync();

        await AssertEndsAsync(agent);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "notes.txt")));
        var session = await SavedSessionAsync("write the notes");
        AssertLogged(session.GetProperty("id").GetString()!);
    }

    private Task<TmuxSession> StartAsync(string script, params string[] more) =>
        TmuxSession.StartAsync(new TmuxStart(_ws.Root, _ws.Environment) { Direct = true }, ["-p", "scripted", "-p", "files", "-p", "shell", "-m", "scripted/" + script, .. more]);

    /// <summary>Waits for the process to be gone (or a zombie no one reaps); fails, saying so, if it is still running after the limit.</summary>
    private static async Task AssertEndsAsync(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (IsRunning(pid))
        {
            if (clock.Elapsed > EndingLimit)
            {
                var stat = File.Exists($"/proc/{pid}/stat") ? File.ReadAllText($"/proc/{pid}/stat") : "gone";
                using (var stuck = Process.GetProcessById(pid))
                {
                    stuck.Kill(entireProcessTree: true); // the test cleans up what it started
                }

                Assert.Fail($"process {pid} still ran {EndingLimit.TotalSeconds:0} s after its terminal hung up (/proc/{pid}/stat: {stat})");
            }

            await Task.Delay(100); // polling the process table, not synchronising on time
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false; // gone (DirectoryNotFoundException and FileNotFoundException are IOExceptions)
        }
    }

    /// <summary>The pid the tool's shell wrote (its process then became <c>sleep</c>).</summary>
    private async Task<int> ToolProcessAsync()
    {
        var file = Path.Combine(_ws.Root, "tool.pid");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(file) || (await File.ReadAllTextAsync(file)).Trim().Length == 0)
        {
            Assert.True(clock.Elapsed < EndingLimit, "the tool never started");
            await Task.Delay(100); // polling for the file the tool writes
        }

        return int.Parse((await File.ReadAllTextAsync(file)).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The one session of the workspace, which holds <paramref name="prompt"/> (read by a new agent process).</summary>
    private async Task<JsonElement> SavedSessionAsync(string prompt)
    {
        var list = await _ws.RunAsync("session", "list", "--json");
        Assert.True(list.ExitCode == ExitCodes.Success, list.Error);
        var session = Assert.Single(JsonDocument.Parse(list.Output).RootElement.EnumerateArray());
        var id = session.GetProperty("id").GetString()!;
        var history = await _ws.RunAsync("session", "history", id, "--json");
        Assert.True(history.ExitCode == ExitCodes.Success, history.Error);
        Assert.Contains(prompt, history.Output, StringComparison.Ordinal);
        return session.Clone();
    }

    /// <summary>The chat's last word, in its log: how it ended, and that the session was saved.</summary>
    private void AssertLogged(string sessionId)
    {
        var log = string.Join('\n', Directory.EnumerateFiles(_ws.Combine("home", "logs"), "*.log").Select(File.ReadAllText));
        var ended = log.Split('\n').LastOrDefault(line => line.Contains("Chat ended", StringComparison.Ordinal));
        Assert.True(ended is not null, "the chat did not end in order (no 'Chat ended' in its log):\n" + log[^Math.Min(log.Length, 3000)..]);
        Assert.Contains($"session {sessionId} saved", ended, StringComparison.Ordinal);
        Assert.Matches("the terminal hung up|cancelled by a signal", ended);
    }
}
