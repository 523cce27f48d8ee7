using AgentHost.Sdk.Events;
using AgentHost.Tests.Lsp;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>The real yaml-language-server behind the bridge: diagnostics after edits, crash and restart.</summary>
public sealed class YamlServerTests
{
    private const string Schema = """
        { "type": "object", "properties": { "port": { "type": "integer" }, "name": { "type": "string" } }, "required": ["name"] }
        """;

    [LspFact]
    public async Task Edit_ThatBreaksTheSchema_AppendsTheSchemaErrorToTheResult()
    {
        await using var lsp = await LspHarness.StartAsync(null, "yaml");
        lsp.Write("schema.json", Schema);
        lsp.Write("app.yaml", "# yaml-language-server: $schema=./schema.json\nname: web\nport: 8080\n");

        var clean = await lsp.RunAsync("edit", ("path", "app.yaml"), ("old_string", "port: 8080"), ("new_string", "port: 8081"));
        var broken = await lsp.RunAsync("edit", ("path", "app.yaml"), ("old_string", "port: 8081"), ("new_string", "port: eighty"));

        Assert.Contains("LSP (yaml): no problems in app.yaml.", clean, StringComparison.Ordinal);
        Assert.StartsWith("Edited 'app.yaml'", broken, StringComparison.Ordinal);
        Assert.Matches(@"LSP \(yaml\): 1 error, 0 warnings in app.yaml\n  error app.yaml:3:7 Incorrect type\. Expected ""integer""", broken);
    }

    [LspFact]
    public async Task Diagnostics_Tool_ReportsTheFile_AndTheStateIsABusEvent()
    {
        await using var lsp = await LspHarness.StartAsync(null, "yaml");
        lsp.Write("schema.json", Schema);
        lsp.Write("bad.yaml", "# yaml-language-server: $schema=./schema.json\nport: 1\n");

        var result = await lsp.RunAsync("lsp_diagnostics", ("path", "bad.yaml"));
        Assert.Contains("Missing property \"name\"", result, StringComparison.Ordinal);
        await lsp.WaitForAsync<LspServerStateChangedEvent>(e => e is { Server: "yaml", State: LspServerState.Running });
        var counts = await lsp.WaitForAsync<LspDiagnosticsEvent>(e => e.Path.EndsWith("bad.yaml", StringComparison.Ordinal) && e.Errors > 0);
        Assert.Equal(1, counts.Errors);
    }

    [LspFact]
    public async Task ServerDefinedInSettings_RunsWithItsSettings_WithoutALanguagePlugin()
    {
        await using var lsp = await LspHarness.StartAsync(new Dictionary<string, string>
        {
            ["servers.my-yaml.command"] = "yaml-language-server",
            ["servers.my-yaml.args.0"] = "--stdio",
            ["servers.my-yaml.extensions.0"] = ".yml",
            ["servers.my-yaml.settings.yaml.validate"] = "true",
            ["servers.my-yaml.settings.yaml.schemaStore.enable"] = "false",
        });
        lsp.Write("schema.json", Schema);
        lsp.Write("svc.yml", "# yaml-language-server: $schema=./schema.json\nname: 5\n");

        var result = await lsp.RunAsync("lsp_diagnostics", ("path", "svc.yml"));

        Assert.Contains("LSP (my-yaml): 1 error, 0 warnings in svc.yml", result, StringComparison.Ordinal);
        Assert.Contains("Incorrect type. Expected \"string\"", result, StringComparison.Ordinal);
    }

    [LspFact]
    public async Task CrashedServer_IsRestarted_AndServesAgain()
    {
        await using var lsp = await LspHarness.StartAsync(null, "yaml");
        lsp.Write("schema.json", Schema);
        lsp.Write("app.yaml", "# yaml-language-server: $schema=./schema.json\nname: web\n");
        await lsp.RunAsync("lsp_diagnostics", ("path", "app.yaml"));
        var running = await lsp.WaitForAsync<LspServerStateChangedEvent>(e => e is { Server: "yaml", State: LspServerState.Running });

        using (var process = System.Diagnostics.Process.GetProcessById(int.Parse(running.Detail!["pid ".Length..], System.Globalization.CultureInfo.InvariantCulture)))
        {
            process.Kill(entireProcessTree: true);
        }

        var restarting = await lsp.WaitForAsync<LspServerStateChangedEvent>(e => e is { Server: "yaml", State: LspServerState.Restarting });
        var again = await lsp.WaitForAsync<LspServerStateChangedEvent>(e => e is { Server: "yaml", State: LspServerState.Running } && e.Detail != running.Detail);
        var broken = await lsp.RunAsync("edit", ("path", "app.yaml"), ("old_string", "name: web"), ("new_string", "name: [1]"));

        Assert.Contains("exited unexpectedly", restarting.Detail, StringComparison.Ordinal);
        Assert.Contains("restart 1 of 3", restarting.Detail, StringComparison.Ordinal);
        Assert.NotEqual(running.Detail, again.Detail);
        Assert.Contains("Incorrect type. Expected \"string\"", broken, StringComparison.Ordinal);
    }
}
