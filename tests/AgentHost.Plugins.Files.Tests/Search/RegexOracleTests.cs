using System.Text.RegularExpressions;
using AgentHost.Tests.Search;

namespace AgentHost.Plugins.Files.Tests.Search;

/// <summary>
/// grep's fast paths (byte search for plain text, a required-literal pre-filter for regexes, whole-file regex scans)
/// against the plainest oracle: .NET's Regex run on every line of every file. Counts per file must agree.
/// </summary>
public sealed class RegexOracleTests : IAsyncLifetime
{
    private static readonly string[] Texts =
    [
        "color colour colr\nthe ac abc abbbc\nyz xyz xxyz xxxyz\nbarbaz foobarbaz\nfoo only\nbar only\n",
        "Hello   world\nhello world\nHELLO WORLD\n    return x;\nreturned\nint count = 3;\nint  x=4;\n",
        "a.b axb\nq u qu quit\nxyz yz\nabcd abccd abcccd abd\nAbc ello Ello\ncafé naïve NAÏVE\n",
        "end\r\nthe end\r\nending\r\n555-1234 55-1234\r\nx\r\n   y\r\nx \r\n y\r\n",
        "\uFEFFstart with bom\nline two 123-4567\n",
    ];

    private SearchHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SearchHarness.CreateAsync();
        for (var i = 0; i < Texts.Length; i++)
        {
            _h.Write($"t{i}.txt", Texts[i]);
        }
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData("colou?r", false)]
    [InlineData("ab*c", false)]
    [InlineData("x{0,2}yz", false)]
    [InlineData("(foo)?barbaz", false)]
    [InlineData("foo|bar", false)]
    [InlineData("[Hh]ello\\s+world", false)]
    [InlineData("^\\s*return\\b", false)]
    [InlineData("\\bint\\s+\\w+\\s*=", false)]
    [InlineData("a\\.b", false)]
    [InlineData("hello world", true)]
    [InlineData("(?i)HELLO", false)]
    [InlineData("end$", false)]
    [InlineData("^end", false)]
    [InlineData("\\d{3}-\\d{4}", false)]
    [InlineData("q(?=u)", false)]
    [InlineData("(?<=x)yz", false)]
    [InlineData("abc+d", false)]
    [InlineData("abc{2}d", false)]
    [InlineData("abc{0}d", false)]
    [InlineData("ab{1,}c", false)]
    [InlineData("\\p{Lu}llo", false)]
    [InlineData("ïve", false)]
    [InlineData("naïve", true)]
    [InlineData("x\\s+y", false)]
    [InlineData("\\s+y", false)]
    [InlineData("^start", false)]
    [InlineData("colo(u)?r", true)]
    [InlineData("^$", false)]
    [InlineData("ELLO", true)]
    [InlineData("colo\\w+ colr", false)]
    [InlineData("HELLO\\s+WORLD", true)]
    [InlineData("abc\\w*d abd", false)]
    [InlineData("return\\w* x", false)]
    public async Task CountsPerFile_AgreeWithRegexOnEachLine(string pattern, bool ignoreCase)
    {
        var expected = new List<string>();
        var regex = new Regex(pattern, RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));
        for (var i = 0; i < Texts.Length; i++)
        {
            var lines = Texts[i].TrimStart('\uFEFF').Split('\n');
            if (lines[^1].Length == 0)
            {
                lines = lines[..^1];
            }

            var count = lines.Count(line => regex.IsMatch(line.TrimEnd('\r')));
            if (count > 0)
            {
                expected.Add($"t{i}.txt:{count}");
            }
        }

        var output = await _h.InvokeAsync("grep", ("pattern", pattern), ("case_insensitive", ignoreCase), ("output", "count"));

        Assert.Equal(expected, SearchHarness.Body(output));
    }

    [Theory]
    [InlineData("a.b(", "t2.txt:0")]
    [InlineData("NAÏVE", "t2.txt:1")]
    public async Task LiteralText_IsFoundAsWritten(string text, string expected)
    {
        var output = await _h.InvokeAsync("grep", ("pattern", text), ("literal", true), ("output", "count"));

        if (expected.EndsWith(":0", StringComparison.Ordinal))
        {
            Assert.Empty(SearchHarness.Body(output));
        }
        else
        {
            Assert.Equal([expected], SearchHarness.Body(output));
        }
    }
}
