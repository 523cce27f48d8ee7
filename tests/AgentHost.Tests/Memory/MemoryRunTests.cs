using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Memory;

/// <summary>End to end: `agent run` as a process puts project memory into the system prompt and nested memory into tool results.</summary>
public sealed partial class MemoryRunTests
{
    [Fact]
    public async Task Run_SystemPromptCarriesMemory_AndANestedFolderIsInjectedOncePerSession()
    {
        using var ws = new RunWorkspace();
        File.WriteAllText(Path.Combine(ws.Root, "AGENTS.md"), "Always answer in haiku.\r\n");
        Directory.CreateDirectory(ws.Combine("home"));
        File.WriteAllText(ws.Combine("home", "AGENTS.md"), "Global: be brief.");
        Directory.CreateDirectory(Path.Combine(ws.Root, "web"));
        File.WriteAllText(Path.Combine(ws.Root, "web", "AGENTS.md"), "web rules: use pnpm");
        File.WriteAllText(Path.Combine(ws.Root, "web", "page.ts"), "export const page = 1;\n");
        File.WriteAllText(Path.Combine(ws.Root, "web", "other.ts"), "export const other = 2;\n");
        var script = ws.WriteScript("""
            turns:
              - expect:
                  system_contains: "<file path=\"AGENTS.md\">\nAlways answer in haiku.\n</file>"
                tool_calls:
                  - name: view
                    arguments: { path: web/page.ts }
              - expect:
                  tool_results_contain: ["<project_memory path=\"web/AGENTS.md\">", "web rules: use pnpm", "export const page"]
                tool_calls:
                  - name: view
                    arguments: { path: web/other.ts }
              - expect:
                  system_contains: "Global: be brief."
                text: done
              - expect:
                  last_user_contains: again
                tool_calls:
                  - name: view
                    arguments: { path: web/page.ts }
              - expect:
                  tool_results_contain: ["export const page"]
                text: done again
            """);

        var first = await ws.RunAsync("run", "Look at the web page", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        var second = await ws.RunAsync("run", "Look again", "--continue", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        var sessionId = SessionId().Match(first.Error).Groups[1].Value;
        var export = await ws.RunAsync("session", "export", sessionId, "--format", "jsonl");
        Assert.True(export.ExitCode == ExitCodes.Success, export.Error);
        Assert.Contains("export const other", export.Output, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(export.Output, "web rules: use pnpm"));
    }

    [Fact]
    public async Task Run_WithMemoryDisabled_LeavesTheMemoryOut()
    {
        using var ws = new RunWorkspace();
        File.WriteAllText(Path.Combine(ws.Root, "AGENTS.md"), "Always answer in haiku.");
        var script = ws.WriteScript("""
            turns:
              - expect:
                  system_contains: "haiku"
                text: unexpected
            """);

        var result = await ws.RunAsync("run", "hello", "-p", "scripted", "-m", "scripted/" + script, "-c", "memory.enabled=false");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains("haiku", result.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"session (\w{26})")]
    private static partial Regex SessionId();
}
