using AgentHost.Sdk.Tools;
using AgentHost.Tests.Search;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files.Tests.Search;

/// <summary>The <c>glob</c> tool through the files plugin loaded from the bundled catalog.</summary>
public sealed class GlobToolTests : IAsyncLifetime
{
    private SearchHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SearchHarness.CreateAsync();
        _h.Write("README.md", "readme");
        _h.Write("src/app.cs", "class App {}");
        _h.Write("src/util/strings.cs", "class Strings {}");
        _h.Write("src/util/strings.ts", "export {}");
        _h.Write("src/util/deep/x1.cs", "x");
        _h.Write("src/util/deep/x2.cs", "x");
        _h.Write("src/util/deep/x10.cs", "x");
        _h.Write("docs/guide.md", "guide");
        _h.Write("web/index.tsx", "tsx");
        _h.Write(".github/workflows/ci.yml", "ci");
        _h.Write(".env", "SECRET=1");
        _h.Write("build/out.cs", "generated");
        _h.Write(".gitignore", "build/\n");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task PatternWithoutSlash_MatchesNamesAtAnyDepth_SortedByPath()
    {
        var output = await _h.InvokeAsync("glob", ("pattern", "*.cs"));

        Assert.Equal(["src/app.cs", "src/util/deep/x1.cs", "src/util/deep/x10.cs", "src/util/deep/x2.cs", "src/util/strings.cs"], SearchHarness.Body(output));
        Assert.DoesNotContain("[", output, StringComparison.Ordinal); // everything fits: no note
    }

    [Theory]
    [InlineData("src/*.cs", new[] { "src/app.cs" })]
    [InlineData("src/**/*.cs", new[] { "src/app.cs", "src/util/deep/x1.cs", "src/util/deep/x10.cs", "src/util/deep/x2.cs", "src/util/strings.cs" })]
    [InlineData("**/deep/x?.cs", new[] { "src/util/deep/x1.cs", "src/util/deep/x2.cs" })]
    [InlineData("src/util/strings.{cs,ts}", new[] { "src/util/strings.cs", "src/util/strings.ts" })]
    [InlineData("**/*.{md,tsx}", new[] { "README.md", "docs/guide.md", "web/index.tsx" })]
    [InlineData("**/x[0-9][0-9].cs", new[] { "src/util/deep/x10.cs" })]
    [InlineData("./docs/*", new[] { "docs/guide.md" })]
    public async Task Patterns_MatchTheirFiles(string pattern, string[] expected)
    {
        var output = await _h.InvokeAsync("glob", ("pattern", pattern));

        Assert.Equal(expected, SearchHarness.Body(output));
    }

    [Fact]
    public async Task Path_LimitsTheSearch_AndPatternsAreRelativeToIt()
    {
        var output = await _h.InvokeAsync("glob", ("pattern", "deep/*.cs"), ("path", "src/util"));

        Assert.Equal(["src/util/deep/x1.cs", "src/util/deep/x10.cs", "src/util/deep/x2.cs"], SearchHarness.Body(output));
    }

    [Fact]
    public async Task Pagination_SaysHowManyMore_AndTheOffsetContinues()
    {
        var first = await _h.InvokeAsync("glob", ("pattern", "**/*.cs"), ("limit", 2));
        var second = await _h.InvokeAsync("glob", ("pattern", "**/*.cs"), ("limit", 2), ("offset", 2));
        var last = await _h.InvokeAsync("glob", ("pattern", "**/*.cs"), ("limit", 2), ("offset", 4));

        Assert.Equal(["src/app.cs", "src/util/deep/x1.cs"], SearchHarness.Body(first));
        Assert.Equal("[5 files match '**/*.cs' (sorted by path); showing 1-2. 3 more: call glob again with offset=2, or narrow the pattern or path.]", SearchHarness.Note(first));
        Assert.Equal(["src/util/deep/x10.cs", "src/util/deep/x2.cs"], SearchHarness.Body(second));
        Assert.Contains("offset=4", SearchHarness.Note(second), StringComparison.Ordinal);
        Assert.Equal(["src/util/strings.cs"], SearchHarness.Body(last));
        Assert.Equal("[5 files match '**/*.cs' (sorted by path); showing 5-5.]", SearchHarness.Note(last));
    }

    [Fact]
    public async Task LargePages_StopAtTheOutputBudget_AndSayWhereToGoOn()
    {
        for (var i = 0; i < 600; i++)
        {
            _h.Write($"many/{new string('n', 60)}-{i:D4}.txt", "x");
        }

        var output = await _h.InvokeAsync("glob", ("pattern", "many/*.txt"), ("limit", 1000));
        var shown = SearchHarness.Body(output).Length;
        var next = await _h.InvokeAsync("glob", ("pattern", "many/*.txt"), ("limit", 1000), ("offset", shown));

        Assert.InRange(shown, 100, 599);
        Assert.True(output.Length < 32 * 1024, $"{output.Length} characters");
        Assert.Contains($"(output size limit). {600 - shown} more: call glob again with offset={shown}", SearchHarness.Note(output), StringComparison.Ordinal);
        Assert.Equal($"many/{new string('n', 60)}-{shown:D4}.txt", SearchHarness.Body(next)[0]);
    }

    [Fact]
    public async Task SortModified_PutsTheNewestFirst()
    {
        File.SetLastWriteTimeUtc(Path.Combine(_h.Workspace, "src/app.cs"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(Path.Combine(_h.Workspace, "src/util/strings.cs"), new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(Path.Combine(_h.Workspace, "src/util/deep/x1.cs"), new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var output = await _h.InvokeAsync("glob", ("pattern", "**/*.cs"), ("sort", "modified"), ("limit", 2));

        Assert.Equal(["src/util/strings.cs"], SearchHarness.Body(output)[..1]);
        Assert.Contains("(newest first)", SearchHarness.Note(output), StringComparison.Ordinal);
        var all = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**/*.cs"), ("sort", "modified")));
        Assert.Equal("src/app.cs", all[^1]);
    }

    [Fact]
    public async Task HiddenFiles_AreSkippedByDefault_AndIncludedWhenAskedOrNamed()
    {
        var plain = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**/*")));
        var hidden = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**/*"), ("hidden", true)));
        var named = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", ".github/**/*.yml")));

        Assert.DoesNotContain(".env", plain);
        Assert.DoesNotContain(".github/workflows/ci.yml", plain);
        Assert.Contains(".env", hidden);
        Assert.Contains(".github/workflows/ci.yml", hidden);
        Assert.Equal([".github/workflows/ci.yml"], named);
    }

    [Fact]
    public async Task IgnoredFiles_AreSkipped_UnlessNoIgnore()
    {
        var plain = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**/*.cs")));
        var all = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**/*.cs"), ("no_ignore", true)));

        Assert.DoesNotContain("build/out.cs", plain);
        Assert.Contains("build/out.cs", all);
    }

    [Fact]
    public async Task DotIgnoreFile_IsRespected_AndWinsOverGitignore()
    {
        _h.Write(".gitignore", "*.md\n");
        _h.Write(".ignore", "!README.md\nweb/\n");

        var output = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**/*"), ("hidden", true)));

        Assert.Contains("README.md", output);
        Assert.DoesNotContain("docs/guide.md", output);
        Assert.DoesNotContain("web/index.tsx", output);
    }

    [Fact]
    public async Task GitFolder_IsAlwaysSkipped()
    {
        _h.Git(_h.Workspace, "init", "-q");

        var output = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**"), ("hidden", true), ("no_ignore", true), ("limit", 1000)));

        Assert.Contains(".gitignore", output);
        Assert.DoesNotContain(output, path => path.StartsWith(".git/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoMatch_SaysSo_AndWhatWasNotSearched()
    {
        var output = await _h.InvokeAsync("glob", ("pattern", "**/*.rs"));

        Assert.StartsWith("No files match '**/*.rs'.", output, StringComparison.Ordinal);
        Assert.Contains("set hidden or no_ignore", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside", "outside the project root")]
    [InlineData("src/../../outside", "outside the project root")]
    [InlineData("missing", "does not exist")]
    [InlineData("README.md", "is a file")]
    public async Task BadPath_IsRefusedWithAClearMessage(string path, string message)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("glob", ("pattern", "*"), ("path", path)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbsolutePathOutsideTheRoot_IsRefused()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("glob", ("pattern", "*"), ("path", _h.Outside)));

        Assert.Contains("outside the project root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatternWithDotDot_CannotLeaveTheRoot()
    {
        File.WriteAllText(Path.Combine(_h.Outside, "secret.cs"), "secret");

        var output = await _h.InvokeAsync("glob", ("pattern", "../outside/*.cs"));

        Assert.Empty(SearchHarness.Body(output));
    }

    [SymlinkFact]
    public async Task SymbolicLinks_AreNotFollowed()
    {
        File.WriteAllText(Path.Combine(_h.Outside, "secret.cs"), "secret");
        Directory.CreateSymbolicLink(Path.Combine(_h.Workspace, "linked"), _h.Outside);
        File.CreateSymbolicLink(Path.Combine(_h.Workspace, "linked.cs"), Path.Combine(_h.Outside, "secret.cs"));

        var output = SearchHarness.Body(await _h.InvokeAsync("glob", ("pattern", "**/*"), ("limit", 1000)));
        var viaPath = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("glob", ("pattern", "*"), ("path", "linked")));

        Assert.DoesNotContain(output, p => p.Contains("secret", StringComparison.Ordinal) || p.StartsWith("linked", StringComparison.Ordinal));
        Assert.Contains("outside the project root", viaPath.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pattern", "", "pattern is empty")]
    [InlineData("limit", 0, "limit must be between 1 and 1000")]
    [InlineData("limit", 5000, "limit must be between 1 and 1000")]
    [InlineData("offset", -1, "offset must be 0 or more")]
    [InlineData("sort", "size", "sort must be 'path'")]
    public async Task BadArguments_NameTheFieldAndTheFix(string field, object value, string message)
    {
        var args = new List<(string, object?)> { ("pattern", "*.cs") };
        args.RemoveAll(a => a.Item1 == field);
        args.Add((field, value));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("glob", [.. args]));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeCall_IsARead_OfTheSearchedPath()
    {
        var glob = _h.Tool("glob");
        var context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = _h.Workspace };

        var inside = glob.Metadata.DescribeCall!(new AIFunctionArguments { ["pattern"] = "*.cs", ["path"] = "src/util" });
        var root = glob.Metadata.DescribeCall!(new AIFunctionArguments { ["pattern"] = "*.cs" });
        var outside = glob.Metadata.DescribeCall!(new AIFunctionArguments { ["pattern"] = "*", ["path"] = "../outside" } .WithContext(context));

        Assert.Equal(ToolEffect.Read, glob.Metadata.Effect);
        Assert.Equal(new ToolCallDescription("read", "src/util"), inside);
        Assert.Equal(new ToolCallDescription("read", "."), root);
        Assert.Equal("read", outside.Action);
        Assert.True(Path.IsPathRooted(outside.Subject), outside.Subject);
    }
}

internal static class ArgumentsExtensions
{
    public static AIFunctionArguments WithContext(this AIFunctionArguments arguments, Dictionary<object, object?> context)
    {
        arguments.Context = context;
        return arguments;
    }
}
