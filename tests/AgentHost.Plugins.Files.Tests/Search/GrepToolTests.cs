using System.Text;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Search;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files.Tests.Search;

/// <summary>The <c>grep</c> tool through the files plugin loaded from the bundled catalog.</summary>
public sealed class GrepToolTests : IAsyncLifetime
{
    private SearchHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SearchHarness.CreateAsync();
        _h.Write("src/a.cs", "using System;\nclass Alpha\n{\n    void Run() => Console.WriteLine(\"hello\");\n}\n");
        _h.Write("src/b.cs", "class Beta { }\n// TODO: hello again\n");
        _h.Write("src/sub/c.ts", "export const Hello = 1;\nconst x = a.b(c);\n");
        _h.Write("docs/readme.md", "Say hello.\n");
        _h.Write(".gitignore", "dist/\n");
        _h.Write("dist/bundle.js", "hello from the build\n");
        _h.Write(".hidden/notes.txt", "hello hidden\n");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Content_IsPathLineText_SortedByPathThenLine()
    {
        var output = await _h.InvokeAsync("grep", ("pattern", "hello"));

        Assert.Equal(
            ["docs/readme.md:1:Say hello.", "src/a.cs:4:    void Run() => Console.WriteLine(\"hello\");", "src/b.cs:2:// TODO: hello again"],
            SearchHarness.Body(output));
        Assert.Equal("[3 matching lines in 3 files.]", SearchHarness.Note(output));
    }

    [Fact]
    public async Task Regex_IsDotNetSyntax()
    {
        var output = await _h.InvokeAsync("grep", ("pattern", @"class \w+a\b"));

        Assert.Equal(["src/a.cs:2:class Alpha", "src/b.cs:1:class Beta { }"], SearchHarness.Body(output));
    }

    [Fact]
    public async Task Literal_SearchesTheTextAsWritten()
    {
        var asLiteral = await _h.InvokeAsync("grep", ("pattern", "a.b(c)"), ("literal", true));
        var asRegex = await _h.InvokeAsync("grep", ("pattern", "a.b(c)"));

        Assert.Equal(["src/sub/c.ts:2:const x = a.b(c);"], SearchHarness.Body(asLiteral));
        Assert.Empty(SearchHarness.Body(asRegex)); // as a regex it means "a", any character, "bc"
    }

    [Fact]
    public async Task CaseInsensitive_FindsEveryCase()
    {
        var sensitive = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "HELLO")));
        var insensitive = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "HELLO"), ("case_insensitive", true)));
        var regex = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "HEL+O ag"), ("case_insensitive", true)));

        Assert.Empty(sensitive);
        Assert.Equal(4, insensitive.Length);
        Assert.Contains("src/sub/c.ts:1:export const Hello = 1;", insensitive);
        Assert.Equal(["src/b.cs:2:// TODO: hello again"], regex);
    }

    [Theory]
    [InlineData("*.cs", new[] { "src/a.cs", "src/b.cs" })]
    [InlineData("*.cs, *.md", new[] { "docs/readme.md", "src/a.cs", "src/b.cs" })]
    [InlineData("*.{ts,md}", new[] { "docs/readme.md", "src/sub/c.ts" })]
    [InlineData("src/**", new[] { "src/a.cs", "src/b.cs", "src/sub/c.ts" })]
    [InlineData("!*.cs", new[] { "docs/readme.md", "src/sub/c.ts" })]
    [InlineData("src/**,!b.cs", new[] { "src/a.cs", "src/sub/c.ts" })]
    public async Task Include_FiltersFilesByGlob(string include, string[] expected)
    {
        var output = await _h.InvokeAsync("grep", ("pattern", "(?i)hello"), ("include", include), ("output", "files"));

        Assert.Equal(expected, SearchHarness.Body(output));
    }

    [Fact]
    public async Task Path_CanBeAFolderOrOneFile()
    {
        var folder = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "hello"), ("path", "src")));
        var file = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "hello"), ("path", "dist/bundle.js")));

        Assert.Equal(["src/a.cs:4:    void Run() => Console.WriteLine(\"hello\");", "src/b.cs:2:// TODO: hello again"], folder);
        Assert.Equal(["dist/bundle.js:1:hello from the build"], file); // named explicitly: searched although ignored
    }

    [Fact]
    public async Task Context_ShowsLinesAround_WithSeparators()
    {
        _h.Write("ctx.txt", "l1\nl2 match\nl3\nl4\nl5\nl6\nl7 match\nl8 match\nl9\n");

        var output = await _h.InvokeAsync("grep", ("pattern", "match"), ("path", "ctx.txt"), ("context", 1));

        Assert.Equal(
            ["ctx.txt-1-l1", "ctx.txt:2:l2 match", "ctx.txt-3-l3", "--", "ctx.txt-6-l6", "ctx.txt:7:l7 match", "ctx.txt:8:l8 match", "ctx.txt-9-l9"],
            SearchHarness.Body(output));
    }

    [Fact]
    public async Task OutputFilesAndCount()
    {
        _h.Write("src/many.txt", "hello\nhello\nno\nhello\n");

        var files = await _h.InvokeAsync("grep", ("pattern", "hello"), ("output", "files"));
        var count = await _h.InvokeAsync("grep", ("pattern", "hello"), ("output", "count"));

        Assert.Equal(["docs/readme.md", "src/a.cs", "src/b.cs", "src/many.txt"], SearchHarness.Body(files));
        Assert.Equal("[4 files match.]", SearchHarness.Note(files));
        Assert.Equal(["docs/readme.md:1", "src/a.cs:1", "src/b.cs:1", "src/many.txt:3"], SearchHarness.Body(count));
        Assert.Equal("[6 matching lines in 4 files.]", SearchHarness.Note(count));
    }

    [Fact]
    public async Task MaxMatchesAndOffset_PageThroughMatchingLines()
    {
        var builder = new StringBuilder();
        for (var i = 1; i <= 25; i++)
        {
            builder.Append("row ").Append(i).Append(" needle\n");
        }

        _h.Write("pages/one.txt", builder.ToString());
        _h.Write("pages/two.txt", "needle A\nneedle B\n");

        var first = await _h.InvokeAsync("grep", ("pattern", "needle"), ("path", "pages"), ("max_matches", 10));
        var third = await _h.InvokeAsync("grep", ("pattern", "needle"), ("path", "pages"), ("max_matches", 10), ("offset", 20));

        Assert.Equal(10, SearchHarness.Body(first).Length);
        Assert.Equal("pages/one.txt:1:row 1 needle", SearchHarness.Body(first)[0]);
        Assert.Equal(
            "[27 matching lines in 2 files; showing matches 1-10. 17 more: call grep again with offset=10, or narrow the search with path, include or a more specific pattern.]",
            SearchHarness.Note(first));
        Assert.Equal(
            ["pages/one.txt:21:row 21 needle", "pages/one.txt:22:row 22 needle", "pages/one.txt:23:row 23 needle", "pages/one.txt:24:row 24 needle",
             "pages/one.txt:25:row 25 needle", "pages/two.txt:1:needle A", "pages/two.txt:2:needle B"],
            SearchHarness.Body(third));
        Assert.Equal("[27 matching lines in 2 files; showing matches 21-27.]", SearchHarness.Note(third));
    }

    [Fact]
    public async Task FilesPages_UseMaxMatchesAsFileCount()
    {
        var output = await _h.InvokeAsync("grep", ("pattern", "hello"), ("output", "files"), ("max_matches", 2), ("offset", 1));

        Assert.Equal(["src/a.cs", "src/b.cs"], SearchHarness.Body(output));
        Assert.Equal("[3 files match; showing files 2-3.]", SearchHarness.Note(output));
    }

    [Fact]
    public async Task BinaryFiles_AreSkipped_AndCounted()
    {
        var bytes = Encoding.UTF8.GetBytes("hello in a binary\n").Concat(new byte[] { 0, 1, 2 }).ToArray();
        _h.WriteBytes("img/logo.png", bytes);

        var output = await _h.InvokeAsync("grep", ("pattern", "hello"), ("path", "img"));

        Assert.Empty(SearchHarness.Body(output));
        Assert.Contains("Skipped: 1 binary file.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LongLines_AreCutAroundTheMatch()
    {
        var line = new string('x', 3000) + "NEEDLE" + new string('y', 3000);
        _h.Write("long/min.js", line + "\n");

        var output = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "NEEDLE"), ("path", "long")));

        var shown = Assert.Single(output);
        Assert.StartsWith("long/min.js:1:…xxx", shown, StringComparison.Ordinal);
        Assert.Contains("NEEDLE", shown, StringComparison.Ordinal);
        Assert.EndsWith("… [line cut: 6006 characters]", shown, StringComparison.Ordinal);
        Assert.True(shown.Length < 700, $"{shown.Length} characters");
    }

    [Fact]
    public async Task ContentPages_StopAtTheOutputBudget_AndSayWhereToGoOn()
    {
        var filler = new string('f', 900);
        for (var i = 0; i < 6; i++)
        {
            var lines = Enumerable.Range(0, 21).Select(n => n == 10 ? "MARK " + filler : filler);
            _h.Write($"budget/f{i}.txt", string.Join('\n', lines) + "\n");
        }

        var output = await _h.InvokeAsync("grep", ("pattern", "MARK"), ("path", "budget"), ("context", 10));
        var shown = SearchHarness.Body(output).Count(line => line.Contains(":11:MARK", StringComparison.Ordinal));

        Assert.InRange(shown, 1, 5);
        Assert.True(output.Length < 32 * 1024, $"{output.Length} characters");
        Assert.Contains($"(output size limit). {6 - shown} more: call grep again with offset={shown}", SearchHarness.Note(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilesOverTheSizeCap_AreSkipped_AndCounted()
    {
        var big = new byte[(10 * 1024 * 1024) + 10];
        Array.Fill(big, (byte)'a');
        Encoding.ASCII.GetBytes("hello\n").CopyTo(big, 0);
        _h.WriteBytes("huge/data.txt", big);

        var output = await _h.InvokeAsync("grep", ("pattern", "hello"), ("path", "huge"));

        Assert.Empty(SearchHarness.Body(output));
        Assert.Contains("Skipped: 1 file over 10 MiB.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ByteOrderMarks_AreHandled()
    {
        _h.WriteBytes("enc/utf8bom.txt", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("first line\nsecond\n")]);
        _h.WriteBytes("enc/utf16.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("first line\nsecond\n")]);

        var output = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "^first"), ("path", "enc")));

        Assert.Equal(["enc/utf16.txt:1:first line", "enc/utf8bom.txt:1:first line"], output);
    }

    [Fact]
    public async Task CrlfLines_MatchDollarAndShowWithoutCarriageReturn()
    {
        _h.Write("crlf/win.txt", "alpha end\r\nbeta\r\nend alpha\r\n");

        var anchored = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "end$"), ("path", "crlf")));
        var noLiteral = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "^\\w+$"), ("path", "crlf")));

        Assert.Equal(["crlf/win.txt:1:alpha end"], anchored);
        Assert.Equal(["crlf/win.txt:2:beta"], noLiteral);
    }

    [Fact]
    public async Task IgnoredAndHiddenFiles_AreSkipped_UnlessAsked()
    {
        var plain = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "hello"), ("output", "files")));
        var all = SearchHarness.Body(await _h.InvokeAsync("grep", ("pattern", "hello"), ("output", "files"), ("no_ignore", true), ("hidden", true)));

        Assert.DoesNotContain("dist/bundle.js", plain);
        Assert.DoesNotContain(".hidden/notes.txt", plain);
        Assert.Contains("dist/bundle.js", all);
        Assert.Contains(".hidden/notes.txt", all);
    }

    [Fact]
    public async Task NoMatch_SaysWhatWasSearched()
    {
        var output = await _h.InvokeAsync("grep", ("pattern", "zebra"), ("include", "*.cs"));

        Assert.StartsWith("No matches for 'zebra' in '.' (2 files searched matching include '*.cs').", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pattern", "", "pattern is empty")]
    [InlineData("pattern", "foo(", "not a valid .NET regular expression")]
    [InlineData("pattern", "a\nb", "line break")]
    [InlineData("output", "lines", "output must be 'content'")]
    [InlineData("context", 11, "context must be between 0 and 10")]
    [InlineData("max_matches", 0, "max_matches must be between 1 and 1000")]
    [InlineData("offset", -3, "offset must be 0 or more")]
    [InlineData("path", "../outside", "outside the project root")]
    [InlineData("path", "nope", "does not exist")]
    public async Task BadArguments_NameTheFieldAndTheFix(string field, object value, string message)
    {
        var args = new List<(string, object?)> { ("pattern", "hello") };
        args.RemoveAll(a => a.Item1 == field);
        args.Add((field, value));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("grep", [.. args]));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidRegex_SuggestsLiteral()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("grep", ("pattern", "Console.WriteLine(")));

        Assert.Contains("set literal to true", error.Message, StringComparison.Ordinal);
    }

    [SymlinkFact]
    public async Task SymbolicLinks_AreNotFollowed_AndOutsidePathsRefused()
    {
        File.WriteAllText(Path.Combine(_h.Outside, "secret.txt"), "hello secret\n");
        var absolute = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("grep", ("pattern", "hello"), ("path", Path.Combine(_h.Outside, "secret.txt"))));
        Assert.Contains("outside the project root", absolute.Message, StringComparison.Ordinal);
        Directory.CreateSymbolicLink(Path.Combine(_h.Workspace, "out"), _h.Outside);
        File.CreateSymbolicLink(Path.Combine(_h.Workspace, "secret-link.txt"), Path.Combine(_h.Outside, "secret.txt"));

        var output = await _h.InvokeAsync("grep", ("pattern", "secret"), ("no_ignore", true), ("hidden", true));
        var viaLink = await Assert.ThrowsAnyAsync<Exception>(() => _h.InvokeAsync("grep", ("pattern", "hello"), ("path", "secret-link.txt")));

        Assert.Empty(SearchHarness.Body(output));
        Assert.Contains("outside the project root", viaLink.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_AreTheSameOnEveryRun()
    {
        for (var i = 0; i < 200; i++)
        {
            _h.Write($"many/d{i % 7}/f{i}.txt", i % 3 == 0 ? "hit\n" : "miss\n");
        }

        var first = await _h.InvokeAsync("grep", ("pattern", "hit"), ("path", "many"), ("max_matches", 1000));
        var second = await _h.InvokeAsync("grep", ("pattern", "hit"), ("path", "many"), ("max_matches", 1000));

        var lines = SearchHarness.Body(first);
        Assert.Equal(67, lines.Length);
        Assert.Equal(first, second);
        Assert.Equal(lines.Order(StringComparer.Ordinal), lines);
    }

    [Fact]
    public void DescribeCall_IsARead_OfTheSearchedPath()
    {
        var grep = _h.Tool("grep");
        var context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = _h.Workspace };

        var description = grep.Metadata.DescribeCall!(new AIFunctionArguments { ["pattern"] = "x", ["path"] = "src/../src" }.WithContext(context));

        Assert.Equal(ToolEffect.Read, grep.Metadata.Effect);
        Assert.Equal(new ToolCallDescription("read", "src"), description);
    }
}
