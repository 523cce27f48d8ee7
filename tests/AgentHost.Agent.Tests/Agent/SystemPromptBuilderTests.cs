using System.Diagnostics;
using AgentHost.Agent.Engine;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests;

public sealed class SystemPromptBuilderTests
{
    private static readonly SystemPromptBuilder Builder = new(new FixedTime(new DateTimeOffset(2030, 1, 2, 10, 0, 0, TimeSpan.Zero)), new GitStatusReader());

    [Fact]
    public async Task Prompt_ShowsGitBranchAndShortStatus_InsideARepository()
    {
        using var repo = new TempDirectory();
        await GitAsync(repo.Path, "init", "-q", "-b", "feature/parser");
        repo.WriteFile("tracked.txt", "one\n");
        await GitAsync(repo.Path, "add", "tracked.txt");
        await GitAsync(repo.Path, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "first");
        repo.WriteFile("tracked.txt", "two\n");
        repo.WriteFile("new file.txt", "new\n");

        var prompt = await Builder.BuildAsync(new SystemPromptInput(repo.Path));

        Assert.Contains("Git branch: feature/parser\n", prompt, StringComparison.Ordinal);
        Assert.Contains("Git status: 2 changed or untracked path(s):\n M tracked.txt\n?? new file.txt\n", prompt, StringComparison.Ordinal);
        Assert.Contains($"Working directory: {repo.Path}\n", prompt, StringComparison.Ordinal);
        Assert.Contains("Date: 2030-01-02 (Wednesday)", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompt_SaysClean_ForACleanRepository()
    {
        using var repo = new TempDirectory();
        await GitAsync(repo.Path, "init", "-q", "-b", "main");
        repo.WriteFile("a.txt", "a\n");
        await GitAsync(repo.Path, "add", "a.txt");
        await GitAsync(repo.Path, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "first");

        var prompt = await Builder.BuildAsync(new SystemPromptInput(repo.Path));

        Assert.Contains("Git branch: main\nGit status: clean\n", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompt_HasNoGitLines_OutsideARepository()
    {
        using var folder = new TempDirectory();

        var prompt = await Builder.BuildAsync(new SystemPromptInput(folder.Path));

        Assert.DoesNotContain("Git", prompt, StringComparison.Ordinal);
        Assert.Contains("<environment>", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompt_HasNoGitLines_WhenGitIsMissing()
    {
        using var repo = new TempDirectory();
        await GitAsync(repo.Path, "init", "-q");
        var builder = new SystemPromptBuilder(TimeProvider.System, new GitStatusReader(Path.Combine(repo.Path, "no-such-git")));

        var prompt = await builder.BuildAsync(new SystemPromptInput(repo.Path));

        Assert.DoesNotContain("Git", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompt_ListsTheDeferredToolsSorted_AndIncludesOptionalSections()
    {
        using var folder = new TempDirectory();
        DeferredTool[] tools =
        [
            new("write_file", "Writes a file.", AIFunctionFactory.Create(() => 1, "write_file", "Writes a file.\nMore detail.")),
            new("grep", "Searches file contents.", AIFunctionFactory.Create(() => 1, "grep", "Searches file contents.")),
        ];

        var prompt = await Builder.BuildAsync(new SystemPromptInput(folder.Path)
        {
            DeferredTools = tools,
            ProjectMemory = "Use tabs.",
            SkillsCatalog = "- pdf: work with PDFs",
        });

        Assert.StartsWith(SystemPromptBuilder.BaseInstructions, prompt, StringComparison.Ordinal);
        Assert.Contains(
            $"<deferred_tools>\n{SystemPromptBuilder.DeferredToolsPreface}\n- grep: Searches file contents.\n- write_file: Writes a file.\n</deferred_tools>", prompt, StringComparison.Ordinal);
        Assert.Contains("Use tabs.\n</project_memory>", prompt, StringComparison.Ordinal);
        Assert.Contains("- pdf: work with PDFs\n</skills>", prompt, StringComparison.Ordinal);
        Assert.Equal(prompt, await Builder.BuildAsync(new SystemPromptInput(folder.Path) { DeferredTools = [.. tools.Reverse()], ProjectMemory = "Use tabs.", SkillsCatalog = "- pdf: work with PDFs" }));
        Assert.DoesNotContain("deferred_tools", await Builder.BuildAsync(new SystemPromptInput(folder.Path)), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReadsPorcelainV2_WithRenamesConflictsAndDetachedHead()
    {
        var output = string.Join('\0',
            "# branch.oid 0123456789abcdef",
            "# branch.head (detached)",
            "# branch.upstream origin/main",
            "# branch.ab +2 -1",
            "1 .M N... 100644 100644 100644 aaa bbb src/a b.cs",
            "2 R. N... 100644 100644 100644 aaa bbb R100 new.cs",
            "old.cs",
            "u UU N... 100644 100644 100644 100644 aaa bbb ccc conflict.cs",
            "? untracked.txt",
            string.Empty);

        var status = GitStatusReader.Parse(output, maxChanges: 3);

        Assert.Equal("detached at 0123456", status.Branch);
        Assert.Equal(("origin/main", 2, 1), (status.Upstream, status.Ahead, status.Behind));
        Assert.Equal([" M src/a b.cs", "R  old.cs -> new.cs", "UU conflict.cs"], status.Changes);
        Assert.Equal(4, status.TotalChanges);
    }

    private static async Task GitAsync(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)} failed: {await error}");
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
