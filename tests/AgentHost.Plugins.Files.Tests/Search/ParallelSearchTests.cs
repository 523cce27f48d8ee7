using System.Text;
using System.Text.Json;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Search;

namespace AgentHost.Plugins.Files.Tests.Search;

/// <summary>
/// glob and grep on several threads (issue #25): the same files, lines, order, pages and totals as one thread, a
/// walk that stops when cancelled, and a git repository with nothing committed searched like any other folder.
/// </summary>
public sealed class ParallelSearchTests : IAsyncLifetime
{
    private SearchHarness _sequential = null!;
    private SearchHarness _parallel = null!;

    public async Task InitializeAsync()
    {
        _sequential = await SearchHarness.CreateAsync(new Dictionary<string, string> { ["search_threads"] = "1" });
        _parallel = await SearchHarness.CreateAsync(new Dictionary<string, string> { ["search_threads"] = "4" });
        foreach (var harness in new[] { _sequential, _parallel })
        {
            WriteTree(harness);
        }
    }

    public async Task DisposeAsync()
    {
        await _sequential.DisposeAsync();
        await _parallel.DisposeAsync();
    }

    [Theory]
    [InlineData("glob", """{"pattern": "**/*.cs", "limit": 1000}""")]
    [InlineData("glob", """{"pattern": "**/*.cs", "limit": 37, "offset": 111}""")]
    [InlineData("glob", """{"pattern": "*", "limit": 1000, "hidden": true}""")]
    [InlineData("glob", """{"pattern": "*", "limit": 1000, "no_ignore": true}""")]
    [InlineData("glob", """{"pattern": "wide/*.txt", "limit": 50, "offset": 300}""")]
    [InlineData("grep", """{"pattern": "needle", "max_matches": 1000}""")]
    [InlineData("grep", """{"pattern": "needle", "max_matches": 25, "offset": 50}""")]
    [InlineData("grep", """{"pattern": "needle", "output": "files", "max_matches": 1000}""")]
    [InlineData("grep", """{"pattern": "needle", "output": "count", "max_matches": 1000, "hidden": true, "no_ignore": true}""")]
    [InlineData("grep", """{"pattern": "need[l]e \\d+", "context": 2, "max_matches": 200}""")]
    [InlineData("grep", """{"pattern": "NEEDLE", "case_insensitive": true, "include": "*.cs,!*.g.cs", "max_matches": 1000}""")]
    [InlineData("grep", """{"pattern": "needle", "path": "wide", "output": "count", "max_matches": 1000}""")]
    [InlineData("grep", """{"pattern": "needle \\w+-\\d+", "path": "data", "max_matches": 1000}""")]
    [InlineData("grep", """{"pattern": "needle", "path": "data/big", "output": "count", "max_matches": 1000}""")]
    public async Task FourThreads_GiveExactlyTheResultsOfOne(string tool, string json)
    {
        var args = Arguments(json);
        var reference = await _sequential.InvokeAsync(tool, args);

        for (var run = 0; run < 3; run++)
        {
            Assert.Equal(reference, await _parallel.InvokeAsync(tool, args));
        }
    }

    [Fact]
    public async Task TheGeneratedTree_HoldsWhatTheComparisonNeeds()
    {
        // Guards the comparison above: ignored, hidden and binary files exist and are left out; batches of a wide folder are used.
        var grep = await _parallel.InvokeAsync("grep", ("pattern", "needle"), ("output", "count"), ("max_matches", 1));
        var all = await _parallel.InvokeAsync("grep", ("pattern", "needle"), ("output", "count"), ("max_matches", 1), ("hidden", true), ("no_ignore", true));

        Assert.Matches(@"^\[\d+ matching lines in \d+ files; showing files 1-1\. .* Skipped: \d+ binary files\.\]$", SearchHarness.Note(grep));
        Assert.NotEqual(SearchHarness.Note(grep), SearchHarness.Note(all));
        Assert.DoesNotContain("ignored/", grep, StringComparison.Ordinal);
        Assert.DoesNotContain(".hidden", grep, StringComparison.Ordinal);
        var wide = SearchHarness.Body(await _parallel.InvokeAsync("glob", ("pattern", "wide/*.txt"), ("limit", 1000)));
        Assert.Equal(600, wide.Length);
        var big = SearchHarness.Body(await _parallel.InvokeAsync("grep", ("pattern", "needle"), ("path", "data/big"), ("output", "count")));
        Assert.Equal(["data/big/b0.txt:60", "data/big/b1.txt:69", "data/big/b2.txt:78", "data/big/b3.txt:87", "data/big/utf16.txt:12"], big);
        Assert.True(new FileInfo(Path.Combine(_parallel.Workspace, "data/big/b0.txt")).Length > 1024 * 1024);
    }

    [Fact]
    public async Task Cancellation_StopsTheWalk_BeforeItReachesEveryFile()
    {
        using var cancel = new CancellationTokenSource();
        var asked = 0;
        ReadAccess Check(string path)
        {
            // The read check is asked for every file before it is read: cancel after a few, mid-walk.
            if (Interlocked.Increment(ref asked) == 20)
            {
                cancel.Cancel();
            }

            return ReadAccess.Allow;
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _parallel.InvokeAsync("grep", Check, cancel.Token, ("pattern", "needle")));

        var total = int.Parse(SearchHarness.Note(await _parallel.InvokeAsync("glob", ("pattern", "**"), ("limit", 1))).Split(' ')[0].TrimStart('['), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(asked < total / 2, $"the walk went on after the cancellation: {asked} of {total} files checked");
    }

    [Fact]
    public async Task ARepositoryWithNothingCommitted_IsSearched_AndItsIgnoredFilesAreNot()
    {
        await using var h = await SearchHarness.CreateAsync();
        h.Write(".gitignore", "build/\n*.log\n");
        h.Write("src/app.cs", "needle in an untracked file\n");
        h.Write("src/lib/util.cs", "needle again\n");
        h.Write("notes.md", "no match here\n");
        h.Write("build/out.cs", "needle in an ignored folder\n");
        h.Write("src/debug.log", "needle in an ignored file\n");
        h.Write("excluded.txt", "needle excluded by info/exclude\n");
        h.Git(h.Workspace, "init", "-q");
        File.AppendAllText(Path.Combine(h.Workspace, ".git", "info", "exclude"), "excluded.txt\n");
        Assert.Equal(string.Empty, h.Git(h.Workspace, "ls-files")); // nothing tracked, nothing committed

        var untracked = h.Git(h.Workspace, "ls-files", "--others", "--exclude-standard").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(path => path != ".gitignore").Order(StringComparer.Ordinal).ToArray();
        var globbed = SearchHarness.Body(await h.InvokeAsync("glob", ("pattern", "**"), ("limit", 1000)));
        var grepped = SearchHarness.Body(await h.InvokeAsync("grep", ("pattern", "needle"), ("output", "files")));

        Assert.Equal(["notes.md", "src/app.cs", "src/lib/util.cs"], untracked);
        Assert.Equal(untracked, globbed);
        Assert.Equal(["src/app.cs", "src/lib/util.cs"], grepped);
    }

    private static (string, object?)[] Arguments(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind switch
        {
            JsonValueKind.String => (object?)p.Value.GetString(),
            JsonValueKind.Number => p.Value.GetInt32(),
            _ => p.Value.GetBoolean(),
        }))];
    }

    /// <summary>
    /// A deterministic tree: nested folders with matches, a folder of 600 files (more than the walker's batch size, so
    /// its files are shared between threads), ignored folders and files (.gitignore and .ignore, a negation), hidden
    /// files, binary files (one large enough to be probed before it is read whole), a large text file, a UTF-16 file.
    /// </summary>
    private static void WriteTree(SearchHarness h)
    {
        var random = new Random(25);
        h.Write(".gitignore", "ignored/\n*.tmp\n!keep.tmp\n");
        h.Write("src/.ignore", "*.g.cs\n");
        for (var i = 0; i < 400; i++)
        {
            var folder = $"src/m{i % 9}/s{i % 4}" + (i % 3 == 0 ? $"/d{i % 5}" : string.Empty);
            var text = new StringBuilder();
            for (var line = 0; line < 1 + (i % 17); line++)
            {
                text.Append(random.Next(6) == 0 ? $"var x = needle {line};\n" : $"var y = hay {random.Next()};\n");
            }

            h.Write($"{folder}/f{i}.{(i % 5 == 0 ? "g.cs" : i % 2 == 0 ? "cs" : "ts")}", text.ToString());
        }

        for (var i = 0; i < 600; i++)
        {
            h.Write($"wide/w{i:0000}.txt", i % 7 == 0 ? $"needle {i}\nNeedle\n" : "nothing\n");
        }

        for (var i = 0; i < 30; i++)
        {
            h.Write($"ignored/i{i}.cs", "needle ignored\n");
            h.Write($"src/t{i}.tmp", "needle tmp\n");
            h.Write($".hidden/h{i}.cs", "needle hidden\n");
            h.WriteBytes($"bin/b{i}.bin", [.. Encoding.UTF8.GetBytes("needle "), 0, 1, 2]);
        }

        h.Write("src/keep.tmp", "needle kept by a negation\n");
        var big = new byte[200 * 1024];
        random.NextBytes(big);
        big[10] = 0;
        h.WriteBytes("bin/large.bin", [.. big, .. Encoding.UTF8.GetBytes("\nneedle\n")]);
        h.Write("data/large.txt", string.Concat(Enumerable.Range(0, 20000).Select(i => i % 997 == 0 ? $"needle {i}\n" : $"line {i}\n")));
        h.WriteBytes("data/utf16.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("needle in UTF-16\n")]);

        // Files over 1 MiB, a UTF-16 one among them.
        for (var i = 0; i < 4; i++)
        {
            h.Write($"data/big/b{i}.txt", string.Concat(Enumerable.Range(0, 60_000 + (i * 9_000)).Select(n => n % (1_000 + i) == 0 ? $"needle {i}-{n}\n" : $"row {n} of file {i}\n")));
        }

        h.WriteBytes("data/big/utf16.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(string.Concat(Enumerable.Range(0, 60_000).Select(n => n % 5_000 == 0 ? $"needle u{n}\n" : $"line {n}\n")))]);
    }
}
