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
        File.WriteAllText(Path.Combine(ws.Root, ".env"), "colour=MARKER-PIPED-7\n");

        var result = await RunAsync(ws, "@.env summarise", source);
        var export = await ExportAsync(ws, result);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("@.env was not included", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("MARKER-PIPED-7", export, StringComparison.Ordinal);
        Assert.Contains("not included: reading .env is not allowed", export, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("piped")]
    [InlineData("argument")]
    public async Task Control_FileReference_IsExpanded_WithoutRules(string source)
    {
        using var ws = new RunWorkspace();
        File.WriteAllText(Path.Combine(ws.Root, ".env"), "colour=MARKER-PIPED-7\n");

        var result = await RunAsync(ws, "@.env summarise", source);
        var export = await ExportAsync(ws, result);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("MARKER-PIPED-7", export, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Speed", "Slow")]
    [InlineData("", "", "network")] // headless: dont-ask, and no allow rule for the network
    [InlineData("permissions:\n  allow:\n    - fetch\n", "", "network")] // an untrusted project cannot allow it
    [InlineData("", "permissions:\n  allow:\n    - fetch\n", "private")] // allowed, but the fetch tool's address guard refuses loopback
    [InlineData("permissions:\n  deny:\n    - fetch(domain:127.0.0.1)\n", "permissions:\n  allow:\n    - fetch\nplugins:\n  settings:\n    web:\n      allow_private_addresses: true\n", "denied by rule")]
    public async Task UrlReference_GoesThroughTheFetchTool_AndTheServerGetsNothing(string project, string global, string reason)
    {
        using var ws = new RunWorkspace();
        if (project.Length > 0)
        {
            ws.WriteProjectConfig(project);
        }

        WriteGlobalConfig(ws, global);
        using var server = Ports.StartHttpListener(out var baseUrl);
        var request = server.GetContextAsync();

        var result = await ws.RunAsync("run", $"@{baseUrl}secret summarise", "-p", "scripted", "-p", "web", "-m", "scripted/" + ws.WriteScript(Script));
        var export = await ExportAsync(ws, result);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.False(request.IsCompleted, "the server was contacted");
        Assert.Contains($"@{baseUrl}secret was not included", result.Error, StringComparison.Ordinal);
        Assert.Contains(reason, result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not fetched", export, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlReference_IsExtractedByTheFetchTool_WhenAllowed()
    {
        using var ws = new RunWorkspace();
        WriteGlobalConfig(ws, "permissions:\n  allow:\n    - fetch\nplugins:\n  settings:\n    web:\n      allow_private_addresses: true\n");
        using var server = Ports.StartHttpListener(out var baseUrl);
        var serve = Task.Run(async () =>
        {
            var context = await server.GetContextAsync();
            context.Response.ContentType = "text/html; charset=utf-8";
            var body = "<html><head><title>Docs</title><style>p{}</style></head><body><nav>menu</nav><article><h1>Docs</h1><p>Use &amp; enjoy the PAGE-TEXT-9.</p></article><script>x()</script></body></html>"u8.ToArray();
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        });

        var result = await ws.RunAsync("run", $"@{baseUrl}docs summarise", "-p", "scripted", "-p", "web", "-m", "scripted/" + ws.WriteScript(Script));
        await serve;
        var export = await ExportAsync(ws, result);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("PAGE-TEXT-9", export, StringComparison.Ordinal);
        Assert.Contains("# Docs", export, StringComparison.Ordinal); // the fetch tool's Markdown, not a second extractor's plain text
        Assert.DoesNotContain("x()", export, StringComparison.Ordinal);
    }

    private static void WriteGlobalConfig(RunWorkspace ws, string yaml)
    {
        if (yaml.Length > 0)
        {
            Directory.CreateDirectory(ws.Combine("home"));
            File.WriteAllText(ws.Combine("home", "config.yaml"), yaml);
        }
    }

    [Fact]
    public async Task UrlReference_IsNotExpanded_WithoutTheWebPlugin()
    {
        using var ws = new RunWorkspace();
        using var server = Ports.StartHttpListener(out var baseUrl);
        var request = server.GetContextAsync();

        // web is a default plugin (#19): this test's subject is a run without it.
        var result = await ws.RunAsync("run", $"@{baseUrl}x summarise", "--no-default-plugins", "-p", "scripted", "-m", "scripted/" + ws.WriteScript(Script));

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
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
        Assert.True(export.ExitCode == ExitCodes.Success, export.Error);
        return export.Output;
    }

    [GeneratedRegex(@"session (\S+) \(")]
    private static partial Regex SessionId();
}
