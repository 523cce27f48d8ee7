using System.Globalization;
using System.Text.RegularExpressions;
using AgentHost.Hosting.Configuration;
using YamlDotNet.RepresentationModel;

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
    internal static SecretRuleSet LoadBuiltIn()
    {
        using var stream = typeof(SecretRuleReader).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream);
        return new SecretRuleSet(Parse(reader.ReadToEnd(), ResourceName));
    }

    /// <summary>Reads rules in the shape of <c>secret-rules.yaml</c>.</summary>
    /// <param name="yaml">The text.</param>
    /// <param name="source">The file, for messages.</param>
    /// <returns>The rules, in file order.</returns>
    /// <exception cref="AgentHostException">The text is not a valid rule file (the message names the line and field).</exception>
    internal static List<SecretRule> Parse(string yaml, string source)
    {
        var stream = YamlSyntax.Load(yaml);
        var root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode mapping
            ? mapping
            : throw Problem(source, 1, "the file", "is not a YAML mapping with 'rules'");
        var fragments = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(root, "fragments") is YamlMappingNode declared)
        {
            foreach (var (key, value) in declared.Children)
            {
                fragments[((YamlScalarNode)key).Value!] = Scalar(value, source, "fragments");
            }
        }

        if (Child(root, "rules") is not YamlSequenceNode list)
        {
            throw Problem(source, root.Start.Line, "rules", "is missing; write a list of rules under 'rules:'");
        }

        var rules = new List<SecretRule>();
        foreach (var item in list.Children)
        {
            if (item is not YamlMappingNode node)
            {
                throw Problem(source, item.Start.Line, "rules", "holds an item that is not a mapping");
            }

            var line = (int)node.Start.Line;
            string? Text(string field) => Child(node, field) is { } value ? Scalar(value, source, field) : null;
            IReadOnlyList<string> Texts(string field) => Child(node, field) is YamlSequenceNode values
                ? [.. values.Children.Select(value => Scalar(value, source, field))]
                : [];
            var pattern = Regex.Replace(Text("regex") ?? string.Empty, @"\{\{(\w+)\}\}", match => fragments.TryGetValue(match.Groups[1].Value, out var fragment) ? fragment : match.Value, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            var definition = new SecretRuleDefinition(
                Text("id") ?? string.Empty,
                Text("description") ?? string.Empty,
                pattern,
                Texts("keywords"),
                Text("entropy") is { } entropy ? Number(entropy, source, line) : null,
                Text("one_word") is { } oneWord && bool.Parse(oneWord),
                Text("block_end"),
                Texts("examples"),
                Texts("counterexamples"));
            // The built-in expressions are not compiled here to be checked: each is built on its rule's first use, and
            // SecretRuleTests runs every rule on its examples (26 expressions parsed at every start cost ~260 KB).
            rules.Add(Build(definition, BuiltInOptions, field => $"{source}:{line}: rule '{definition.Id}', {field}", checkPattern: false));
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
    public static IReadOnlyList<SecretRule> FromConfiguration(ConfigurationSnapshot configuration)
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

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string Scalar(YamlNode node, string source, string field) =>
        node is YamlScalarNode { Value: { } value } ? value : throw Problem(source, node.Start.Line, field, "is not a text value");

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
