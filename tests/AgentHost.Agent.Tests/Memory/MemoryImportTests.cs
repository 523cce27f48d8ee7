using AgentHost.Agent.Memory;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Memory;

/// <summary><c>@path</c> imports in memory files (Claude Code's CLAUDE.md imports), over real temp folders.</summary>
public sealed class MemoryImportTests
{
    [Fact]
    public void ClaudeMd_ImportingAgentsMdAndADoc_AddsTheDocAfterIt_AndAgentsMdOnlyOnce()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", "shared rules");
        temp.WriteFile("ws/CLAUDE.md", "Read @AGENTS.md first.\nTesting: @docs/testing.md.\n\n```\n@docs/example.md is how imports look\n```\nInline `@docs/example.md` is not one either.");
        temp.WriteFile("ws/docs/testing.md", "run dotnet test; also @../scripts/ci.md");
        temp.WriteFile("ws/scripts/ci.md", "CI runs bash .ci/run");
        temp.WriteFile("ws/docs/example.md", "never imported");

        var memory = new ProjectMemoryLoader().Load(temp.Combine("ws"), temp.Combine("ws"));

        Assert.Equal(["AGENTS.md", "CLAUDE.md", "docs/testing.md", "scripts/ci.md"], memory.Files.Select(f => f.DisplayPath));
        Assert.Equal([null, null, "CLAUDE.md", "docs/testing.md"], memory.Files.Select(f => f.ImportedFrom));
        var text = memory.ToPromptText()!;
        Assert.Contains("<file path=\"docs/testing.md\" imported_from=\"CLAUDE.md\">\nrun dotnet test", text, StringComparison.Ordinal);
        Assert.DoesNotContain("never imported", text, StringComparison.Ordinal);
        Assert.Empty(memory.Warnings);
    }

    [Fact]
    public void AnImportOutsideTheRoot_IsRefusedForAnUntrustedProject_AndFollowedForATrustedOne()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("home/.ssh/notes.md", "secret-ish personal notes");
        temp.WriteFile("ws/CLAUDE.md", "Personal: @~/.ssh/notes.md and @../home/.ssh/notes.md");

        var untrusted = new ProjectMemoryLoader(new ProjectMemoryOptions { HomeDirectory = temp.Combine("home") }).Load(temp.Combine("ws"), temp.Combine("ws"));
        var trusted = new ProjectMemoryLoader(new ProjectMemoryOptions { HomeDirectory = temp.Combine("home"), ImportsOutsideRoot = () => true }).Load(temp.Combine("ws"), temp.Combine("ws"));

        Assert.Equal(["CLAUDE.md"], untrusted.Files.Select(f => f.DisplayPath));
        Assert.Equal(2, untrusted.Warnings.Count);
        Assert.All(untrusted.Warnings, w => Assert.Contains("memory file CLAUDE.md imports @", w, StringComparison.Ordinal));
        Assert.All(untrusted.Warnings, w => Assert.Contains("outside the project root; not imported", w, StringComparison.Ordinal));
        Assert.Equal(["CLAUDE.md", temp.Combine("home", ".ssh", "notes.md")], trusted.Files.Select(f => f.DisplayPath));
    }

    [Fact]
    public void TheGlobalFile_MayImportFromHome()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("config/AGENTS.md", "Mine: @~/agent-notes.md");
        temp.WriteFile("home/agent-notes.md", "prefer small commits");
        temp.WriteFile("ws/AGENTS.md", "project rules");
        var loader = new ProjectMemoryLoader(new ProjectMemoryOptions { GlobalDirectory = temp.Combine("config"), HomeDirectory = temp.Combine("home") });

        var memory = loader.Load(temp.Combine("ws"), temp.Combine("ws"));

        Assert.Equal([temp.Combine("config", "AGENTS.md"), temp.Combine("home", "agent-notes.md"), "AGENTS.md"], memory.Files.Select(f => f.DisplayPath));
    }

    [Fact]
    public void ChainsStopAfterFiveImports_CyclesEndOnTheirOwn_AndAMissingImportIsNamed()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", "start @d1.md and @missing/guide.md, mail me @someone");
        for (var i = 1; i <= 6; i++)
        {
            temp.WriteFile($"ws/d{i}.md", $"level {i} @d{i + 1}.md");
        }

        temp.WriteFile("ws/d7.md", "level 7 @AGENTS.md");

        var memory = new ProjectMemoryLoader().Load(temp.Combine("ws"), temp.Combine("ws"));

        Assert.Equal(["AGENTS.md", "d1.md", "d2.md", "d3.md", "d4.md", "d5.md"], memory.Files.Select(f => f.DisplayPath));
        Assert.Contains(memory.Warnings, w => w.Contains("memory file d5.md imports @d6.md more than 5 imports deep", StringComparison.Ordinal));
        Assert.Contains(memory.Warnings, w => w.Contains("memory file AGENTS.md imports @missing/guide.md, which does not exist", StringComparison.Ordinal));
        Assert.Equal(2, memory.Warnings.Count);
    }
}
