using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>#19 item 4: --session and --continue keep the session's model and plugins unless told otherwise.</summary>
[Trait("Speed", "Slow")]
public sealed class ResumeModelTests
{
    private static string SessionOf(CliResult run) =>
        System.Text.RegularExpressions.Regex.Match(run.Error, @"session (\w{26})").Groups[1].Value;

    private static List<string> LoadedPlugins(CliResult run) =>
        [.. RunWorkspace.Events(run.Output)
            .Where(e => e.GetProperty("type").GetString() == "plugin.loaded")
            .Select(e => e.GetProperty("pluginId").GetString()!)
            .Order(StringComparer.Ordinal)];

    [Fact]
    public async Task ReadmeFollowUp_WorksAsWritten_FromAnotherDirectory_AndContinueToo()
    {
        using var ws = new RunWorkspace();
        var elsewhere = Directory.CreateDirectory(ws.Combine("elsewhere")).FullName;

        // The README's quickstart, with the workspace as the current directory (a relative script path).
        var first = await ws.RunAsync("run", "Summarise this project", "--plugin", "scripted", "--plugin", "files", "--model", "scripted/script.yaml");
        var session = SessionOf(first);
        // Its follow-up, as written: no --model, no --plugin, and from another directory.
        var followUp = await AgentProcess.RunAsync(elsewhere, ws.Environment, "run", "--session", session, "And what next?");
        var again = await ws.RunAsync("run", "--continue", "Anything else?");

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.True(followUp.ExitCode == ExitCodes.Success, followUp.Error);
        Assert.Contains("(scripted follow-up) The session kept its model and tools", followUp.Output, StringComparison.Ordinal);
        Assert.True(again.ExitCode == ExitCodes.Success, again.Error);
        Assert.Contains("(scripted follow-up) That is all the script has", again.Output, StringComparison.Ordinal);
        var settings = await ws.RunAsync("session", "settings", "get", session);
        Assert.Contains("model = scripted/" + Path.Combine(ws.Root, "script.yaml"), settings.Output, StringComparison.Ordinal);
        Assert.Contains("plugins = scripted, files, shell, git, web", settings.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_WorksInTheSessionsWorkspace_LoadsTheSessionsPlugins_NotTheDefaults_AndPluginAdds()
    {
        using var ws = new RunWorkspace();
        var elsewhere = Directory.CreateDirectory(ws.Combine("elsewhere")).FullName;
        var script = ws.WriteScript($$"""
            turns:
              - text: one
              - expect: { system_contains: 'Workspace root: {{ws.Root}}' }
                text: two
              - text: three
            """);

        var first = await ws.RunAsync("run", "one", "--no-default-plugins", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "-o", "json");
        var session = RunWorkspace.Events(first.Output).First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString()!;
        // From another directory: the session's workspace, not the current directory's project, is the root.
        var resumed = await AgentProcess.RunAsync(elsewhere, ws.Environment, "run", "two", "--session", session, "-o", "json");
        var added = await ws.RunAsync("run", "three", "--continue", "-p", "git", "-o", "json");

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.Equal(["files", "scripted"], LoadedPlugins(first));
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Error);
        Assert.Equal(["files", "scripted"], LoadedPlugins(resumed));
        Assert.True(added.ExitCode == ExitCodes.Success, added.Error);
        Assert.Equal(["files", "git", "scripted"], LoadedPlugins(added));
        var settings = await ws.RunAsync("session", "settings", "get", session, "plugins");
        Assert.Contains("scripted, files, git", settings.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelOption_OverridesTheSessionsModel_AndIsRememberedForTheNextResume()
    {
        using var ws = new RunWorkspace();
        var a = ws.WriteScript("turns:\n  - text: from script A\n  - text: A again\n  - text: A a third time\n");
        var b = ws.WriteScript("turns:\n  - text: unused\n  - text: unused\n  - text: from script B\n  - text: B still\n");

        var first = await ws.RunAsync("run", "hello", "-p", "scripted", "-m", "scripted/" + a, "-o", "final");
        var same = await ws.RunAsync("run", "hello again", "--continue", "-o", "final");
        var other = await ws.RunAsync("run", "and now?", "--continue", "-m", "scripted/" + b, "-o", "final");
        var kept = await ws.RunAsync("run", "still?", "--continue", "-o", "final");

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.Equal("from script A", first.Output.Trim());
        Assert.True(same.ExitCode == ExitCodes.Success, same.Error);
        Assert.Equal("A again", same.Output.Trim());
        Assert.True(other.ExitCode == ExitCodes.Success, other.Error);
        Assert.Equal("from script B", other.Output.Trim());
        Assert.True(kept.ExitCode == ExitCodes.Success, kept.Error);
        Assert.Equal("B still", kept.Output.Trim());
    }
}
