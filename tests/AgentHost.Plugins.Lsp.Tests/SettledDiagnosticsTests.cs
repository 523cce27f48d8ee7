using AgentHost.Tests.Lsp;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>
/// Diagnostics after an edit are the settled answer for the text the server was sent, never an earlier partial one:
/// a fixture server (tests/lsp-servers/fixtures/settling-server.mjs, a real node process speaking LSP) first publishes
/// an empty list — stale (an older document version) or unversioned (a quick pass) — and the real one after.
/// </summary>
public sealed class SettledDiagnosticsTests
{
    private static Dictionary<string, string> Fixture(params string[] args)
    {
        var settings = new Dictionary<string, string>
        {
            ["servers.fixture.command"] = "node",
            ["servers.fixture.args.0"] = LspServers.Fixture("settling-server.mjs"),
            ["servers.fixture.extensions.0"] = ".fx",
            ["path"] = "/nonexistent-lsp-bin",
        };
        for (var i = 0; i < args.Length; i++)
        {
            settings[$"servers.fixture.args.{i + 1}"] = args[i];
        }

        return settings;
    }

    [RequiresProgramFact("node")]
    public async Task Write_WhenTheServerFirstPublishesAStaleEmptyList_ReportsTheErrorOfTheVersionSent()
    {
        await using var lsp = await LspHarness.StartAsync(Fixture("--stale-first"));

        var result = await lsp.RunAsync("write", ("path", "a.fx"), ("content", "fine\nso bad\n"));

        Assert.Contains("LSP (fixture): 1 error, 0 warnings in a.fx", result, StringComparison.Ordinal);
        Assert.Contains("error a.fx:2:4 'bad' is not allowed here. [fixture F001]", result, StringComparison.Ordinal);
    }

    [RequiresProgramFact("node")]
    public async Task Diagnostics_AfterTheFileChanged_WaitForTheChangedVersion_NotThePreviousAnalysis()
    {
        await using var lsp = await LspHarness.StartAsync(Fixture("--stale-first"));
        lsp.Write("a.fx", "bad start\n");
        var first = await lsp.RunAsync("lsp_diagnostics", ("path", "a.fx"));

        File.WriteAllText(lsp.Temp.Combine("ws", "a.fx"), "fine\nfine\nstill bad\n");
        var second = await lsp.RunAsync("lsp_diagnostics", ("path", "a.fx"));

        Assert.Contains("error a.fx:1:1 'bad'", first, StringComparison.Ordinal);
        Assert.Contains("error a.fx:3:7 'bad'", second, StringComparison.Ordinal);
        Assert.DoesNotContain("a.fx:1:1", second, StringComparison.Ordinal);
    }

    [RequiresProgramFact("node")]
    public async Task Write_OnAServerWithPullDiagnostics_ReportsThePulledErrors_NotTheEmptyPush()
    {
        await using var lsp = await LspHarness.StartAsync(Fixture("--pull"));

        var result = await lsp.RunAsync("write", ("path", "a.fx"), ("content", "so bad\n"));
        File.WriteAllText(lsp.Temp.Combine("ws", "a.fx"), "fine now\n");
        var fixedFile = await lsp.RunAsync("lsp_diagnostics", ("path", "a.fx"));

        Assert.Contains("error a.fx:1:4 'bad' is not allowed here.", result, StringComparison.Ordinal);
        Assert.Contains("LSP (fixture): no problems in a.fx", fixedFile, StringComparison.Ordinal);
    }

    [RequiresProgramFact("node")]
    public async Task Write_OnAColdServer_WaitsForItsFirstAnalysis_UpToTheColdStartLimit_NotTheEditLimit()
    {
        // The first analysis takes 1.5 s (a project load); an edit waits 0.2 s, a cold server up to a minute.
        var settings = Fixture("--cold-ms", "1500");
        settings["diagnostics_timeout_ms"] = "200";
        settings["cold_start_timeout_ms"] = "60000";
        await using var lsp = await LspHarness.StartAsync(settings);

        var result = await lsp.RunAsync("write", ("path", "a.fx"), ("content", "so bad\n"));

        Assert.Contains("error a.fx:1:4 'bad' is not allowed here.", result, StringComparison.Ordinal);
    }
}
