using System.Text.Json;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Lsp;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>
/// The bridge's <c>lsp_control</c>: start, stop and restart of a named server, on a real language server process (the
/// node fixture of tests/lsp-servers/fixtures). <c>agent lsp</c>, the API and the chat's <c>/lsp</c> all call it.
/// </summary>
public sealed class LspControlTests
{
    private static Dictionary<string, string> Fixture() => new()
    {
        ["servers.fixture.command"] = "node",
        ["servers.fixture.args.0"] = LspServers.Fixture("settling-server.mjs"),
        ["servers.fixture.extensions.0"] = ".fx",
        ["servers.ghost.command"] = "no-such-language-server",
        ["servers.ghost.extensions.0"] = ".gh",
        ["servers.ghost.install"] = "Install it with 'npm install -g ghost-ls'.",
        ["path"] = "/nonexistent-lsp-bin",
    };

    [RequiresProgramFact("node")]
    public async Task Restart_StartsANewProcess_AndDropsTheOldProcesssDiagnostics()
    {
        await using var lsp = await LspHarness.StartAsync(Fixture());
        lsp.Write("a.fx", "so bad\n");
        var before = await lsp.RunAsync("lsp_diagnostics", ("path", "a.fx"));
        var project = await lsp.RunAsync("lsp_diagnostics");
        var first = await lsp.WaitForAsync<LspServerStateChangedEvent>(e => e.Server == "fixture" && e.State == LspServerState.Running);

        var restart = Json(await lsp.RunAsync("lsp_control", ("action", "restart"), ("name", "fixture"), ("json", true)));
        var after = await lsp.RunAsync("lsp_diagnostics");

        Assert.Contains("error a.fx:1:4 'bad' is not allowed here.", before, StringComparison.Ordinal);
        Assert.Contains("a.fx", project, StringComparison.Ordinal);
        Assert.Equal("restarted", restart.GetProperty("outcome").GetString());
        var pid = Assert.Single(restart.GetProperty("pids").EnumerateArray()).GetInt32();
        Assert.NotEqual($"pid {pid}", first.Detail);
        Assert.Contains($"pid {first.Detail!["pid ".Length..]} → {pid}", restart.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("No problems reported in the files the language servers have analysed.", after);
        Assert.Equal("running", Status(await lsp.RunAsync("lsp_status", ("json", true)), "fixture").GetProperty("state").GetString());
    }

    [RequiresProgramFact("node")]
    public async Task Stop_HoldsUntilAStart_ToolsThatNeedTheServerSaySo()
    {
        await using var lsp = await LspHarness.StartAsync(Fixture());
        lsp.Write("a.fx", "so bad\n");
        await lsp.RunAsync("lsp_diagnostics", ("path", "a.fx"));

        var stop = Json(await lsp.RunAsync("lsp_control", ("action", "stop"), ("name", "fixture"), ("json", true)));
        var refused = await Assert.ThrowsAsync<ToolException>(() => lsp.RunAsync("lsp_diagnostics", ("path", "a.fx")));
        var edit = await lsp.RunAsync("write", ("path", "a.fx"), ("content", "still bad\n"));
        var status = Status(await lsp.RunAsync("lsp_status", ("json", true)), "fixture");
        var again = Json(await lsp.RunAsync("lsp_control", ("action", "stop"), ("name", "fixture"), ("json", true)));
        var start = Json(await lsp.RunAsync("lsp_control", ("action", "start"), ("name", "fixture"), ("json", true)));
        var running = Json(await lsp.RunAsync("lsp_control", ("action", "start"), ("name", "fixture"), ("json", true)));
        var diagnostics = await lsp.RunAsync("lsp_diagnostics", ("path", "a.fx"));

        Assert.Equal("stopped", stop.GetProperty("outcome").GetString());
        Assert.Contains("language server 'fixture' was stopped on request", refused.Message, StringComparison.Ordinal);
        Assert.Contains("agent lsp start fixture", refused.Message, StringComparison.Ordinal);
        Assert.Contains("LSP: language server 'fixture' was stopped on request", edit, StringComparison.Ordinal);
        Assert.Equal("still bad\n", File.ReadAllText(lsp.Temp.Combine("ws", "a.fx")));
        Assert.Equal("stopped", status.GetProperty("state").GetString());
        Assert.Equal("not running", again.GetProperty("outcome").GetString());
        Assert.Contains("is not running in this process; nothing was stopped", again.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("started", start.GetProperty("outcome").GetString());
        Assert.Equal("running", running.GetProperty("outcome").GetString());
        Assert.Equal(start.GetProperty("pids")[0].GetInt32(), running.GetProperty("pids")[0].GetInt32());
        Assert.Contains("error a.fx:1:7 'bad' is not allowed here.", diagnostics, StringComparison.Ordinal);
    }

    [RequiresProgramFact("node")]
    public async Task UnknownName_ListsTheServers_AMissingBinaryGivesTheInstallHint_ABadActionIsNamed()
    {
        await using var lsp = await LspHarness.StartAsync(Fixture());

        var unknown = Json(await lsp.RunAsync("lsp_control", ("action", "start"), ("name", "fixtur"), ("json", true)));
        var missing = Json(await lsp.RunAsync("lsp_control", ("action", "restart"), ("name", "ghost"), ("json", true)));
        var bad = await Assert.ThrowsAsync<ToolException>(() => lsp.RunAsync("lsp_control", ("action", "reboot"), ("name", "fixture")));
        var forModel = await Assert.ThrowsAsync<ToolException>(() => lsp.RunAsync("lsp_control", ("action", "start"), ("name", "ghost")));

        Assert.Equal("unknown", unknown.GetProperty("error").GetString());
        Assert.Equal("no language server named 'fixtur'; the servers are: fixture, ghost.", unknown.GetProperty("message").GetString());
        Assert.Equal("missing", missing.GetProperty("error").GetString());
        Assert.Contains("Install it with 'npm install -g ghost-ls'.", missing.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("action must be start, stop or restart, not 'reboot'", bad.Message, StringComparison.Ordinal);
        Assert.Contains("'no-such-language-server' was not found", forModel.Message, StringComparison.Ordinal);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static JsonElement Status(string json, string name) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == name).Clone();
}
