using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// The chat's session and project commands through the real <c>agent</c> in tmux (scripted provider): /jobs, /context,
/// /compact, /fork, /export in one conversation; /plugins, /memory, /init, /skills, /skill in another.
/// </summary>
[Trait("Speed", "Slow")]
public sealed partial class ChatCommandTerminalTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxFact]
    public async Task Jobs_Context_Compact_Fork_Export_InOneConversation()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "sleep 30", run_in_background: true } }]
              - text: started a job.
              - text: the second answer
              - expect: { system_contains: "You compress the transcript", last_user_contains: "focus on: the build" }
                text: "Goal: keep the build green."
            """);
        // A forked session opens a new model client; the scripted one then picks its turn by the history (one answer).
        var forkScript = _ws.WriteScript("""
            turns:
              - text: unused
              - expect: { last_user_contains: "now in the fork" }
                text: answered in the fork
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "-p", "scripted", "-p", "shell", "--allow", "shell(sleep *)", "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("/context");
        await chat.WaitForAsync("nothing is in the window yet");
        await chat.LineAsync("start a job");
        await chat.WaitForAsync("started a job.");
        await chat.LineAsync("/jobs");
        var jobs = await chat.WaitForAllAsync("1 running, 0 finished", "  job-1  running (pid ", "sleep 30");
        await chat.LineAsync("second");
        await chat.WaitForAsync("the second answer");
        await chat.LineAsync("/context");
        var context = await chat.WaitForMatchAsync(@"conversation \(6 messages\)\s+[\d.k]+[\s\S]*% of the window");
        await chat.LineAsync("/compact the build");
        var compacted = await chat.WaitForAllAsync("(summarised 5 earlier messages: about ", "compacted: ≈");
        await chat.LineAsync("/fork");
        var forked = await chat.WaitForMatchAsync(@"forked session \w+ into \w+; continuing in \w+\. The original stays as it was: /resume \w+");
        var fork = ForkLine().Match(forked);
        var path = Path.Combine(_ws.Root, $"session-{fork.Groups[2].Value}.md");
        await chat.LineAsync("/export md");
        var exported = await chat.WaitForAsync($"exported session {fork.Groups[2].Value} to {path}");
        await chat.LineAsync("/model scripted/" + forkScript);
        await chat.WaitForAsync("(from the next turn on)");
        await chat.LineAsync("now in the fork");
        await chat.WaitForAsync("answered in the fork");
        await chat.KeysAsync("C-d");

        Assert.Contains("1 running, 0 finished", jobs, StringComparison.Ordinal);
        Assert.DoesNotContain("job_list {}", jobs, StringComparison.Ordinal); // the person's call is not drawn as the model's
        Assert.Contains("sleep 30", jobs, StringComparison.Ordinal);
        Assert.Matches(@"context of the next turn · scripted/\S+ · window [\d.k]+", context);
        Assert.Matches(@"project memory \(AGENTS\.md and the other memory files\)\s+0", context);
        Assert.Matches(@"tool schemas \(\d+ tools\)\s+[\d.k]+", context);
        Assert.Matches(@"conversation \(6 messages\)\s+[\d.k]+", context);
        Assert.Contains("(summarised 5 earlier messages: about ", compacted, StringComparison.Ordinal);
        Assert.True(fork.Success, forked);
        var (original, copy) = (fork.Groups[1].Value, fork.Groups[2].Value);
        Assert.NotEqual(original, copy);
        Assert.Contains($"The original stays as it was: /resume {original}", forked, StringComparison.Ordinal);
        Assert.Contains($"exported session {copy} to {path}", exported, StringComparison.Ordinal);
        Assert.Contains("the second answer", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
        Assert.Contains($"session {copy}. Continue with", await chat.ScreenAsync(), StringComparison.Ordinal);
    }

    [TmuxFact]
    public async Task Plugins_Memory_Init_Skills_AndASkillTurn()
    {
        var skills = _ws.Combine("skills");
        Directory.CreateDirectory(Path.Combine(skills, "greeter"));
        File.WriteAllText(Path.Combine(skills, "greeter", "SKILL.md"), "---\nname: greeter\ndescription: Greets people politely.\n---\nBow before greeting anyone by name.\n");
        var broken = _ws.Combine("broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "plugin.yaml"), "id: broken\nversion: 0.1.0\ndescription: Its assembly is missing.\nsdk: \"^1.0\"\nentry: Missing.dll\n");
        var environment = _ws.Environment;
        environment["AGENT_SKILLS_DIR"] = skills;
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "Bow before greeting anyone by name." }
                text: Bowed to Ada.
            """);
        await using var chat = await TmuxSession.StartAsync(_ws.Root, environment, "--no-default-plugins", "-p", "scripted", "-p", broken, "-m", "scripted/" + script);
        await chat.WaitForAsync("/help for commands");
        var agentsFile = Path.Combine(_ws.Root, "AGENTS.md");

        await chat.LineAsync("/jobs");
        var noJobs = await chat.WaitForAllAsync("no shell plugin is loaded", "start the chat with -p shell");
        await chat.LineAsync("/plugins");
        var plugins = await chat.WaitForMatchAsync(@"  broken\s+0\.1\.0\s+refused: plugin 'broken': entry assembly 'Missing\.dll' not found");
        await chat.LineAsync("/memory");
        await chat.WaitForAsync("no memory files are in effect");
        await chat.LineAsync("/init");
        var init = await chat.WaitForAllAsync($"wrote {agentsFile}", "Review and edit it");
        await chat.LineAsync("/init");
        var refused = await chat.WaitForAllAsync("/init does not overwrite it", "/init --force replaces it");
        await chat.LineAsync("/memory Always run the tests before finishing.");
        await chat.WaitForAsync($"added a line to {agentsFile}");
        await chat.LineAsync("/memory");
        var memory = await chat.WaitForMatchAsync($@"  {System.Text.RegularExpressions.Regex.Escape(agentsFile)}  \(\d+ characters\)");
        await chat.LineAsync("/skills");
        var listed = await chat.WaitForMatchAsync(@"  greeter\s+user[^\n]*Greets people politely\.");
        await chat.LineAsync("/skill nosuch");
        var missing = await chat.WaitForAllAsync("no usable skill of that name", "Skills you can use: ");
        await chat.LineAsync("/skill greeter greet Ada");
        await chat.WaitForAsync("Bowed to Ada.");
        await chat.KeysAsync("C-d");

        Assert.Contains("start the chat with -p shell", noJobs, StringComparison.Ordinal);
        Assert.Matches(@"  scripted\s+\S+\s+1 provider", plugins);
        Assert.Matches(@"  broken\s+0\.1\.0\s+refused: plugin 'broken': entry assembly 'Missing\.dll' not found", plugins);
        Assert.Contains("Review and edit it", init, StringComparison.Ordinal);
        Assert.Contains("/init --force replaces it", refused, StringComparison.Ordinal);
        Assert.EndsWith("\nAlways run the tests before finishing.\n", File.ReadAllText(agentsFile), StringComparison.Ordinal);
        Assert.Contains("characters)", memory, StringComparison.Ordinal);
        Assert.Matches(@"  greeter\s+user", listed);
        Assert.Contains("Skills you can use: ", missing, StringComparison.Ordinal);
        Assert.Equal(0, await chat.WaitForExitAsync());
    }

    [GeneratedRegex(@"forked session (\w+) into (\w+); ")]
    private static partial Regex ForkLine();
}
