namespace AgentHost.Tests.Runs;

/// <summary>
/// Session policies through the CLI (docs/permissions.md "Session policies"): set with <c>agent session settings set</c>,
/// in force for <c>agent run --session</c> in every mode, and refused when a change would widen them.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class SessionPolicyRunTests
{
    [Fact]
    public async Task SettingsSet_ThenRun_DeniedGlobIsRefusedInYolo_ReadIsCut_AndWideningIsRefused()
    {
        using var ws = new RunWorkspace();
        Directory.CreateDirectory(Path.Combine(ws.Root, "secrets"));
        File.WriteAllText(Path.Combine(ws.Root, "secrets", "token.txt"), "TOKEN-VALUE");
        File.WriteAllText(Path.Combine(ws.Root, "big.txt"), string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i:D3} of the big file\n")));
        var script = ws.WriteScript("""
            turns:
              - text: Hello.
              - tool_calls: [{ name: view, arguments: { path: secrets/token.txt } }, { name: view, arguments: { path: big.txt } }]
              - text: Done.
            """);
        var first = await ws.RunAsync("run", "hi", "--no-default-plugins", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "-o", "json");
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        var id = RunWorkspace.Events(first.Output).First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString()!;

        var deny = await ws.RunAsync("session", "settings", "set", id, "deny_paths", "secrets/**");
        var cap = await ws.RunAsync("session", "settings", "set", id, "max_read_bytes", "300");
        var wider = await ws.RunAsync("session", "settings", "set", id, "max_read_bytes", "5000");
        var dropped = await ws.RunAsync("session", "settings", "set", id, "deny_paths", "other/**");
        var badGlob = await ws.RunAsync("session", "settings", "set", id, "allow_paths", "src/(x)");
        var run = await ws.RunAsync("run", "read them", "--session", id, "--permission-mode", "yolo", "-o", "json");
        var history = await ws.RunAsync("session", "history", id, "--json");

        Assert.True(deny.ExitCode == ExitCodes.Success, deny.Error);
        Assert.True(cap.ExitCode == ExitCodes.Success, cap.Error);
        Assert.Equal(ExitCodes.Usage, wider.ExitCode);
        Assert.Contains("max_read_bytes: raising it above 300 would widen the session's policy", wider.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, dropped.ExitCode);
        Assert.Contains("deny_paths: dropping secrets/** would widen", dropped.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badGlob.ExitCode);
        Assert.Contains("allow_paths: 'src/(x)' is not a path pattern", badGlob.Error, StringComparison.Ordinal);
        Assert.True(run.ExitCode == ExitCodes.Denied, $"exit {run.ExitCode}: {run.Error}"); // a denied call: exit 5
        var denied = RunWorkspace.Events(run.Output).Single(e => e.GetProperty("type").GetString() == "permission.decided" && e.GetProperty("decision").GetString() == "deny");
        Assert.Contains("deny_paths glob 'secrets/**'", denied.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("TOKEN-VALUE", history.Output, StringComparison.Ordinal);
        Assert.Contains("line 000", history.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("line 199", history.Output, StringComparison.Ordinal);
        Assert.Contains("max_read_bytes is 300", history.Output, StringComparison.Ordinal);
    }
}
