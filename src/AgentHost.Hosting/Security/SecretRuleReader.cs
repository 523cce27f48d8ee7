using System.Globalization;
using System.Text.RegularExpressions;
using AgentHost.Hosting.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AgentHost.Hosting.Security;

/// <summary>
/// Reads secret rules from data: the built-in <c>secret-rules.yaml</c> (embedded in this assembly) and the
/// configuration's <c>secrets.rules</c> list (docs/sessions.md, "Your own secret rules").
/// </summary>
/// <remarks>
/// Configured rules are compiled with the linear-time engine (<see cref="RegexOptions.NonBacktracking"/>), so no
/// configured expression can make scrubbing slow whatever text it meets (no lookarounds or backreferences there; the
/// syntax of gitleaks' rules fits). The built-in rules use the backtracking engine and are covered by tests.
/// </remarks>
public static class SecretRuleReader
{
    private const string ResourceName = "AgentHost.Hosting.Security.secret-rules.yaml";
    private const string ConfigPrefix = "secrets.rules";

    /// <summary>How the built-in rules' expressions are compiled.</summary>
    internal const RegexOptions BuiltInOptions = RegexOptions.None;

    /// <summary>The built-in rules (see <see cref="SecretRuleSet.BuiltIn"/>).</summary>
    /// <param name="withExamples">
    /// Whether to keep each rule's examples and counterexamples: only the tests use them, so a run reads past them.
    /// </param>
    internal static SecretRuleSet LoadBuiltIn(bool withExamples = false)
    {
        using var stream = typeof(SecretRuleReader).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream);
        return new SecretRuleSet(Parse(reader, ResourceName, withExamples));
    }

    /// <summary>Reads rules in the shape of <c>secret-rules.yaml</c>, with their examples.</summary>
    /// <param name="yaml">The text.</param>
    /// <param name="source">The file, for messages.</param>
    /// <returns>The rules, in file order.</returns>
    /// <exception cref="AgentHostException">The text is not a valid rule file (the message names the line and field).</exception>
    internal static List<SecretRule> Parse(string yaml, string source) => Parse(new StringReader(yaml), source, withExamples: true);

    // Read as a stream of parser events, not a document tree: every start reads the built-in file, and the tree of its
    // 17 KB (with the examples, which only tests use) allocated about 535 KB.
    private static List<SecretRule> Parse(TextReader text, string source, bool withExamples)
    {
        var parser = new Parser(text);
        try
        {
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _) || !parser.TryConsume<MappingStart>(out _))
            {
                throw Problem(source, 1, "the file", "is not a YAML mapping with 'rules'");
            }

            var fragments = new Dictionary<string, string>(StringComparer.Ordinal);
            List<SecretRule>? rules = null;
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>();
                switch (key.Value)
                {
                    case "fragments" when rules is not null:
                        // Read as a stream, a rule's {{name}} is resolved when the rule is read: the parts must come first.
                        throw Problem(source, key.Start.Line, "fragments", "comes after 'rules'; write 'fragments:' before 'rules:', since the rules use them");
                    case "fragments":
                        ReadFragments(parser, source, fragments);
                        break;
                    case "rules":
                        rules = ReadRules(parser, source, fragments, withExamples);
                        break;
                    default:
                        throw Problem(source, key.Start.Line, key.Value, "is not a section of a rule file; write 'fragments' and 'rules'");
                }
            }

            return rules ?? throw Problem(source, 1, "rules", "is missing; write a list of rules under 'rules:'");
        }
        catch (YamlException e)
        {
            throw Problem(source, e.Start.Line, "the file", $"is not valid YAML ({e.Message})");
        }
        catch (InvalidOperationException e)
        {
            // Some shapes (an unclosed flow list followed by a key) make YamlDotNet's parser throw without a position.
            throw Problem(source, parser.Current?.Start.Line ?? 1, "the file", $"is not valid YAML ({e.Message}); check the brackets and indentation there");
        }
    }

    private static void ReadFragments(Parser parser, string source, Dictionary<string, string> fragments)
    {
        var start = parser.Current?.Start.Line ?? 1;
        if (!parser.TryConsume<MappingStart>(out _))
        {
            throw Problem(source, start, "fragments", "is not a mapping of names to expression parts");
        }

        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var name = parser.Consume<Scalar>();
            fragments[name.Value] = Scalar(parser, source, "fragments");
        }
    }

    private static List<SecretRule> ReadRules(Parser parser, string source, Dictionary<string, string> fragments, bool withExamples)
    {
        if (!parser.TryConsume<SequenceStart>(out _))
        {
            throw Problem(source, parser.Current?.Start.Line ?? 1, "rules", "is missing; write a list of rules under 'rules:'");
        }

        var rules = new List<SecretRule>();
        var anchors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            var line = parser.Current?.Start.Line ?? 1;
            if (!parser.TryConsume<MappingStart>(out _))
            {
                throw Problem(source, line, "rules", "holds an item that is not a mapping");
            }

            string? id = null, description = null, regex = null, entropy = null, oneWord = null, blockEnd = null;
            IReadOnlyList<string> keywords = [], examples = [], counterexamples = [];
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var field = parser.Consume<Scalar>();
                switch (field.Value)
                {
                    case "id": id = Scalar(parser, source, "id"); break;
                    case "description": description = Scalar(parser, source, "description"); break;
                    case "regex": regex = Scalar(parser, source, "regex"); break;
                    case "entropy": entropy = Scalar(parser, source, "entropy"); break;
                    case "one_word": oneWord = Scalar(parser, source, "one_word"); break;
                    case "block_end": blockEnd = Scalar(parser, source, "block_end"); break;
                    case "keywords": keywords = Scalars(parser, source, "keywords", anchors); break;
                    case "examples" or "counterexamples" when !withExamples: parser.SkipThisAndNestedEvents(); break;
                    case "examples": examples = Scalars(parser, source, "examples", anchors); break;
                    case "counterexamples": counterexamples = Scalars(parser, source, "counterexamples", anchors); break;
                    default: throw Problem(source, field.Start.Line, field.Value, "is not a field of a rule (id, description, keywords, regex, entropy, one_word, block_end, examples, counterexamples)");
                }
            }

            var pattern = WithFragments(regex ?? string.Empty, fragments);
            var definition = new SecretRuleDefinition(
                id ?? string.Empty,
                description ?? string.Empty,
                pattern,
                keywords,
                entropy is null ? null : Number(entropy, source, line),
                oneWord is not null && (bool.TryParse(oneWord, out var word) ? word : throw Problem(source, line, "one_word", $"'{oneWord}' is not true or false")),
                blockEnd,
                examples,
                counterexamples);
            // The built-in expressions are not compiled here to be checked: each is built on its rule's first use, and
            // SecretRuleTests runs every rule on its examples (26 expressions parsed at every start cost ~260 KB).
            rules.Add(Build(definition, BuiltInOptions, f => $"{source}:{line}: rule '{definition.Id}', {f}", checkPattern: false));
        }

        return rules;
    }

    /// <summary>The built-in rules with the configuration's <c>secrets.rules</c>, or <see langword="null"/> when it sets none (the built-in set alone).</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The rules a scrubber of this configuration applies.</returns>
    /// <exception cref="AgentHostException">A configured rule is invalid.</exception>
    public static SecretRuleSet? ForConfiguration(ConfigurationSnapshot configuration) =>
        FromConfiguration(configuration) is { Count: > 0 } rules ? SecretRuleSet.BuiltIn.With(rules) : null;

    /// <summary>The rules of the configuration's <c>secrets.rules</c> list.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The rules, in list order (empty when none are configured).</returns>
    /// <exception cref="AgentHostException">A rule is invalid: the message names the file and line, the field and the fix.</exception>
    internal static IReadOnlyList<SecretRule> FromConfiguration(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var entries = configuration.Entries.Where(entry => ConfigKeys.IsUnder(entry.Key, ConfigPrefix)).ToList();
        if (entries.Count == 0)
        {
            return [];
        }

        var rules = new List<SecretRule>();
        var indexes = entries.Select(entry => entry.Key[(ConfigPrefix.Length + 1)..].Split('.')[0]).Where(ConfigKeys.IsIndex).Distinct().OrderBy(index => int.Parse(index, CultureInfo.InvariantCulture));
        foreach (var index in indexes)
        {
            var prefix = $"{ConfigPrefix}.{index}";
            var first = entries.First(entry => ConfigKeys.IsUnder(entry.Key, prefix));
            string? Text(string field) => configuration.Explain($"{prefix}.{field}") is { Value.Length: > 0 } entry ? entry.Value : null;
            string Where(string field) => $"{(configuration.Explain($"{prefix}.{field}") ?? first).Source}: {prefix}.{field}";
            var keywords = entries.Where(entry => ConfigKeys.IsUnder(entry.Key, prefix + ".keywords") && entry.Value.Length > 0)
                .OrderBy(entry => entry.Key, ConfigKeys.Order).Select(entry => entry.Value).ToList();
            var id = Text("id") ?? $"secrets-rule-{index}";
            var definition = new SecretRuleDefinition(
                id,
                Text("description") ?? id,
                Text("regex") ?? string.Empty,
                keywords,
                Text("entropy") is { } entropy ? ConfigNumber(entropy, Where("entropy")) : null,
                false,
                null,
                [],
                []);
            rules.Add(Build(definition, RegexOptions.NonBacktracking, Where, checkPattern: true));
        }

        return rules;
    }

    private static SecretRule Build(SecretRuleDefinition definition, RegexOptions options, Func<string, string> where, bool checkPattern)
    {
        if (definition.Id.Length == 0)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{where("id")}: a secret rule needs an id. Give it a short kebab-case name, e.g. 'acme-api-token'.");
        }

        if (definition.Pattern.Length == 0)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{where("regex")}: the rule has no regex. Write the regular expression that finds the secret; name the part to mask (?<secret>…).");
        }

        if (definition.Keywords.Count == 0 || definition.Keywords.Any(string.IsNullOrWhiteSpace))
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{where("keywords")}: the rule needs at least one keyword, and none may be empty: literal text (any case) that every match contains, such as the token's prefix. Rules run only on lines that hold a keyword.");
        }

        if (checkPattern && RegexPatterns.Problem(definition.Pattern, options) is { } problem)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{where("regex")}: the regular expression is not valid: {problem}");
        }

        return new SecretRule(definition, options);
    }

    private static string Scalar(Parser parser, string source, string field) =>
        parser.TryConsume<Scalar>(out var scalar)
            ? scalar.Value
            : throw Problem(source, parser.Current?.Start.Line ?? 1, field, "is not a text value");

    // {{name}} in a rule's regex is the fragment of that name; an unknown name is left as written (then the regex fails
    // its rule's examples in the tests). A plain scan: a regular expression here cost every start its parse and runner.
    private static string WithFragments(string regex, Dictionary<string, string> fragments)
    {
        var open = regex.IndexOf("{{", StringComparison.Ordinal);
        if (open < 0)
        {
            return regex;
        }

        var text = new System.Text.StringBuilder(regex.Length * 2);
        var done = 0;
        for (; open >= 0; open = regex.IndexOf("{{", done, StringComparison.Ordinal))
        {
            var close = regex.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                break;
            }

            var name = regex.AsSpan(open + 2, close - open - 2);
            if (fragments.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var fragment))
            {
                text.Append(regex, done, open - done).Append(fragment);
                done = close + 2;
            }
            else
            {
                text.Append(regex, done, open + 2 - done);
                done = open + 2;
            }
        }

        return text.Append(regex, done, regex.Length - done).ToString();
    }

    // A list of text values; one written with an anchor (keywords: &secret-names […]) can be named again (*secret-names).
    private static List<string> Scalars(Parser parser, string source, string field, Dictionary<string, List<string>> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var named)
                ? named
                : throw Problem(source, alias.Start.Line, field, $"names the anchor '{alias.Value.Value}' before it is defined");
        }

        if (!parser.TryConsume<SequenceStart>(out var start))
        {
            throw Problem(source, parser.Current?.Start.Line ?? 1, field, "is not a list of text values");
        }

        var values = new List<string>();
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            values.Add(Scalar(parser, source, field));
        }

        if (!start.Anchor.IsEmpty)
        {
            anchors[start.Anchor.Value] = values;
        }

        return values;
    }

    private static double Number(string text, string source, long line) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 8
            ? value
            : throw Problem(source, line, "entropy", $"'{text}' is not a number of bits per character between 0 and 8");

    private static double ConfigNumber(string text, string where) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 8
            ? value
            : throw new AgentHostException(ErrorKind.Configuration, $"{where}: '{text}' is not a number of bits per character between 0 and 8. Write e.g. 3.5 (random base64 has about 4.5 to 6; English words about 3).");

    private static AgentHostException Problem(string source, long line, string field, string what) =>
        new(ErrorKind.Configuration, $"{source}:{line}: '{field}' {what}.");
}
