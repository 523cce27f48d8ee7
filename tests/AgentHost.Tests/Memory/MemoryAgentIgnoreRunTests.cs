using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Security;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Memory;

/// <summary>
/// End to end: a memory file (<c>AGENTS.md</c>, <c>CLAUDE.md</c>…) that the project's agent ignore files
/// (<c>.agentignore</c>, <c>.crushignore</c>) exclude, itself or by its folder, is not sent to the model on any way in —
/// the root's files, the folders down to the working directory, the list of nested folders, the nested files a tool
/// call injects. A file the run would load (the root's, the folders down to the working one) is named in a warning;
/// a nested one in a detail (<c>-v</c>); both name the ignore file, neutralised on the terminal.
/// </summary>
public sealed partial class MemoryAgentIgnoreRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    [UnixFact("control characters in file names, and symbolic links")]
    public async Task Run_NestedMemoryFilesTheIgnoreFilesExclude_AreNeitherListedNorInjected_AndVerboseDetailsNameThem()
    {
        Write(".agentignore", "secrets/\nEVIL*\n");
        Write("AGENTS.md", "ROOT-RULES apply.\n");
        Write("secrets/AGENTS.md", "SECRET-FOLDER-MEMORY\n");
        Write("secrets/deep/AGENTS.md", "SECRET-DEEP-MEMORY\n");
        Write("web/AGENTS.md", "WEB-MEMORY: use pnpm\n");
        Write("web/CLAUDE.md", "WEB-CLAUDE-SECRET\n");
        Write("web/.crushignore", "/CLAUDE.md\n");
        Write("web/page.ts", "export const page = 1;\n");
        Write(Path.Combine(HostileText.Text, "AGENTS.md"), "HOSTILE-FOLDER-MEMORY\n");
        Directory.CreateDirectory(Path.Combine(_ws.Root, "linked"));
        File.CreateSymbolicLink(Path.Combine(_ws.Root, "linked", "AGENTS.md"), Path.Combine("..", "secrets", "AGENTS.md"));
        var script = _ws.WriteScript("""
            turns:
              - expect:
                  system_contains: "- web/ (AGENTS.md)"
                  system_lacks: [SECRET-FOLDER-MEMORY, SECRET-DEEP-MEMORY, WEB-CLAUDE-SECRET, HOSTILE-FOLDER-MEMORY, PWNED, "secrets/ (AGENTS.md)", "secrets/deep/ (AGENTS.md)", "linked/ (AGENTS.md)"]
                tool_calls:
                  - name: view
                    arguments: { path: web/page.ts }
              - expect:
                  tool_results_contain: ["<project_memory path=\"web/AGENTS.md\">", "WEB-MEMORY: use pnpm", "export const page"]
                text: done
            """);

        // -v: the nested files left out are named (as details: the project asked for it, so no warning on every run).
        var run = await _ws.RunAsync("run", "Look at the web page", "-v", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("note: memory file secrets/AGENTS.md is excluded by the project's .agentignore", run.Error, StringComparison.Ordinal);
        Assert.Contains("note: memory file linked/AGENTS.md is excluded by the project's .agentignore", run.Error, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(run.Error, "memory file web/CLAUDE.md is excluded by the project's web/.crushignore")); // not again when web/ is injected
        Assert.DoesNotContain("secrets/deep/AGENTS.md", run.Error, StringComparison.Ordinal); // an excluded folder is not searched
        Assert.DoesNotContain("warning: memory file", run.Error, StringComparison.Ordinal);
        HostileText.AssertShownNotObeyed(run.Error, "memory file EVIL^[[2K^[]0;PWNED^G");

        // Without -v the same run says nothing of them.
        var quiet = await _ws.RunAsync("run", "Look at the web page", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);
        Assert.True(quiet.ExitCode == ExitCodes.Success, quiet.Error);
        Assert.DoesNotContain("memory file", quiet.Error, StringComparison.Ordinal);
        var export = await _ws.RunAsync("session", "export", SessionId().Match(run.Error).Groups[1].Value, "--format", "jsonl");
        Assert.True(export.ExitCode == ExitCodes.Success, export.Error);
        Assert.Contains("WEB-MEMORY: use pnpm", export.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("WEB-CLAUDE-SECRET", export.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-FOLDER-MEMORY", export.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RootAndWorkingFolderMemoryFilesTheIgnoreFilesExclude_AreNotLoaded_AndWarningsNameThem()
    {
        Write(".agentignore", "/AGENTS.md\nsecrets/\n");
        Write("AGENTS.md", "ROOT-AGENTS-EXCLUDED\n");
        Write("CLAUDE.md", "ROOT-CLAUDE-KEPT\n");
        Write("secrets/AGENTS.md", "SECRET-FOLDER-MEMORY\n");
        Write("secrets/work/AGENTS.md", "SECRET-WORK-MEMORY\n");
        var script = _ws.WriteScript("""
            turns:
              - expect:
                  system_contains: "ROOT-CLAUDE-KEPT"
                  system_lacks: [ROOT-AGENTS-EXCLUDED, SECRET-FOLDER-MEMORY, SECRET-WORK-MEMORY]
                text: ok
            """);

        var run = await AgentProcess.RunAsync(
            Path.Combine(_ws.Root, "secrets", "work"), _ws.Environment, "run", "hello", "--root", _ws.Root, "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("memory file AGENTS.md is excluded by the project's .agentignore", run.Error, StringComparison.Ordinal);
        Assert.Contains("memory file secrets/AGENTS.md is excluded by the project's .agentignore", run.Error, StringComparison.Ordinal);
        Assert.Contains("memory file secrets/work/AGENTS.md is excluded by the project's .agentignore", run.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _ws.Dispose();

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_ws.Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [GeneratedRegex(@"session (\w{26})")]
    private static partial Regex SessionId();
}
