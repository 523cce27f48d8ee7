using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Search;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests.Search;

/// <summary>
/// grep on files over 256 KiB, which its first pass streams in chunks of whole lines (issue #25): matching lines that
/// straddle a chunk boundary, lines longer than a chunk, CRLF, no final line break, byte order marks and binary starts
/// give the same counts, line numbers and context as reading the file whole (the second pass still does, so a
/// miscount shows as a note that disagrees with the lines shown); and a file swapped for a symbolic link after the walk
/// is not read through the link.
/// </summary>
public sealed class ChunkedGrepTests : IAsyncLifetime
{
    /// <summary>The first pass's buffer; the first chunk ends at this byte.</summary>
    private const int Chunk = 256 * 1024;

    private SearchHarness _h = null!;

    public async Task InitializeAsync() => _h = await SearchHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData("needle", false, false)]
    [InlineData("NEEDLE", false, true)]
    [InlineData(@"nee+dle \d+$", false, false)]
    [InlineData(@"^[a-z]+ \d+ x{3,}$", false, false)]
    [InlineData(@"(?<!\d)7\b", false, false)]
    public async Task LargeFile_CountsAndLinesEqualAPerLineOracle(string pattern, bool literal, bool caseInsensitive)
    {
        var text = LargeText(out var straddling);
        _h.Write("big/data.txt", text);
        Assert.True(straddling < Chunk && straddling + "needle".Length > Chunk, "a needle straddles the first chunk boundary");

        var expected = Oracle(text, pattern, caseInsensitive);
        var count = await _h.InvokeAsync("grep", ("pattern", pattern), ("literal", literal), ("case_insensitive", caseInsensitive), ("path", "big"), ("output", "count"));
        var content = await _h.InvokeAsync("grep", ("pattern", pattern), ("literal", literal), ("case_insensitive", caseInsensitive), ("path", "big"), ("max_matches", 1000));

        Assert.NotEmpty(expected);
        Assert.Equal($"big/data.txt:{expected.Count}", Assert.Single(SearchHarness.Body(count)));
        var shown = SearchHarness.Body(content).Select(LineNumber).ToList();
        Assert.NotEmpty(shown); // a page may stop early at the output budget
        Assert.Equal(expected.Take(shown.Count), shown);
        Assert.StartsWith($"[{expected.Count} matching line", SearchHarness.Note(content), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeFile_NeedleAcrossTheFirstChunkBoundary_IsFoundOnce()
    {
        var text = LargeText(out var straddling);
        _h.Write("big/data.txt", text);
        var line = text[..straddling].Count(c => c == '\n') + 1;

        var output = await _h.InvokeAsync("grep", ("pattern", "needle 424242"), ("literal", true), ("path", "big"), ("context", 2));

        Assert.Equal([line - 2, line - 1, line, line + 1, line + 2], SearchHarness.Body(output).Select(LineNumber));
        Assert.Equal("[1 matching line in 1 file.]", SearchHarness.Note(output));
    }

    [Fact]
    public async Task LargeFile_LinesLongerThanAChunk_AreCountedAndCut()
    {
        var longLine = new string('a', 700_000) + "needle" + new string('b', 300_000);
        _h.Write("long/min.js", "short needle\n" + longLine + "\n" + string.Concat(Enumerable.Repeat("x\n", 1000)) + "tail needle");

        var output = await _h.InvokeAsync("grep", ("pattern", "needle"), ("path", "long"), ("context", 1));
        var count = await _h.InvokeAsync("grep", ("pattern", "needle"), ("path", "long"), ("output", "count"));
        var lines = SearchHarness.Body(output);

        Assert.Equal(["long/min.js:3"], SearchHarness.Body(count));
        Assert.Equal("long/min.js:1:short needle", lines[0]);
        Assert.StartsWith("long/min.js:2:…aaa", lines[1], StringComparison.Ordinal);
        Assert.EndsWith($"… [line cut: {longLine.Length} characters]", lines[1], StringComparison.Ordinal);
        Assert.Contains("needle", lines[1], StringComparison.Ordinal);
        Assert.Equal(["long/min.js-3-x", "--", "long/min.js-1002-x", "long/min.js:1003:tail needle"], lines[2..]);
    }

    [Fact]
    public async Task LargeFile_CrlfAndNoFinalLineBreak()
    {
        var builder = new StringBuilder();
        for (var i = 1; builder.Length < 3 * Chunk; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"line {i} {(i % 3 == 0 ? "end" : "more")}\r\n");
        }

        var text = builder.Append("last end").ToString();
        _h.Write("crlf/win.txt", text);
        var expected = Oracle(text, "end$", false);

        var count = await _h.InvokeAsync("grep", ("pattern", "end$"), ("path", "crlf"), ("output", "count"));
        var lastPage = await _h.InvokeAsync("grep", ("pattern", "end$"), ("path", "crlf"), ("max_matches", 1), ("offset", expected.Count - 1));

        Assert.Equal([$"crlf/win.txt:{expected.Count}"], SearchHarness.Body(count));
        Assert.Equal([$"crlf/win.txt:{expected[^1]}:last end"], SearchHarness.Body(lastPage));
    }

    [Fact]
    public async Task LargeFile_ByteOrderMarksAndBinaryStarts_AsForSmallFiles()
    {
        var body = "first needle\n" + string.Concat(Enumerable.Repeat("filler line without it\n", 20_000)) + "last needle\n";
        _h.WriteBytes("enc/utf8bom.txt", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(body)]);
        _h.WriteBytes("enc/utf16.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(body)]);
        var binary = Encoding.UTF8.GetBytes(body);
        binary[100] = 0;
        _h.WriteBytes("enc/binary.bin", binary);
        var lateNul = Encoding.UTF8.GetBytes(body);
        lateNul[9000] = 0; // beyond the 8 KiB probe: text, as for a small file
        _h.WriteBytes("enc/late-nul.txt", lateNul);

        var output = await _h.InvokeAsync("grep", ("pattern", "^first needle$"), ("path", "enc"));
        var count = await _h.InvokeAsync("grep", ("pattern", "needle"), ("path", "enc"), ("output", "count"));

        Assert.Equal(["enc/late-nul.txt:1:first needle", "enc/utf16.txt:1:first needle", "enc/utf8bom.txt:1:first needle"], SearchHarness.Body(output));
        Assert.Equal(["enc/late-nul.txt:2", "enc/utf16.txt:2", "enc/utf8bom.txt:2"], SearchHarness.Body(count));
        Assert.Contains("Skipped: 1 binary file.", SearchHarness.Note(count), StringComparison.Ordinal);
    }

    [SymlinkTheory]
    [InlineData(100)]
    [InlineData(400_000)]
    public async Task FileSwappedForALink_AfterTheWalk_IsNotReadThroughIt(int size)
    {
        File.WriteAllText(Path.Combine(_h.Outside, "secret.txt"), "needle secret\n");
        var victim = _h.Write("src/plain.txt", "needle".PadRight(size, ' ') + "\n");
        var swapped = 0;

        // The read check runs after the walk saw a regular file and before it is read: swap it for a link to a file
        // outside the root there (an attacker racing the search); the check itself was asked about the plain file.
        ReadAccess Check(string path)
        {
            if (path.EndsWith("/src/plain.txt", StringComparison.Ordinal) && Interlocked.Exchange(ref swapped, 1) == 0)
            {
                File.Delete(victim);
                File.CreateSymbolicLink(victim, Path.Combine(_h.Outside, "secret.txt"));
            }

            return ReadAccess.Allow;
        }

        var output = await _h.InvokeAsync("grep", Check, CancellationToken.None, ("pattern", "needle"), ("output", "count"));

        Assert.Equal(1, swapped);
        Assert.Empty(SearchHarness.Body(output));
        Assert.Contains("1 unreadable", SearchHarness.Note(output), StringComparison.Ordinal);
    }

    /// <summary>About 1.1 MB of numbered lines of varied length; every 97th and 101st hold a needle, and one needle straddles the first chunk boundary.</summary>
    private static string LargeText(out int straddling)
    {
        var builder = new StringBuilder();
        straddling = -1;
        for (var i = 1; builder.Length < 1_100_000; i++)
        {
            if (straddling < 0 && builder.Length > Chunk - 200)
            {
                // Pad the line so that "needle" starts 3 bytes before the boundary.
                var head = string.Create(CultureInfo.InvariantCulture, $"line {i} ");
                var pad = Chunk - 3 - builder.Length - head.Length;
                builder.Append(head).Append('p', pad);
                straddling = builder.Length;
                builder.Append("needle 424242\n");
                continue;
            }

            var fill = new string('x', (i * 37) % 150);
            builder.Append(
                i % 97 == 0 ? string.Create(CultureInfo.InvariantCulture, $"line {i} neeedle {i}\n")
                : i % 101 == 0 ? string.Create(CultureInfo.InvariantCulture, $"line {i} Needle {fill}NEEDLE\n")
                : string.Create(CultureInfo.InvariantCulture, $"line {i} {fill}\n"));
            if (i % 89 == 0)
            {
                builder.Append(CultureInfo.InvariantCulture, $"lower {i} xxxx\n");
            }
        }

        return builder.ToString();
    }

    /// <summary>The 1-based numbers of the lines .NET's Regex matches one by one (without their line break).</summary>
    private static List<int> Oracle(string text, string pattern, bool caseInsensitive)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Multiline | (caseInsensitive ? RegexOptions.IgnoreCase : RegexOptions.None));
        var lines = text.Split('\n');
        if (text.EndsWith('\n'))
        {
            lines = lines[..^1];
        }

        return [.. lines.Select((line, i) => (line.TrimEnd('\r'), i + 1)).Where(l => regex.IsMatch(l.Item1)).Select(l => l.Item2)];
    }

    private static int LineNumber(string output)
    {
        var parts = output.Split(':', '-');
        return int.Parse(parts[1], CultureInfo.InvariantCulture);
    }
}
