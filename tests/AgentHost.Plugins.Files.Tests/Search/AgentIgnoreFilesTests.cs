using AgentHost.Tests.Search;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests.Search;

/// <summary>
/// The agent's own ignore files (#49: <c>.agentignore</c>, Crush's <c>.crushignore</c>, in the root or any folder): what
/// they exclude no files tool lists, searches (even with <c>no_ignore</c>), reads or changes, through the loaded plugin.
/// </summary>
public sealed class AgentIgnoreFilesTests : IAsyncLifetime
{
    private const string Secret = "KEY-5f1e9c";
    private SearchHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SearchHarness.CreateAsync();
        _h.Write("src/app.cs", "class App {}");
        _h.Write("secrets/key.txt", Secret);
        _h.Write("notes/private.md", "private " + Secret);
        _h.Write("notes/public.md", "public");
        _h.Write(".agentignore", "secrets/\n");
        _h.Write("notes/.crushignore", "private.md\n");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Listings_AndSearches_LeaveExcludedPathsOut_EvenWithNoIgnore()
    {
        var glob = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**/*")));
        var globAll = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**/*"), ("no_ignore", true)));
        var grep = await _h.InvokeAsync("grep", ("pattern", Secret));
        var grepAll = await _h.InvokeAsync("grep", ("pattern", Secret), ("no_ignore", true));
        var ls = await _h.InvokeAsync("ls", ("path", "."), ("depth", 3));

        Assert.Contains("src/app.cs", glob);
        Assert.Contains("notes/public.md", glob);
        Assert.DoesNotContain(glob.Concat(globAll), line => line.Contains("secrets/", StringComparison.Ordinal) || line.Contains("private.md", StringComparison.Ordinal));
        Assert.StartsWith($"No matches for '{Secret}'", grep, StringComparison.Ordinal);
        Assert.StartsWith($"No matches for '{Secret}'", grepAll, StringComparison.Ordinal);
        Assert.Contains("public.md", ls, StringComparison.Ordinal);
        Assert.DoesNotContain("secrets/", ls, StringComparison.Ordinal);
        Assert.DoesNotContain("private.md", ls, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("view", "path", "secrets/key.txt", "read")]
    [InlineData("view", "path", "notes/private.md", "read")]
    [InlineData("ls", "path", "secrets", "list")]
    [InlineData("grep", "path", "secrets", "search")]
    [InlineData("delete", "path", "secrets/key.txt", "delete")]
    public async Task SinglePathTools_RefuseAnExcludedPath_NamingTheIgnoreFiles(string tool, string field, string path, string verb)
    {
        (string, object?)[] args = tool == "grep" ? [(field, path), ("pattern", "KEY")] : [(field, path)];

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync(tool, args));

        Assert.Contains($"'{path}' is excluded by the project's .crushignore or .agentignore: the files tools do not {verb} it", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_h.Workspace, "secrets", "key.txt")));
    }

    [Fact]
    public async Task Write_IntoAnExcludedFolder_IsRefused_AndNothingIsCreated()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("write", ("path", "secrets/new.txt"), ("content", "x")));

        Assert.Contains("excluded by the project's", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_h.Workspace, "secrets", "new.txt")));
        Assert.Contains("class App", await _h.InvokeAsync("view", ("path", "src/app.cs")), StringComparison.Ordinal);
    }
}
