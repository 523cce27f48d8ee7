using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Hosting.Security;
using BenchmarkDotNet.Attributes;

namespace AgentHost.Benchmarks;

/// <summary>
/// <see cref="SecretScrubber.Scrub"/> on what it sees on every delta and tool result: a typical streamed delta, a 24 KB
/// C# file (no secret, but "token" and "key" on many lines), 24 KB of prose, 24 KB of a config/log mix with many
/// keywords, and a text holding secrets; against the scrubber before issue #17 (its two patterns, no prefilter, the
/// baseline) and the one before issue #44 (hand-written source-generated patterns behind a marker search,
/// <see cref="SecretPatternsBefore44"/>), measured in the same run. <c>After</c> is the scrubber as it runs once its
/// compiled tier is ready (the warm-up iterations cover that); <c>AfterInterpreted</c> the same rules interpreted only.
/// Cost per MB: the time of a 24 KB input × 43.7.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public partial class SecretScrubberBenchmarks
{
    private static readonly SecretScrubber Scrubber = SecretScrubber.PatternsOnly;

    /// <summary>The same rules with interpreted expressions only (no compiled tier): what a run pays before the compiled tier is ready.</summary>
    private static readonly SecretScrubber InterpretedScrubber = new(null, InterpretedOnly(SecretRuleSet.BuiltIn));
    private string _input = string.Empty;

    [Params("delta", "code", "prose", "config", "secrets")]
    public string Input { get; set; } = "delta";

    [GlobalSetup]
    public void Setup()
    {
        var code = new StringBuilder();
        while (code.Length < 24_000)
        {
            code.Append("    public async Task<int> RunAsync(string path, CancellationToken cancellationToken = default)\n    {\n        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);\n        var key = CacheKey(path); // e3b0c44298fc1c149afbf4c8996fb92427ae41e4\n        return text.Length + key.Length;\n    }\n");
        }

        var prose = new StringBuilder();
        while (prose.Length < 24_000)
        {
            prose.Append("The build passes and the tests are green; the next step is to review the change and merge it into main. ");
        }

        var config = new StringBuilder();
        for (var i = 0; config.Length < 24_000; i++)
        {
            config.Append($"2026-11-25T06:{i % 60:D2}:00Z info request id={i} user_key=u{i} cache_key: build-cache-x64-{i} api_key_env: OPENAI_API_KEY auth: none token_count: {i}\n");
        }

        _input = Input switch
        {
            "delta" => "The build passes and the tests ",
            "code" => code.ToString(),
            "prose" => prose.ToString(),
            "config" => config.ToString(),
            _ => "DB_PASSWORD=" + new string('q', 20) + "\nkey " + "sk" + "-proj-" + new string('a', 40) + "1 and aws_secret_access_key = " + new string('B', 40) + "\n" + prose.ToString(0, 2000),
        };
    }

    [Benchmark(Baseline = true)]
    public string Before() => LegacyScrub(_input);

    [Benchmark]
    public string Before44() => SecretPatternsBefore44.Scrub(_input);

    [Benchmark]
    public string After() => Scrubber.Scrub(_input);

    [Benchmark]
    public string AfterInterpreted() => InterpretedScrubber.Scrub(_input);

    /// <summary>
    /// The built-in rules rebuilt with <c>tiered: false</c>. The rule's constructor, its definition record and the set's
    /// constructor are internal to Hosting, which shows its internals only to its own tests (#45), so they are bound by
    /// reflection here, once, outside what is measured; setup fails if they change rather than measuring something else.
    /// </summary>
    private static SecretRuleSet InterpretedOnly(SecretRuleSet rules)
    {
        const BindingFlags Instance = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        var hosting = typeof(SecretRule).Assembly;
        var definitionType = hosting.GetType("AgentHost.Hosting.Security.SecretRuleDefinition")
            ?? throw new InvalidOperationException("AgentHost.Hosting.Security.SecretRuleDefinition is gone; rebind the interpreted-only rules");
        var interpreted = rules.Rules.Select(rule => (SecretRule)Create(typeof(SecretRule), Activator.CreateInstance(definitionType, Instance, null,
            [rule.Id, rule.Description, rule.Pattern, rule.Keywords, rule.MinimumEntropy, rule.OneWord, rule.BlockEnd, Array.Empty<string>(), Array.Empty<string>()], null)!,
            RegexOptions.None, false)).ToList();
        return (SecretRuleSet)Create(typeof(SecretRuleSet), (IReadOnlyList<SecretRule>)interpreted);

        static object Create(Type type, params object[] arguments) =>
            Activator.CreateInstance(type, Instance, null, arguments, null)
            ?? throw new InvalidOperationException($"{type.Name}'s internal constructor is gone; rebind the interpreted-only rules");
    }

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
