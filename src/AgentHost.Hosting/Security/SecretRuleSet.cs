using System.Buffers;

namespace AgentHost.Hosting.Security;

/// <summary>
/// The rules a <see cref="SecretScrubber"/> applies, with the keyword search that decides which of them run: the
/// built-in rules (<see cref="BuiltIn"/>, from the embedded <c>secret-rules.yaml</c>) and any the configuration adds
/// (<c>secrets.rules</c>, see <see cref="SecretRuleReader"/>).
/// </summary>
/// <remarks>
/// Immutable and thread-safe. One vectorised search over every rule's keywords (<see cref="SearchValues{T}"/>,
/// case-insensitive) finds the lines that may hold a secret; on such a line only the rules whose keywords it holds run,
/// in the set's order. Rules with a <see cref="SecretRule.BlockEnd"/> run over the whole text instead.
/// </remarks>
public sealed class SecretRuleSet
{
    private static readonly Lazy<SecretRuleSet> BuiltInRules = new(() => SecretRuleReader.LoadBuiltIn());

    private readonly SecretRule[] _rules;
    private readonly SearchValues<string> _keywords;
    private readonly SearchValues<string>? _holdKeywords;

    /// <summary>The keywords of the line rules by their first character (lower case), each with the rules it runs.</summary>
    private readonly Dictionary<char, (string Keyword, int[] Rules)[]> _byFirst;

    internal SecretRuleSet(IReadOnlyList<SecretRule> rules)
    {
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rule in rules)
        {
            if (!ids.Add(rule.Id))
            {
                throw new ArgumentException($"two secret rules have the id '{rule.Id}'; give each rule its own id", nameof(rules));
            }
        }

        _rules = [.. rules];
        BlockRules = [.. _rules.Where(rule => rule.BlockEnd is not null)];
        _keywords = SearchValues.Create([.. _rules.SelectMany(rule => rule.Keywords).Distinct(StringComparer.OrdinalIgnoreCase)], StringComparison.OrdinalIgnoreCase);
        var hold = _rules.Where(rule => !rule.OneWord && rule.BlockEnd is null).SelectMany(rule => rule.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _holdKeywords = hold.Length == 0 ? null : SearchValues.Create(hold, StringComparison.OrdinalIgnoreCase);
        _byFirst = _rules
            .Select((rule, index) => (rule, index))
            .Where(pair => pair.rule.BlockEnd is null)
            .SelectMany(pair => pair.rule.Keywords.Select(keyword => (Keyword: keyword.ToLowerInvariant(), pair.index)))
            .GroupBy(pair => pair.Keyword, StringComparer.Ordinal)
            .Select(group => (group.Key, Rules: group.Select(pair => pair.index).Distinct().ToArray()))
            .GroupBy(pair => pair.Key[0])
            .ToDictionary(group => group.Key, group => group.ToArray());
    }

    /// <summary>The built-in rules (loaded once per process, on first use).</summary>
    public static SecretRuleSet BuiltIn => BuiltInRules.Value;

    /// <summary>The rules, in the order they run.</summary>
    internal IReadOnlyList<SecretRule> Rules => _rules;

    /// <summary>The rules whose matches span lines (run over the whole text).</summary>
    internal IReadOnlyList<SecretRule> BlockRules { get; }

    /// <summary>This set with <paramref name="more"/> after its own rules.</summary>
    /// <param name="more">The rules to add (ids must not repeat).</param>
    /// <returns>The combined set (this one when there is nothing to add).</returns>
    internal SecretRuleSet With(IReadOnlyList<SecretRule> more)
    {
        ArgumentNullException.ThrowIfNull(more);
        return more.Count == 0 ? this : new SecretRuleSet([.. _rules, .. more]);
    }

    /// <summary>The first keyword of any rule in <paramref name="text"/>, or -1 (a vectorised search).</summary>
    internal int IndexOfKeyword(ReadOnlySpan<char> text) => text.IndexOfAny(_keywords);

    /// <summary>The first keyword after which a secret may still follow on the same line, or -1 (see <see cref="SecretStreamScrubber"/>).</summary>
    internal int IndexOfHoldKeyword(ReadOnlySpan<char> text) => _holdKeywords is null ? -1 : text.IndexOfAny(_holdKeywords);

    /// <summary>Runs both searches once, so that they are built and their code compiled.</summary>
    internal void WarmUp() => _ = IndexOfKeyword("warm-up") + IndexOfHoldKeyword("warm-up");

    /// <summary>Masks the secrets of one line (no line break inside) with the line rules whose keywords it holds.</summary>
    /// <param name="line">The line.</param>
    /// <returns>The masked line (the same instance when nothing matched).</returns>
    internal string ScrubLine(string line)
    {
        Span<bool> runs = _rules.Length <= 256 ? stackalloc bool[_rules.Length] : new bool[_rules.Length];
        var any = false;
        var span = line.AsSpan();
        for (var at = span.IndexOfAny(_keywords); at >= 0;)
        {
            if (_byFirst.TryGetValue(char.ToLowerInvariant(span[at]), out var candidates))
            {
                foreach (var (keyword, rules) in candidates)
                {
                    if (span[at..].StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
                    {
                        foreach (var rule in rules)
                        {
                            runs[rule] = true;
                            any = true;
                        }
                    }
                }
            }

            var next = span[(at + 1)..].IndexOfAny(_keywords);
            at = next < 0 ? -1 : at + 1 + next;
        }

        if (!any)
        {
            return line;
        }

        for (var i = 0; i < _rules.Length; i++)
        {
            if (runs[i])
            {
                line = _rules[i].Mask(line);
            }
        }

        return line;
    }

    /// <summary>Whether <paramref name="text"/> holds one of the keywords of <paramref name="rule"/>.</summary>
    internal static bool HasKeyword(SecretRule rule, ReadOnlySpan<char> text)
    {
        foreach (var keyword in rule.Keywords)
        {
            if (text.Contains(keyword, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
