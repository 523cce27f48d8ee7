using AgentHost.Tests.GitTools;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Permissions;

/// <summary>Issue #19, item 9, through the real <c>agent run</c>: in accept-edits, staging and committing are decided alike.</summary>
public sealed class StagingRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    [Fact]
    public async Task InAcceptEdits_StagingAndCommitting_BothAsk_SoHeadlessDenies_AndSeveralPathsReadAsOneLine()
    {
        Assert.Equal(0, GitPluginFixture.RunGit(_ws.Root, "init", "-q").Code);
        File.WriteAllText(Path.Combine(_ws.Root, "a.txt"), "a\n");
        File.WriteAllText(Path.Combine(_ws.Root, "b.txt"), "b\n");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: git_add, arguments: { paths: [a.txt, b.txt] } }]
              - expect: { tool_results_contain: ["permission denied", "staging asks, as a commit does"] }
                tool_calls: [{ name: git_commit, arguments: { message: "Add a and b" } }]
              - expect: { tool_results_contain: ["permission denied"] }
                text: Nothing staged or committed.
            """);

        var json = await _ws.RunAsync("run", "commit a and b", "-p", "scripted", "-p", "git", "-m", "scripted/" + script, "--permission-mode", "accept-edits", "-o", "json");
        var text = await _ws.RunAsync("run", "commit a and b", "-p", "scripted", "-p", "git", "-m", "scripted/" + script, "--permission-mode", "accept-edits");

        var events = RunWorkspace.Events(json.Output);
        var decisions = events.Where(e => e.GetProperty("type").GetString() == "permission.decided" && e.GetProperty("tool").GetString()!.StartsWith("git_", StringComparison.Ordinal)).ToList();
        Assert.True(decisions.Count == 2, json.Error + json.Output);
        Assert.Equal(["git_add deny", "git_commit deny"], decisions.Select(d => $"{d.GetProperty("tool").GetString()} {d.GetProperty("decision").GetString()}"));
        Assert.Equal("a.txt, b.txt", decisions[0].GetProperty("subject").GetString());
        Assert.Equal(string.Empty, GitPluginFixture.RunGit(_ws.Root, "diff", "--cached", "--name-only").Output);

        var line = Assert.Single(text.Error.Split('\n'), l => l.Contains("permission: deny stage", StringComparison.Ordinal));
        Assert.StartsWith("  permission: deny stage a.txt, b.txt (", line, StringComparison.Ordinal);

        var session = events.First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString()!;
        var audit = await _ws.RunAsync("session", "audit", session);
        Assert.Contains("a.txt, b.txt", audit.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _ws.Dispose();
}
