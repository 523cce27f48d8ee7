using System.Text.RegularExpressions;

namespace AgentHost.Hosting.Security;

/// <summary>
/// One secret pattern of the <see cref="SecretScrubber"/>, read from data: the built-in rules
/// (<c>secret-rules.yaml</c>, embedded) or the configuration's <c>secrets.rules</c> (see <see cref="SecretRuleSet"/>).
/// </summary>
/// <remarks>
/// Immutable and thread-safe. The expression is built on first use: most text holds none of a rule's keywords, so most
/// rules of a run are never built. It is built twice, in tiers: interpreted at once (microseconds, so the first scrub
/// of a line with a keyword does not wait), and, once the rule has run <see cref="CompileAfterUses"/> times, compiled to
/// IL on a pool thread, which replaces it when ready (a few times faster on text with many keywords; a rule a run meets
/// only now and then never pays the compile's memory and time; docs/decisions/0015-secret-patterns-as-data.md). What is
/// masked is the group named
/// <c>secret</c> when the expression has one (the rest of the match, such as the name in <c>password=…</c>, is kept),
/// else the whole match.
/// </remarks>
internal sealed class SecretRule
{
    private const string SecretGroup = "secret";

    /// <summary>How many runs of a rule's interpreted expression start its compiled tier.</summary>
    internal const int CompileAfterUses = 32;

    private readonly Lazy<Regex> _regex;
    private readonly RegexOptions _options;
    private readonly bool _tiered;
    private Regex? _compiled;
    private int _uses;

    internal SecretRule(SecretRuleDefinition definition, RegexOptions options, bool tiered = true)
    {
        _tiered = tiered;
        Id = definition.Id;
        Description = definition.Description;
        Pattern = definition.Pattern;
        Keywords = definition.Keywords;
        MinimumEntropy = definition.MinimumEntropy;
        OneWord = definition.OneWord;
        BlockEnd = definition.BlockEnd;
        Examples = definition.Examples;
        Counterexamples = definition.Counterexamples;
        _options = options | RegexOptions.CultureInvariant;
        _regex = new Lazy<Regex>(BuildInterpreted, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The rule's id (kebab-case, unique in a set).</summary>
    public string Id { get; }

    /// <summary>What the rule finds.</summary>
    public string Description { get; }

    /// <summary>The regular expression.</summary>
    public string Pattern { get; }

    /// <summary>Literal text (any case), one of which every match contains: the rule runs only on lines holding one.</summary>
    public IReadOnlyList<string> Keywords { get; }

    /// <summary>The least Shannon entropy, in bits per character, a secret must have to be masked; <see langword="null"/> for any.</summary>
    public double? MinimumEntropy { get; }

    /// <summary>Whether a match never holds white space (a token), so a stream only holds back its last word for it.</summary>
    public bool OneWord { get; }

    /// <summary>For a rule whose match spans lines (a private key block): the literal that ends it; otherwise <see langword="null"/>.</summary>
    public string? BlockEnd { get; }

    /// <summary>Texts the rule must mask (with the test generators' placeholders, see <c>secret-rules.yaml</c>).</summary>
    public IReadOnlyList<string> Examples { get; }

    /// <summary>Texts the whole rule set must leave alone.</summary>
    public IReadOnlyList<string> Counterexamples { get; }

    /// <summary>
    /// The expression: the compiled one once it is ready, the interpreted one until then (built on first use). The
    /// <see cref="CompileAfterUses"/>th read starts the compile.
    /// </summary>
    internal Regex Regex
    {
        get
        {
            if (Volatile.Read(ref _compiled) is { } compiled)
            {
                return compiled;
            }

            if (_tiered && Interlocked.Increment(ref _uses) == CompileAfterUses)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static rule => Volatile.Write(ref rule._compiled, new Regex(rule.Pattern, rule._options | RegexOptions.Compiled)), this, preferLocal: false);
            }

            return _regex.Value;
        }
    }

    /// <summary>Whether the compiled tier has replaced the interpreted expression.</summary>
    internal bool IsCompiled => Volatile.Read(ref _compiled) is not null;

    /// <summary>Returns <paramref name="text"/> with every match of this rule masked.</summary>
    /// <param name="text">The text (a line, or the whole text for a block rule).</param>
    /// <returns>The masked text (the same instance when nothing matched).</returns>
    internal string Mask(string text) => Regex.Replace(text, MaskMatch);

    /// <summary>The Shannon entropy of <paramref name="text"/> in bits per character.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The entropy (0 for empty text).</returns>
    internal static double Entropy(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        var counts = new Dictionary<char, int>();
        foreach (var c in text)
        {
            counts[c] = counts.GetValueOrDefault(c) + 1;
        }

        var entropy = 0.0;
        foreach (var count in counts.Values)
        {
            var p = (double)count / text.Length;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }

    private Regex BuildInterpreted() => new(Pattern, _options);

    private string MaskMatch(Match match)
    {
        var secret = match.Groups[SecretGroup] is { Success: true } group ? (Group)group : match;
        if (MinimumEntropy is { } minimum && Entropy(secret.ValueSpan) < minimum)
        {
            return match.Value;
        }

        var start = secret.Index - match.Index;
        return string.Concat(match.ValueSpan[..start], SecretScrubber.Mask, match.ValueSpan[(start + secret.Length)..]);
    }
}

/// <summary>The fields of a <see cref="SecretRule"/> as read from data, before its expression is built.</summary>
internal sealed record SecretRuleDefinition(
    string Id,
    string Description,
    string Pattern,
    IReadOnlyList<string> Keywords,
    double? MinimumEntropy,
    bool OneWord,
    string? BlockEnd,
    IReadOnlyList<string> Examples,
    IReadOnlyList<string> Counterexamples);
