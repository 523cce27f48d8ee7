using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Search;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests.Search;

/// <summary>
/// grep's second pass shows a page's lines from what the first pass kept (each file's first matching lines, their
/// numbers and byte offsets, and the file's identity; issue #25), reading only those lines and their context, instead
/// of reading the page's files whole and matching them again. The pages must be exactly what a per-line oracle of the
/// old behaviour gives — across chunk boundaries (256 KiB) and the backward reads of context (64 KiB), with CRLF, a
/// byte order mark, lines longer than a chunk, a NUL after the first chunk, no final line break, regexes searched as
/// bytes or decoded, and a page too far in for lines to be kept; a file changed between the passes is read again as
/// before; and files are opened again below the start folder, so a folder swapped for a link between the passes is not
/// read through.
/// </summary>
public sealed class KeptLinesGrepTests : IAsyncLifetime
{
    private const int Chunk = 256 * 1024;
    private static readonly string Home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private SearchHarness _h = null!;

    public async Task InitializeAsync() => _h = await SearchHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    public static TheoryData<string, bool, bool, int, int> Cases()
    {
        var data = new TheoryData<string, bool, bool, int, int>();
        foreach (var (pattern, literal) in new[] { ("needle", true), (@"needle \d+", false), (@"n.ed.e", false) })
        {
            foreach (var crlf in new[] { false, true })
            {
                foreach (var context in new[] { 0, 3 })
                {
                    // 1.3 MB is streamed by one thread; 4.5 MB is cut into segments searched by several.
                    data.Add(pattern, literal, crlf, context, 1_300_000);
                    data.Add(pattern, literal, crlf, context, 4_500_000);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task LargeFile_EveryPage_EqualsAPerLineOracle(string pattern, bool literal, bool crlf, int context, int size)
    {
        var text = LargeText(crlf, bom: false, size);
        _h.WriteBytes("big/data.txt", Encoding.UTF8.GetBytes(text));
        var regex = new Regex(literal ? Regex.Escape(pattern) : pattern, RegexOptions.CultureInvariant);

        await AssertPagesAsync("big/data.txt", text, regex, pattern, literal, context, pageSize: 9);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task LargeFile_WithAByteOrderMark_AndANulAfterTheFirstChunk(int context)
    {
        var text = "\uFEFF" + "needle 1 at the very start\n" + LargeText(crlf: false, bom: false, size: 3_000_000);
        var nul = text.IndexOf('\n', Chunk + 40_000) + 1;
        text = text[..nul] + "a NUL \0 after the first chunk, needle 77\nand \0 in a context line\n" + text[nul..];
        _h.WriteBytes("big/bom.txt", Encoding.UTF8.GetBytes(text));

        await AssertPagesAsync("big/bom.txt", text, new Regex(@"needle \d+"), @"needle \d+", literal: false, context, pageSize: 40);
    }

    [Fact]
    public async Task SmallFiles_InSeveralFolders_PagesEqualTheOracle()
    {
        var texts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 12; i++)
        {
            var body = new StringBuilder();
            for (var line = 1; line <= 40; line++)
            {
                body.Append(line % (i + 3) == 0 ? $"x needle {i} {line}\n" : $"row {line} of {i}\n");
            }

            var path = $"f{i % 3}/file{i:D2}.txt";
            texts[path] = body.ToString();
            _h.Write(path, texts[path]);
        }

        var regex = new Regex("needle");
        var expected = texts.SelectMany(t => Oracle(t.Key, t.Value, regex, context: 1, separateFirst: t.Key != texts.Keys.First())).ToList();
        var shown = await _h.InvokeAsync("grep", ("pattern", "needle"), ("context", 1), ("max_matches", 1000));

        Assert.Equal(expected, SearchHarness.Body(shown));
    }

    [Theory]
    [InlineData(@"handle[A-Z]\w*Event\(")]
    [InlineData(@"colou?r\b")]
    [InlineData(@"ab+c")]
    [InlineData(@"abc\d{2,}$")]
    [InlineData(@"abc(?<=xabc)\d")]
    public async Task ARegexStartingWithPlainText_MatchesTheLinesTheRegexMatches(string pattern)
    {
        // The regex is given a candidate line from its leading text's first occurrence on (not for lookbehinds):
        // earlier occurrences that do not match, later ones that do, quantifiers on the last letter, line ends.
        var text = string.Join('\n',
            "handle handleClickEvent(x)", "handleclick handleBadEvent handleGoodEvent(", "xhandleAEvent(", "handleaEvent(",
            "color", "colour", "colouur", "colr colour!", "abbbc", "ac abc", "abc12", "abc1 abc123", "abc12 x", "xabc7", "yabc7 xabc8",
            "handle" + new string('w', 5000) + " handleWEvent(", "no match here") + "\n";
        _h.Write("p/lines.txt", text);

        var output = await _h.InvokeAsync("grep", ("pattern", pattern), ("path", "p"));

        var expected = Oracle("p/lines.txt", text, new Regex(pattern), 0, false);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, SearchHarness.Body(output));
    }

    [Fact]
    public async Task APageTooFarIn_ForLinesToBeKept_IsReadWholeAsBefore()
    {
        var text = string.Concat(Enumerable.Range(1, 5000).Select(i => $"needle {i}\n"));
        _h.Write("many/lines.txt", text);

        var page = await _h.InvokeAsync("grep", ("pattern", "needle"), ("path", "many"), ("offset", 4500), ("max_matches", 5), ("context", 1));

        Assert.Equal(
            ["many/lines.txt:4500:needle 4500", "many/lines.txt:4501:needle 4501", "many/lines.txt:4502:needle 4502", "many/lines.txt:4503:needle 4503",
             "many/lines.txt:4504:needle 4504", "many/lines.txt:4505:needle 4505", "many/lines.txt:4506:needle 4506"],
            SearchHarness.Body(page));
    }

    [LinuxTheory("the file's identity (statx) and pass 2's openat below the start folder")]
    [InlineData("shifted")]
    [InlineData("shrunk")]
    [InlineData("grown")]
    public async Task AFileChangedBetweenThePasses_IsReadAgainAsItIsNow(string change)
    {
        // One search thread: a folder's own files are searched before its subfolders, so z/last.txt's read check
        // changes big.txt after pass 1 read it and before pass 2 shows it.
        await using var harness = await SearchHarness.CreateAsync(new Dictionary<string, string> { ["search_threads"] = "1" });
        var before = LargeText(crlf: false, bom: false);
        harness.Write("a/big.txt", before);
        harness.Write("a/z/last.txt", "nothing here\n");
        var after = change switch
        {
            "shifted" => "three\nnew\nlines\n" + before,
            "shrunk" => before[..(before.IndexOf('\n', Chunk + 10_000) + 1)],
            _ => before + "needle 999 appended\n",
        };
        var changed = 0;
        var check = harness.YoloReadCheck(Home);

        ReadAccess Walked(string path)
        {
            if (path.EndsWith("/a/z/last.txt", StringComparison.Ordinal) && Interlocked.Exchange(ref changed, 1) == 0)
            {
                // Rewritten in place: same inode, another size.
                File.WriteAllText(Path.Combine(harness.Workspace, "a", "big.txt"), after);
            }

            return check.CheckWalkedFile(path);
        }

        var regex = new Regex(@"needle \d+");
        var countBefore = Oracle("a/big.txt", before, regex, 0, false).Count;
        var output = await harness.InvokeAsync("grep", check.Check, Walked, CancellationToken.None, ("pattern", @"needle \d+"), ("max_matches", 1000));

        Assert.Equal(1, changed);
        // Pass 1 counted the file as it was; pass 2 shows the file as it is now (up to that count), as it always did.
        var shown = SearchHarness.Body(output);
        Assert.True(shown.Length > 10, output);
        Assert.Equal(Oracle("a/big.txt", after, regex, 0, false).Take(Math.Min(countBefore, shown.Length)), shown);
        Assert.StartsWith($"[{countBefore} matching lines in 1 file", SearchHarness.Note(output), StringComparison.Ordinal);
    }

    [LinuxFact("openat with O_NOFOLLOW below the start folder")]
    public async Task AFolderSwappedForALinkBetweenThePasses_IsNotReadThrough()
    {
        await using var harness = await SearchHarness.CreateAsync(new Dictionary<string, string> { ["search_threads"] = "1" });
        // One search thread: a/doc.txt is searched before a/z/, whose file's read check swaps a/ for a link.
        harness.Write("a/doc.txt", "needle inside\n");
        harness.Write("a/z/last.txt", "nothing here\n");
        Directory.CreateDirectory(Path.Combine(harness.Outside, "loot"));
        File.WriteAllText(Path.Combine(harness.Outside, "loot", "doc.txt"), "needle SECRET outside\n");
        var swapped = 0;
        var check = harness.YoloReadCheck(Home);

        ReadAccess Walked(string path)
        {
            if (path.EndsWith("/a/z/last.txt", StringComparison.Ordinal) && Interlocked.Exchange(ref swapped, 1) == 0)
            {
                // a/ was searched (pass 1); before pass 2 shows its lines it becomes a link to a folder outside.
                harness.SwapFolderForLink("a", Path.Combine(harness.Outside, "loot"));
            }

            return check.CheckWalkedFile(path);
        }

        var output = await harness.InvokeAsync("grep", check.Check, Walked, CancellationToken.None, ("pattern", "needle"));

        Assert.Equal(1, swapped);
        Assert.DoesNotContain("SECRET", output, StringComparison.Ordinal);
        Assert.Empty(SearchHarness.Body(output)); // a/doc.txt matched in pass 1, but is not reachable without the link now
        Assert.StartsWith("[1 matching line in 1 file", SearchHarness.Note(output), StringComparison.Ordinal);
    }

    [LinuxFact("openat with O_NOFOLLOW below the start folder")]
    public async Task AFolderOfManyFiles_TakenInBatchesByOtherThreads_IsReadInTheListedFolder()
    {
        // More than two batches of files: after the first 64, other workers take them; they too must open the files
        // in the folder that was listed, not by path through the link swapped in for it.
        await using var harness = await SearchHarness.CreateAsync(new Dictionary<string, string> { ["search_threads"] = "2" });
        var names = Enumerable.Range(0, 300).Select(i => $"f{i:D3}.txt").ToList();
        var check = harness.YoloReadCheck(Home);
        var swap = harness.SwapAfterItsFirstFile(check, "sub", names);

        var output = await harness.InvokeAsync("grep", check.Check, swap.Walked, CancellationToken.None, ("pattern", "needle"), ("output", "count"), ("max_matches", 1000));

        Assert.Equal(1, swap.Swaps);
        Assert.Equal(names.Select(n => $"sub/{n}:1"), SearchHarness.Body(output));
    }

    /// <summary>Pages of 9 or so through every match, concatenated, equal the oracle; and one page of all of them.</summary>
    private async Task AssertPagesAsync(string path, string text, Regex regex, string pattern, bool literal, int context, int pageSize)
    {
        var oracle = new OracleText(text, regex);
        var all = oracle.Page(path, context, separateFirst: false);
        var matches = oracle.Matched.Count;
        Assert.True(matches > 20, "the text has matches to page through");

        var whole = await _h.InvokeAsync("grep", ("pattern", pattern), ("literal", literal), ("context", context), ("path", Path.GetDirectoryName(path)!), ("max_matches", 1000));
        // One page of all: it stops at the output budget, after whole groups.
        var shown = SearchHarness.Body(whole);
        Assert.True(shown.Length > 20);
        Assert.Equal(all.Take(shown.Length), shown);
        Assert.StartsWith($"[{matches} matching lines in 1 file", SearchHarness.Note(whole), StringComparison.Ordinal);

        for (var offset = 0; offset < matches; offset += pageSize * (matches > 600 ? 3 : 1))
        {
            var page = await _h.InvokeAsync("grep", ("pattern", pattern), ("literal", literal), ("context", context), ("path", Path.GetDirectoryName(path)!), ("offset", offset), ("max_matches", pageSize));
            Assert.Equal(oracle.Page(path, context, separateFirst: false, offset, pageSize), SearchHarness.Body(page));
        }
    }

    /// <summary>
    /// A long matching line is shown as the 500 characters around its match. For plain text the bytes around the match
    /// are decoded and the rest is only counted (not the whole line decoded), so what is shown must equal decoding the
    /// whole line, whatever the bytes: 2-, 3- and 4-byte characters (a 4-byte one is two UTF-16 characters), invalid
    /// bytes (stray continuation bytes and runs of them, cut sequences, overlong and surrogate encodings) anywhere,
    /// including right before the match and where the decoded part starts, matches near either end, two in a line,
    /// lines read whole (a small file) and through the kept lines (a file larger than a chunk), with context.
    /// </summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 2)]
    [InlineData(3, 0)]
    [InlineData(4, 1)]
    public async Task LongLinesOfAnyBytes_ShowThePartAroundTheMatch_AsDecodingTheWholeLineDoes(int seed, int context)
    {
        var random = new Random(seed);
        var small = LongLines(random, lines: 12, longest: 20_000);
        var large = LongLines(random, lines: 40, longest: 300_000);
        Assert.True(small.Length < Chunk && large.Length > Chunk);
        _h.WriteBytes("ll/a-small.txt", small);
        _h.WriteBytes("ll/b-large.txt", large);
        var regex = new Regex("needle");
        foreach (var (path, bytes) in new[] { ("ll/a-small.txt", small), ("ll/b-large.txt", large) })
        {
            var text = Encoding.UTF8.GetString(bytes);
            var oracle = new OracleText(text, regex);
            var matches = oracle.Matched.Count;
            Assert.Contains(oracle.Page(path, context, separateFirst: false), line => line.Contains('\uFFFD', StringComparison.Ordinal) && line.Contains(":…", StringComparison.Ordinal));

            // In pages, so that no page stops at the output budget.
            for (var offset = 0; offset < matches; offset += 3)
            {
                var page = await _h.InvokeAsync("grep", ("pattern", "needle"), ("literal", true), ("path", path), ("context", context), ("offset", offset), ("max_matches", 3));
                Assert.Equal(oracle.Page(path, context, separateFirst: false, offset, 3), SearchHarness.Body(page));
            }
        }
    }

    /// <summary>Lines of random characters and invalid bytes (no line break, no NUL), most of them long, two thirds holding "needle" once or twice.</summary>
    private static byte[] LongLines(Random random, int lines, int longest)
    {
        byte[][] pieces =
        [
            "abc "u8.ToArray(), "é"u8.ToArray(), "€"u8.ToArray(), "中文"u8.ToArray(), "😀"u8.ToArray(), "x"u8.ToArray(),
            [0x80], [0x80, 0x80, 0x80, 0x80, 0x80], [0xE2], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC0, 0xAF], [0xFF],
            [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE0, 0x80, 0xAF],
        ];
        var needle = "needle"u8.ToArray();
        var output = new List<byte>();
        for (var line = 0; line < lines; line++)
        {
            var length = random.Next(4) switch { 0 => 300, 1 => 2_000, 2 => longest / 10, _ => longest };
            var body = new List<byte>("row "u8.ToArray());
            while (body.Count < length)
            {
                body.AddRange(pieces[random.Next(pieces.Length)]);
            }

            if (random.Next(3) > 0)
            {
                foreach (var at in random.Next(4) == 0 ? new[] { random.Next(body.Count), random.Next(body.Count) } : [Place(random, body.Count)])
                {
                    body.InsertRange(at, random.Next(2) == 0 ? needle : [.. pieces[6 + random.Next(10)], .. needle]);
                }
            }

            output.AddRange(body);
            output.Add((byte)'\n');
        }

        return [.. output];
    }

    /// <summary>Where the match goes: near the start, near the end, or anywhere.</summary>
    private static int Place(Random random, int length) => random.Next(3) switch
    {
        0 => Math.Min(length, random.Next(400)),
        1 => Math.Max(0, length - random.Next(1, 1_600)),
        _ => random.Next(length),
    };

    /// <summary>
    /// About 1.3 MB: short lines, a few of 40,000 characters (cut when shown), needles straddling every 64 KiB and
    /// 256 KiB boundary, one in a line longer than a chunk, and a last line without a line break that matches.
    /// </summary>
    private static string LargeText(bool crlf, bool bom, int size = 1_300_000)
    {
        var eol = crlf ? "\r\n" : "\n";
        var text = new StringBuilder(bom ? "\uFEFF" : string.Empty);
        var random = new Random(25);
        var boundary = 64 * 1024;
        var needle = 0;
        for (var line = 1; text.Length < size; line++)
        {
            if (text.Length + 200 > boundary)
            {
                // A needle across the boundary (bytes equal characters: the text is ASCII).
                var pad = Math.Max(0, boundary - 3 - text.Length);
                text.Append(new string('p', pad)).Append(CultureInfo.InvariantCulture, $"needle {++needle} straddles {boundary}").Append(eol);
                boundary += 64 * 1024;
                continue;
            }

            if (line % 997 == 0)
            {
                text.Append(new string('L', 20_000)).Append(CultureInfo.InvariantCulture, $" needle {++needle} in a long line ").Append(new string('M', 20_000)).Append(eol);
            }
            else if (line == 5000)
            {
                text.Append(new string('q', Chunk + 5000)).Append(CultureInfo.InvariantCulture, $" needle {++needle} ends a line longer than a chunk").Append(eol);
            }
            else if (random.Next(40) == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"row {line} needle {++needle} {new string('x', random.Next(100))}").Append(eol);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"row {line} {new string('y', random.Next(150))}").Append(eol);
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"the last line: needle {++needle}, no line break");
        return text.ToString();
    }

    private static List<string> Lines(string text)
    {
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        var lines = text.Split('\n').ToList();
        if (lines.Count > 1 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return [.. lines.Select(l => l.EndsWith('\r') ? l[..^1] : l)];
    }

    /// <summary>The body grep shows for one file, all its matches with context, in grep's format (<see cref="OracleText.Page"/> for one page).</summary>
    private static List<string> Oracle(string path, string text, Regex regex, int context, bool separateFirst) =>
        new OracleText(text, regex).Page(path, context, separateFirst);

    /// <summary>
    /// A per-line oracle of grep's output for one text: the text is split and matched once, so that paging through a
    /// 4.5 MB file asks for each page without splitting and matching the whole text again.
    /// </summary>
    private sealed class OracleText(string text, Regex regex)
    {
        private readonly List<string> _lines = Lines(text);

        public List<int> Matched => field ??= [.. _lines.Select((line, i) => (line, i)).Where(x => regex.IsMatch(x.line)).Select(x => x.i + 1)];

        /// <summary>Matches [offset, offset + max) with context, in grep's format.</summary>
        public List<string> Page(string path, int context, bool separateFirst, int offset = 0, int max = 1000)
        {
            var lines = _lines;
            var matched = Matched;
            var to = Math.Min(matched.Count, offset + max);
            var output = new List<string>();
            var lastPrinted = 0;
            for (var m = offset; m < to; m++)
            {
                var number = matched[m];
                var low = Math.Max(Math.Max(1, number - context), lastPrinted + 1);
                var high = Math.Min(lines.Count, number + context);
                if (context > 0 && (lastPrinted > 0 ? low > lastPrinted + 1 : separateFirst))
                {
                    output.Add("--");
                }

                for (var n = low; n <= high; n++)
                {
                    if (n > number && m + 1 < to && n >= matched[m + 1])
                    {
                        break;
                    }

                    var isMatch = matched.BinarySearch(n) >= 0;
                    output.Add($"{path}{(isMatch ? ':' : '-')}{n}{(isMatch ? ':' : '-')}{Cut(lines[n - 1], isMatch, regex)}");
                    lastPrinted = n;
                }
            }

            return output;
        }
    }

    private static string Cut(string line, bool isMatch, Regex regex)
    {
        if (line.Length <= 500)
        {
            return line;
        }

        var column = isMatch ? regex.Match(line).Index : 0;
        var start = isMatch ? Math.Max(0, Math.Min(column - 100, line.Length - 500)) : 0;
        return string.Concat(start > 0 ? "…" : string.Empty, line.AsSpan(start, 500), $"… [line cut: {line.Length} characters]");
    }
}
