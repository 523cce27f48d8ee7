using AgentHost.Hosting.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Hosting.Configuration;

/// <summary>Reads a YAML config file into dotted keys, remembering the line of every value.</summary>
/// <remarks>
/// Mappings nest keys (<c>a: {b: 1}</c> is <c>a.b</c>), list items get an index (<c>a.0</c>), scalars become strings.
/// A null value (<c>key:</c>, <c>~</c>, <c>null</c>) means "not set". Syntax errors become problems
/// (<c>file:line:col: what — fix</c>) instead of exceptions.
/// </remarks>
public static class YamlConfigLoader
{
    /// <summary>A small document in the shape of a real configuration file, parsed and checked by <see cref="Prepare"/>.</summary>
    internal const string WarmUpDocument =
        "# warm-up\nlog_level: information\nproviders:\n  warm:\n    type: openai\n    base_url: http://127.0.0.1:1/v1\n"
        + "permissions:\n  mode: default\n  allow:\n    - read(*)\nplugins:\n  defaults: [files]\n";

    /// <summary>
    /// Runs the YAML parser's process-wide set-up ahead of the first file (see <c>YamlSyntax.Prepare</c>) and then
    /// parses and checks <see cref="WarmUpDocument"/> in memory, so that the code the first real file goes through (the
    /// scanner, the parser, the flattener, the schema's tables and the validator) is loaded and bound on this thread:
    /// a front end calls it on a pool thread at start. Idempotent, thread-safe, reads no file, and publishes nothing:
    /// the result is dropped.
    /// </summary>
    public static void Prepare()
    {
        YamlSyntax.Prepare();
        var layer = Parse(WarmUpDocument, "<warm-up>", ConfigLayer.Project);
        ConfigValidator.Check(layer, new List<ConfigProblem>());
    }

    /// <summary>Reads a file; a missing file contributes nothing.</summary>
    public static ConfigLayerContent Load(string path, ConfigLayer layer)
    {
        string text;
        try
        {
            if (!System.IO.File.Exists(path))
            {
                return ConfigLayerContent.Empty(layer, path);
            }

            text = TextFiles.Read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var problem = new ConfigProblem(ConfigSeverity.Error, path, null, null, $"cannot read the file: {ex.Message} — check that it is a readable file");
            return new ConfigLayerContent(layer, path, [], [], [problem]);
        }

        return Parse(text, path, layer);
    }

    /// <summary>Parses YAML text that came from <paramref name="path"/>.</summary>
    public static ConfigLayerContent Parse(string text, string path, ConfigLayer layer)
    {
        if (!YamlSyntax.TryLoad(text, out var stream, out var error))
        {
            return Failed(layer, path, error!.Line, error.Column, error.Message);
        }

        if (stream.Documents.Count == 0)
        {
            return ConfigLayerContent.Empty(layer, path);
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            return Failed(layer, path, second.Line, second.Column, "a config file holds one YAML document, but this one has several — remove the '---' separators");
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode scalar && IsNull(scalar))
        {
            return ConfigLayerContent.Empty(layer, path);
        }

        if (root is not YamlMappingNode mapping)
        {
            return Failed(layer, path, root.Start.Line, root.Start.Column, "the file must be a mapping of settings, not a list or a single value — write 'key: value' lines, e.g. 'log_level: debug'");
        }

        var flattener = new Flattener(path, layer);
        flattener.Visit(mapping, string.Empty);
        return new ConfigLayerContent(layer, path, flattener.Entries, flattener.ListPaths, flattener.Problems);
    }

    private static ConfigLayerContent Failed(ConfigLayer layer, string path, long line, long column, string message) =>
        new(layer, path, [], [], [new ConfigProblem(ConfigSeverity.Error, path, (int)Math.Max(1, line), null, message, (int)Math.Max(1, column))]);

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private sealed class Flattener(string path, ConfigLayer layer)
    {
        private readonly Dictionary<string, int> _lines = new(ConfigKeys.Comparer);

        public List<ConfigEntry> Entries { get; } = [];

        public List<string> ListPaths { get; } = [];

        public List<ConfigProblem> Problems { get; } = [];

        public void Visit(YamlNode node, string prefix)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    foreach (var (keyNode, valueNode) in mapping.Children)
                    {
                        if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name } || name.Trim().Length == 0)
                        {
                            Problems.Add(new ConfigProblem(ConfigSeverity.Error, path, (int)keyNode.Start.Line, prefix.Length == 0 ? null : prefix, $"{Where(prefix)}keys must be plain non-empty text — write 'name: value'", (int)keyNode.Start.Column));
                            continue;
                        }

                        Visit(valueNode, ConfigKeys.Join(prefix, MapKey(prefix, name.Trim())));
                    }

                    break;

                case YamlSequenceNode sequence:
                    ListPaths.Add(prefix);
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        Visit(sequence.Children[i], ConfigKeys.Join(prefix, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    }

                    break;

                case YamlScalarNode scalar when !IsNull(scalar):
                    Add(prefix, scalar.Value ?? string.Empty, (int)scalar.Start.Line);
                    break;
            }
        }

        /// <summary>
        /// A key of a map keyed by file extension (<c>language_ids: { .py: python }</c>, as manifests write it) is read
        /// without its leading dot: a dot separates configuration keys, and the LSP bridge matches either form.
        /// </summary>
        private static string MapKey(string prefix, string name) =>
            name.StartsWith('.') && name.Length > 1
            && (prefix.Equals("language_ids", StringComparison.OrdinalIgnoreCase) || prefix.EndsWith(".language_ids", StringComparison.OrdinalIgnoreCase))
                ? name.TrimStart('.')
                : name;

        private static string Where(string prefix) => prefix.Length == 0 ? string.Empty : $"key '{prefix}': ";

        private void Add(string key, string value, int line)
        {
            if (_lines.TryGetValue(key, out var first))
            {
                Problems.Add(new ConfigProblem(ConfigSeverity.Error, path, line, key, $"key '{key}': set twice (also on line {first}). Keep one of them; keys are not case-sensitive"));
                return;
            }

            _lines[key] = line;
            Entries.Add(new ConfigEntry(key, value, layer, path, line));
        }
    }
}
