using System.Net;
using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Reads;

/// <summary>`agent run` as a process: @file and @url references in the prompt go through the read rules and the fetch tool.</summary>
public sealed partial class ContextReferenceRulesTests
{
    private const string Script = "turns:\n  - text: done\n";

    [Theory]
    [InlineData("deny:\n    - read(.env)", "piped")]
    [InlineData("deny:\n    - read(.env)", "argument")]
    [InlineData("ask:\n    - read(.env)", "piped")]
    [InlineData("deny:\n    - read(**/.env)", "argument")]
    public async Task FileReference_IsNotExpanded_WhenTheReadRulesRefuseIt(string rules, string source)
    {
        using var ws = new RunWorkspace();
        ws.WriteProjectConfig($"permissions:\n  {rules}\n");
        File.WriteAllText(Path.Combine(ws.Root, ".env"), "TOKEN=SECRET-PIPED-7\n");

        var result = await RunAsync(ws, "@.env summarise", source);
        var export = await ExportAsync(ws, result);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("@.env was not included", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-PIPED-7", export, StringComparison.Ordinal);
        Assert.Contains("not included: reading .env is not allowed", export, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("piped")]
    [InlineData("argument")]
    public async Task Control_FileReference_IsExpanded_WithoutRules(string source)
    {
        using var ws = new RunWorkspace();
        File.WriteAllText(Path.Combine(ws.Root, ".env"), "TOKEN=SECRET-PIPED-7\n");

        var result = await RunAsync(ws, "@.env summarise", source);
        var export = await ExportAsync(ws, result);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("SECRET-PIPED-7", export, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "network")] // headless: dont-ask, and no allow rule for the network
    [InlineData("permissions:\n  allow:\n    - fetch\n", "private")] // allowed, but the fetch tool's address guard refuses loopback
    [InlineData("permissions:\n  allow:\n    - fetch\n  deny:\n    - fetch(domain:127.0.0.1)\n", "denied by rule")]
    public async Task UrlReference_GoesThroughTheFetchTool_AndTheServerGetsNothing(string config, string reason)
    {
        using var ws = new RunWorkspace();
        if (config.Length > 0)
        {
            ws.WriteProjectConfig(config);
        }

        using var server = Ports.StartHttpListener(out var baseUrl);
        var request = server.GetContextAsync();

        var result = await ws.RunAsync("run", $"@{baseUrl}secret summarise", "-p", "scripted", "-p", "web", "-m", "scripted/" + ws.WriteScript(Script));
        var export = await ExportAsync(ws, result);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.False(request.IsCompleted, "the server was contacted");
        Assert.Contains($"@{baseUrl}secret was not included", result.Error, StringComparison.Ordinal);
        Assert.Contains(reason, result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not fetched", export, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlReference_IsNotExpanded_WithoutTheWebPlugin()
    {
        using var ws = new RunWorkspace();
        using var server = Ports.StartHttpListener(out var baseUrl);
        var request = server.GetContextAsync();

        var result = await ws.RunAsync("run", $"@{baseUrl}x summarise", "-p", "scripted", "-m", "scripted/" + ws.WriteScript(Script));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.False(request.IsCompleted, "the server was contacted");
        Assert.Contains("--plugin web", result.Error, StringComparison.Ordinal);
    }

    private static Task<CliResult> RunAsync(RunWorkspace ws, string prompt, string source)
    {
        var script = "scripted/" + ws.WriteScript(Script);
        return source == "piped"
            ? AgentProcess.RunWithInputAsync(ws.Root, ws.Environment, prompt + "\n", "run", "-p", "scripted", "-m", script)
            : ws.RunAsync("run", prompt, "-p", "scripted", "-m", script);
    }

    private static async Task<string> ExportAsync(RunWorkspace ws, CliResult run)
    {
        var session = SessionId().Match(run.Error).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(session), run.Error);
        var export = await ws.RunAsync("session", "export", session, "--format", "jsonl");
        Assert.True(export.ExitCode == 0, export.Error);
        return export.Output;
    }

    [GeneratedRegex(@"session (\S+) \(")]
    private static partial Regex SessionId();
}
