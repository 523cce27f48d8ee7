using AgentHost.Tests.Search;

namespace AgentHost.Plugins.Files.Tests.Search;

/// <summary><c>ls</c> with the shared ignore engine: .gitignore files, the <c>ignore</c> parameter and the item cap.</summary>
public sealed class ListIgnoreTests : IAsyncLifetime
{
    private static readonly string[] SeveralPatterns = ["*.test.cs", "docs/", "/README.md"];
    private static readonly string[] AnchoredMain = ["/main.cs"];
    private SearchHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SearchHarness.CreateAsync();
        _h.Write("README.md", "readme");
        _h.Write("app.log", "log");
        _h.Write("src/main.cs", "main");
        _h.Write("src/main.test.cs", "test");
        _h.Write("src/gen/out.cs", "generated");
        _h.Write("src/.gitignore", "gen/\n");
        _h.Write("docs/a.md", "a");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Ls_RespectsGitignoreFiles_AtEveryLevel()
    {
        _h.Write(".gitignore", "*.log\n");

        var output = await _h.InvokeAsync("ls", ("path", "."), ("depth", 3));

        Assert.DoesNotContain("app.log", output, StringComparison.Ordinal);
        Assert.DoesNotContain("gen/", output, StringComparison.Ordinal);
        Assert.Contains("  src/\n    .gitignore (5 B)\n    main.cs (4 B)\n    main.test.cs (4 B)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_IgnoreParameter_UsesGitignoreSyntax()
    {
        var output = await _h.InvokeAsync("ls", ("path", "."), ("depth", 3), ("ignore", SeveralPatterns));

        Assert.DoesNotContain("main.test.cs", output, StringComparison.Ordinal);
        Assert.DoesNotContain("docs/", output, StringComparison.Ordinal);
        Assert.DoesNotContain("README.md", output, StringComparison.Ordinal);
        Assert.Contains("main.cs (4 B)", output, StringComparison.Ordinal);
        Assert.Contains("app.log (3 B)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_IgnorePatternsAreRelativeToTheListedFolder()
    {
        var output = await _h.InvokeAsync("ls", ("path", "src"), ("ignore", AnchoredMain));

        Assert.Equal("src/\n  .gitignore (5 B)\n  main.test.cs (4 B)", output);
    }

    [Fact]
    public async Task Ls_Limit_CapsEntries_WithAMoreNote()
    {
        var output = await _h.InvokeAsync("ls", ("path", "."), ("depth", 3), ("limit", 3));

        var lines = output.Split('\n');
        Assert.Equal(5, lines.Length); // the folder, 3 entries, the note
        Assert.StartsWith("[… ", lines[^1], StringComparison.Ordinal);
        Assert.Contains("more entries not shown; list a subdirectory or raise limit", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_BadLimit_IsRefused()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("ls", ("limit", 0)));

        Assert.Contains("limit must be between 1 and 2000", error.Message, StringComparison.Ordinal);
    }
}
