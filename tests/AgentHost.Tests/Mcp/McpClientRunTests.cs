using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// The MCP client end to end: real servers from npm started by a real <c>agent run</c>, their tools called by the
/// scripted model through the tool pipeline and the permission gate.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpClientRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    /// <summary>These runs check what the servers' tools do, not deferral (docs/agent-loop.md): they are offered up front.</summary>
    private const string OfferMcpToolsUpFront = "plugins.deferred_tools.mcp=none";

    public void Dispose() => _ws.Dispose();

    [McpFact]
    public async Task ATrustedProjectsMcpJson_ServerToolsAreCalled_ReadOnlyOnesWithoutAsking()
    {
        Assert.Equal(0, (await _ws.RunAsync("trust", _ws.Root)).ExitCode);
        await CallsTheEverythingServersToolsAsync();
    }

    [McpFact]
    public async Task AProjectTrustedByTheUsersTrustedProjectsSetting_StartsItsMcpJsonServers_AsAfterAgentTrust()
    {
        _ws.WriteUserConfig($"permissions:\n  trusted_projects: ['{_ws.Root}']\n");
        await CallsTheEverythingServersToolsAsync();
    }

    /// <summary>A run in the project whose <c>.mcp.json</c> names the everything server: the model calls two of its tools.</summary>
    private async Task CallsTheEverythingServersToolsAsync()
    {
        WriteMcpJson("everything", McpTestServers.Everything, "stdio");
        var script = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [mcp__everything__echo, mcp__everything__get-sum] }
                tool_calls:
                  - { name: mcp__everything__echo, arguments: { message: hello from the model } }
                  - { name: mcp__everything__get-sum, arguments: { a: 2, b: 40 } }
              - expect: { tool_results_contain: ["Echo: hello from the model", "42"] }
                text: both answered
            """);

        var result = await _ws.RunAsync("run", "use the server", "-p", "scripted", "--no-default-plugins", "-c", OfferMcpToolsUpFront, "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("both answered", result.Output, StringComparison.Ordinal);
        Assert.Contains("✓ mcp__everything__echo", result.Error, StringComparison.Ordinal);
        Assert.Contains("✓ mcp__everything__get-sum", result.Error, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task Resources_AreListedAndRead_ThroughTheKernelsResourceTools()
    {
        WriteMcpJson("everything", McpTestServers.Everything, "stdio");
        Assert.Equal(0, (await _ws.RunAsync("trust", _ws.Root)).ExitCode);
        var script = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [list_mcp_resources, read_mcp_resource] }
                tool_calls: [{ name: list_mcp_resources, arguments: {} }]
              - expect: { tool_results_contain: ["everything	demo://resource/static/document/architecture.md	architecture.md (text/markdown)"] }
                tool_calls: [{ name: read_mcp_resource, arguments: { server: everything, uri: "demo://resource/static/document/architecture.md" } }]
              - expect: { tool_results_contain: ["# Everything Server – Architecture"] }
                tool_calls: [{ name: read_mcp_resource, arguments: { server: nowhere, uri: "demo://x" } }]
              - expect: { tool_results_contain: ["no MCP server 'nowhere' with resources; use one of everything"] }
                text: read it
            """);

        var result = await _ws.RunAsync("run", "read the docs", "-p", "scripted", "--no-default-plugins", "-c", OfferMcpToolsUpFront, "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("read it", result.Output, StringComparison.Ordinal);
        Assert.Contains("✓ read_mcp_resource", result.Error, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task AnUntrustedProjectsMcpJson_IsNotStarted_AndTheRunSaysHowToTrustIt()
    {
        WriteMcpJson("everything", McpTestServers.Everything, "stdio");
        var script = _ws.WriteScript("turns:\n  - text: no servers here\n");

        var result = await _ws.RunAsync("run", "hello", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var events = RunWorkspace.Events(result.Output);
        var warning = events.Single(e => e.GetProperty("type").GetString() == "warning" && e.GetProperty("source").GetString() == "mcp");
        Assert.Contains("not started, because the project is not trusted", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("agent trust", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "tool.started");
    }

    [McpFact]
    public async Task ACrashingAndAHangingServer_AreReported_AndTheRunGoesOnWithTheOthers()
    {
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                crashing: { command: node, args: ["-e", "console.error('cannot open the database'); process.exit(3)"] }
                hanging: { command: node, args: ["-e", "setInterval(() => {}, 1000)"], start_timeout: 3 }
                everything: { command: {{JsonSerializer.Serialize(McpTestServers.Everything)}}, args: [stdio] }
            """);
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: mcp__everything__echo, arguments: { message: still here } }]
              - expect: { tool_results_contain: ["Echo: still here"] }
                text: done
            """);

        var result = await _ws.RunAsync("run", "go", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("MCP server 'crashing'", result.Error, StringComparison.Ordinal);
        Assert.Contains("cannot open the database", result.Error, StringComparison.Ordinal);
        Assert.Contains("MCP server 'hanging'", result.Error, StringComparison.Ordinal);
        Assert.Contains("did not answer within 3 s", result.Error, StringComparison.Ordinal);
        Assert.Contains("done", result.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task AToolThatChangesState_IsDeniedHeadless_UnlessAnMcpRuleAllowsIt()
    {
        WriteMcpJson("everything", McpTestServers.Everything, "stdio");
        Assert.Equal(0, (await _ws.RunAsync("trust", _ws.Root)).ExitCode);
        const string Script = """
            turns:
              - tool_calls: [{ name: mcp__everything__toggle-simulated-logging, arguments: {} }]
              - text: finished
            """;

        var denied = await _ws.RunAsync("run", "toggle", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + _ws.WriteScript(Script));
        var allowed = await _ws.RunAsync("run", "toggle", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + _ws.WriteScript(Script), "--allow", "mcp__everything__*");

        Assert.Equal(ExitCodes.Denied, denied.ExitCode);
        Assert.Contains("--allow 'mcp__everything__toggle-simulated-logging'", denied.Error, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == ExitCodes.Success, allowed.Error);
        Assert.Contains("✓ mcp__everything__toggle-simulated-logging", allowed.Error, StringComparison.Ordinal);
    }

    [McpTheory]
    [InlineData("streamableHttp")]
    [InlineData("sse")]
    public async Task AnHttpServer_FromTheConfig_WithHeaders_IsCalledOverItsTransport(string mode)
    {
        await using var server = await EverythingHttpServer.StartAsync(mode);
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                remote: { url: "{{server.Url}}", headers: { X-Test: "from the config" } }
            """);
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: mcp__remote__echo, arguments: { message: over http } }]
              - expect: { tool_results_contain: ["Echo: over http"] }
                text: remote answered
            """);

        var result = await _ws.RunAsync("run", "go", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("remote answered", result.Output, StringComparison.Ordinal);
        Assert.Contains("✓ mcp__remote__echo", result.Error, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task TheFilesystemServer_ReadsWithoutAsking_WritesOnlyWhenAllowed_AndItsRefusalsReachTheModel()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "notes.txt"), "first line of the notes");
        var outside = _ws.Combine("outside.txt");
        File.WriteAllText(outside, "secret outside the root");
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                fs: { command: {{JsonSerializer.Serialize(McpTestServers.Filesystem)}}, args: [{{JsonSerializer.Serialize(_ws.Root)}}] }
            """);
        var script = $$"""
            turns:
              - expect: { tools_include: [mcp__fs__read_text_file, mcp__fs__write_file, mcp__fs__list_directory] }
                tool_calls:
                  - { name: mcp__fs__read_text_file, arguments: { path: {{JsonSerializer.Serialize(Path.Combine(_ws.Root, "notes.txt"))}} } }
                  - { name: mcp__fs__read_text_file, arguments: { path: {{JsonSerializer.Serialize(outside)}} } }
              - expect: { tool_results_contain: ["first line of the notes", "Access denied"] }
                tool_calls:
                  - { name: mcp__fs__write_file, arguments: { path: {{JsonSerializer.Serialize(Path.Combine(_ws.Root, "written.txt"))}}, content: written by the server } }
              - text: finished
            """;

        var denied = await _ws.RunAsync("run", "files", "-p", "scripted", "--no-default-plugins", "-c", OfferMcpToolsUpFront, "-m", "scripted/" + _ws.WriteScript(script));
        var deniedWrote = File.Exists(Path.Combine(_ws.Root, "written.txt"));
        var allowed = await _ws.RunAsync("run", "files", "-p", "scripted", "--no-default-plugins", "-c", OfferMcpToolsUpFront, "-m", "scripted/" + _ws.WriteScript(script), "--allow", "mcp__fs__write_file");

        Assert.True(denied.ExitCode == ExitCodes.Denied, denied.Error); // the reads went through, the write was refused: the run reports it (#47)
        Assert.Contains("1 of 3 tool calls was denied (refused: ", denied.Error, StringComparison.Ordinal);
        Assert.Contains("✓ mcp__fs__read_text_file", denied.Error, StringComparison.Ordinal);
        Assert.Contains("permission: deny mcp__fs__write_file", denied.Error, StringComparison.Ordinal);
        Assert.Contains("--allow 'mcp__fs__write_file'", denied.Error, StringComparison.Ordinal);
        Assert.False(deniedWrote);
        Assert.DoesNotContain("secret outside the root", denied.Output + denied.Error, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == ExitCodes.Success, allowed.Error);
        Assert.Equal("written by the server", File.ReadAllText(Path.Combine(_ws.Root, "written.txt")));
    }

    [McpLinuxFact]
    public async Task TheServersProcesses_EndWithTheRun_AHangingOneToo()
    {
        var everythingPid = _ws.Combine("everything.pid");
        var hangingPid = _ws.Combine("hanging.pid");

        // '$$$$': the configuration expands $VAR and turns $$ into $, so the shell gets $$ (its own pid, kept by exec).
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                everything: { command: sh, args: ["-c", {{JsonSerializer.Serialize($"echo $$$$ > '{everythingPid}'; exec '{McpTestServers.Everything}' stdio")}}] }
                hanging: { command: sh, args: ["-c", {{JsonSerializer.Serialize($"echo $$$$ > '{hangingPid}'; exec node -e 'setInterval(() => {{}}, 1000)'")}}], start_timeout: 3 }
            """);
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: mcp__everything__echo, arguments: { message: alive } }]
              - expect: { tool_results_contain: ["Echo: alive"] }
                text: done
            """);

        var result = await _ws.RunAsync("run", "go", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        foreach (var file in new[] { everythingPid, hangingPid })
        {
            var pid = int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(await Processes.ProcessWatch.EndsWithinAsync(pid, TimeSpan.FromSeconds(10)), $"the server process {pid} ({Path.GetFileName(file)}) outlived the run");
        }
    }

    private void WriteMcpJson(string name, string command, params string[] args) =>
        File.WriteAllText(Path.Combine(_ws.Root, ".mcp.json"), JsonSerializer.Serialize(new { mcpServers = new Dictionary<string, object> { [name] = new { command, args } } }));
}

/// <summary>A fact that needs the npm-installed MCP servers and Linux (it watches processes with pidfd).</summary>
public sealed class McpLinuxFactAttribute : FactAttribute
{
    public McpLinuxFactAttribute()
        : this("watches server processes with Linux pidfd")
    {
    }

    public McpLinuxFactAttribute(string why)
    {
        Skip = !OperatingSystem.IsLinux() ? why : McpTestServers.SkipReason;
    }
}
