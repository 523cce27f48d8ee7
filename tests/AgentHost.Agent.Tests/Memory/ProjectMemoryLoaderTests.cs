using System.Text;
using AgentHost.Agent.Memory;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Memory;

/// <summary>ProjectMemoryLoader over real temp folders: order, precedence, caps, encodings, boundaries.</summary>
public sealed class ProjectMemoryLoaderTests
{
    [Fact]
    public void Load_InjectsGlobal_ThenRoot_ThenEachFolderDownToTheWorkingDirectory()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("config/AGENTS.md", "global rules");
        temp.WriteFile("ws/AGENTS.md", "root rules");
        temp.WriteFile("ws/src/AGENTS.md", "src rules");
        temp.WriteFile("ws/src/app/AGENTS.md", "app rules");
        var loader = new ProjectMemoryLoader(new ProjectMemoryOptions { GlobalDirectory = temp.Combine("config") });

        var memory = loader.Load(temp.Combine("ws", "src", "app"), temp.Combine("ws"));

        Assert.Equal([temp.Combine("config", "AGENTS.md"), "AGENTS.md", "src/AGENTS.md", "src/app/AGENTS.md"], memory.Files.Select(f => f.DisplayPath));
        var text = memory.ToPromptText()!;
        Assert.Contains("<file path=\"src/app/AGENTS.md\">\napp rules\n</file>", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("global rules", StringComparison.Ordinal) < text.IndexOf("root rules", StringComparison.Ordinal));
        Assert.True(text.IndexOf("src rules", StringComparison.Ordinal) < text.IndexOf("app rules", StringComparison.Ordinal));
        Assert.Empty(memory.NestedFolders);
    }

    [Fact]
    public void Load_ReadsAgentsFirst_ThenClaudeAndCrush_SkippingIdenticalContent()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", "shared rules");
        temp.WriteFile("ws/CLAUDE.md", "shared rules\r\n");
        temp.WriteFile("ws/CRUSH.md", "crush-only rules");
        temp.WriteFile("ws/.github/copilot-instructions.md", "copilot rules");

        var memory = new ProjectMemoryLoader().Load(temp.Combine("ws"), temp.Combine("ws"));

        Assert.Equal(["AGENTS.md", "CRUSH.md", ".github/copilot-instructions.md"], memory.Files.Select(f => f.DisplayPath));
    }

    [Fact]
    public void Load_ReadsCopilotInstructionsAtTheRootOnly()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/sub/.github/copilot-instructions.md", "not the root");
        Directory.CreateDirectory(temp.Combine("ws", "sub"));

        var memory = new ProjectMemoryLoader().Load(temp.Combine("ws", "sub"), temp.Combine("ws"));

        Assert.Empty(memory.Files);
        Assert.Null(memory.ToPromptText());
    }

    [Fact]
    public void Load_CutsALongFile_WithANoteNamingIt()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", new string('a', 5000));
        var loader = new ProjectMemoryLoader(new ProjectMemoryOptions { MaxFileCharacters = 1000 });

        var memory = loader.Load(temp.Combine("ws"), temp.Combine("ws"));

        var file = Assert.Single(memory.Files);
        Assert.True(file.Truncated);
        Assert.Equal(1000, file.Content.Length);
        Assert.Contains("[truncated: AGENTS.md has 5,000 characters; only the first 1,000 are included. Read the file for the rest.]", memory.ToPromptText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NamesFilesPastTheTotalCap_WithoutTheirContent()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", new string('a', 800));
        temp.WriteFile("ws/sub/AGENTS.md", new string('b', 800));
        var loader = new ProjectMemoryLoader(new ProjectMemoryOptions { MaxTotalCharacters = 1000 });

        var text = loader.Load(temp.Combine("ws", "sub"), temp.Combine("ws")).ToPromptText()!;

        Assert.Contains(new string('a', 800), text, StringComparison.Ordinal);
        Assert.DoesNotContain("bbb", text, StringComparison.Ordinal);
        Assert.Contains("[omitted: sub/AGENTS.md: the project memory limit of 1,000 characters is reached.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RemovesByteOrderMarks_AndNormalisesLineEnds()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("ws", "sub"));
        File.WriteAllBytes(temp.Combine("ws", "AGENTS.md"), [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("line one\r\nline two\rline three\r\n")]);
        File.WriteAllBytes(temp.Combine("ws", "sub", "AGENTS.md"), [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("utf-16 rules\r\n")]);

        var memory = new ProjectMemoryLoader().Load(temp.Combine("ws", "sub"), temp.Combine("ws"));

        Assert.Equal(["line one\nline two\nline three", "utf-16 rules"], memory.Files.Select(f => f.Content));
        Assert.DoesNotContain('\uFEFF', memory.ToPromptText()!);
    }

    [Fact]
    public void Load_SkipsBinaryAndNonUtf8Files_WithAWarningNamingEach()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("ws"));
        File.WriteAllBytes(temp.Combine("ws", "AGENTS.md"), [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x41]);
        File.WriteAllBytes(temp.Combine("ws", "CLAUDE.md"), [0x63, 0x61, 0x66, 0xE9, 0x0A]);
        temp.WriteFile("ws/CRUSH.md", "readable");

        var memory = new ProjectMemoryLoader().Load(temp.Combine("ws"), temp.Combine("ws"));

        Assert.Equal(["CRUSH.md"], memory.Files.Select(f => f.DisplayPath));
        Assert.Contains(memory.Warnings, w => w.StartsWith("memory file AGENTS.md looks binary", StringComparison.Ordinal));
        Assert.Contains(memory.Warnings, w => w.StartsWith("memory file CLAUDE.md is not UTF-8 text", StringComparison.Ordinal) && w.Contains("Save it as UTF-8", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_NeverReadsFilesAboveTheRoot()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("AGENTS.md", "parent folder, not the project");
        temp.WriteFile("ws/AGENTS.md", "project rules");

        var fromInside = new ProjectMemoryLoader().Load(temp.Combine("ws"), temp.Combine("ws"));
        var fromOutside = new ProjectMemoryLoader().Load(temp.Path, temp.Combine("ws"));

        Assert.Equal(["project rules"], fromInside.Files.Select(f => f.Content));
        Assert.Equal(["project rules"], fromOutside.Files.Select(f => f.Content));
    }

    [SymlinkFact]
    public void Load_SkipsALinkThatPointsOutsideTheRoot()
    {
        using var temp = new TempDirectory();
        var secret = temp.WriteFile("secret.txt", "outside content");
        temp.WriteFile("ws/AGENTS.md", "project rules");
        File.CreateSymbolicLink(temp.Combine("ws", "CLAUDE.md"), secret);
        File.CreateSymbolicLink(temp.Combine("ws", "CRUSH.md"), "AGENTS.md");

        var memory = new ProjectMemoryLoader().Load(temp.Combine("ws"), temp.Combine("ws"));

        Assert.Equal(["AGENTS.md"], memory.Files.Select(f => f.DisplayPath));
        Assert.Contains(memory.Warnings, w => w.StartsWith("memory file CLAUDE.md links outside the project root", StringComparison.Ordinal));
        Assert.DoesNotContain("outside content", memory.ToPromptText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ListsOtherFoldersWithMemory_SkippingDotFoldersAndDependencies()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", "root");
        temp.WriteFile("ws/src/AGENTS.md", "on the chain");
        temp.WriteFile("ws/src/web/AGENTS.md", "below cwd");
        temp.WriteFile("ws/src/web/CLAUDE.md", "below cwd, claude");
        temp.WriteFile("ws/docs/AGENTS.md", "sibling");
        temp.WriteFile("ws/node_modules/pkg/AGENTS.md", "dependency");
        temp.WriteFile("ws/.cache/AGENTS.md", "hidden");

        var memory = new ProjectMemoryLoader().Load(temp.Combine("ws", "src"), temp.Combine("ws"));

        Assert.Equal(["AGENTS.md", "src/AGENTS.md"], memory.Files.Select(f => f.DisplayPath));
        Assert.Equal(["docs/", "src/web/"], memory.NestedFolders.Select(f => f.DisplayPath));
        Assert.Equal(["AGENTS.md", "CLAUDE.md"], memory.NestedFolders[1].FileNames);
        var text = memory.ToPromptText()!;
        Assert.Contains("These folders have their own memory files, which apply to their subtree", text, StringComparison.Ordinal);
        Assert.Contains("- src/web/ (AGENTS.md, CLAUDE.md)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("below cwd", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReadsConfiguredExtraFiles_AndWarnsAboutOnesOutsideTheRoot()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", "root");
        temp.WriteFile("ws/docs/CONVENTIONS.md", "conventions");
        temp.WriteFile("outside.md", "outside");
        var loader = new ProjectMemoryLoader(new ProjectMemoryOptions { ExtraFiles = ["docs/CONVENTIONS.md", "../outside.md", "missing.md"] });

        var memory = loader.Load(temp.Combine("ws"), temp.Combine("ws"));

        Assert.Equal(["AGENTS.md", "docs/CONVENTIONS.md"], memory.Files.Select(f => f.DisplayPath));
        Assert.Contains(memory.Warnings, w => w.StartsWith("memory.files: '../outside.md' is outside the project root", StringComparison.Ordinal));
        Assert.Contains(memory.Warnings, w => w.StartsWith("memory.files: 'missing.md' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_IsDeterministic()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", "root");
        temp.WriteFile("ws/b/AGENTS.md", "b");
        temp.WriteFile("ws/a/AGENTS.md", "a");
        temp.WriteFile("ws/a/x/CLAUDE.md", "x");
        var loader = new ProjectMemoryLoader();

        var first = loader.Load(temp.Combine("ws"), temp.Combine("ws")).ToPromptText();
        var second = loader.Load(temp.Combine("ws"), temp.Combine("ws")).ToPromptText();

        Assert.Equal(first, second);
        Assert.Contains("- a/ (AGENTS.md)\n- a/x/ (CLAUDE.md)\n- b/ (AGENTS.md)", first, StringComparison.Ordinal);
    }
}
