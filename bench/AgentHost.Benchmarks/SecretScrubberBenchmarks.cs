using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Hosting.Security;
using BenchmarkDotNet.Attributes;

namespace AgentHost.Benchmarks;

/// <summary>
/// <see cref="SecretScrubber.Scrub"/> on what it sees on every delta and tool result: a typical streamed delta, a 24 KB
/// C# file (no secret, but "token" on many lines), 24 KB of prose, and a text holding secrets; against the scrubber
/// before issue #17 (its two patterns, no prefilter) measured in the same run.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public partial class SecretScrubberBenchmarks
{
    private static readonly SecretScrubber Scrubber = SecretScrubber.PatternsOnly;
    private string _input = string.Empty;

    [Params("delta", "code", "prose", "secrets")]
    public string Input { get; set; } = "delta";

    [GlobalSetup]
    public void Setup()
    {
        var code = new StringBuilder();
        while (code.Length < 24_000)
        {
            code.Append("    public async Task<int> RunAsync(string path, CancellationToken cancellationToken = default)\n    {\n        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);\n        return text.Length; // e3b0c44298fc1c149afbf4c8996fb92427ae41e4\n    }\n");
        }

        var prose = new StringBuilder();
        while (prose.Length < 24_000)
        {
            prose.Append("The build passes and the tests are green; the next step is to review the change and merge it into main. ");
        }

        _input = Input switch
        {
            "delta" => "The build passes and the tests ",
            "code" => code.ToString(),
            "prose" => prose.ToString(),
            _ => "DB_PASSWORD=" + new string('q', 20) + "\nkey " + "sk" + "-proj-" + new string('a', 40) + "1 and aws_secret_access_key = " + new string('B', 40) + "\n" + prose.ToString(0, 2000),
        };
    }

    [Benchmark(Baseline = true)]
    public string Before() => LegacyScrub(_input);

    [Benchmark]
    public string After() => Scrubber.Scrub(_input);

    private static string LegacyScrub(string text)
    {
        text = LegacyBearer().Replace(text, m => m.Groups[1].Value + SecretScrubber.Mask);
        return LegacyTokens().Replace(text, SecretScrubber.Mask);
    }

    [GeneratedRegex(@"\b((?i:bearer)\s+)[A-Za-z0-9._~+/=-]{8,}")]
    private static partial Regex LegacyBearer();

    [GeneratedRegex(
        @"sk-[A-Za-z0-9_-]{20,}|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{22,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bxox[abeprs]-[A-Za-z0-9-]{10,}|\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")]
    private static partial Regex LegacyTokens();
}
