using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AgentHost.Permissions.Rules;

/// <summary>
/// Computes the text edit that adds one rule to <c>permissions.&lt;list&gt;</c> of a YAML config: nodes are located with
/// the YamlDotNet parser's marks and the rule is inserted as text, so every other character stays as it is.
/// </summary>
/// <remarks>Stateless and thread-safe. The result must still be verified by re-parsing (see <see cref="ConfigRuleWriter"/>).</remarks>
internal static class YamlRuleInsertion
{
    private const int DefaultStep = 2;

    /// <summary>The new text, or the line of the rule when it is already there, or why the file cannot be edited.</summary>
    internal readonly record struct Outcome(string? Text, int? ExistingLine, string? Problem);

    /// <summary>Plans the edit.</summary>
    /// <param name="text">The file's text, without a BOM (empty for a new file).</param>
    /// <param name="list">The list key: allow, ask or deny.</param>
    /// <param name="stored">The rule as it must read back from YAML (dollars already doubled).</param>
    /// <param name="quoted">The rule as a YAML double-quoted scalar.</param>
    /// <param name="newline">The line break to write.</param>
    public static Outcome Plan(string text, string list, string stored, string quoted, string newline)
    {
        Node? root;
        try
        {
            root = Build(text);
        }
        catch (YamlException ex)
        {
            return new(null, null, $"it is not valid YAML (line {ex.Start.Line}: {ex.Message.Trim().TrimEnd('.')}); fix that first");
        }
        catch (InvalidOperationException ex)
        {
            return new(null, null, ex.Message);
        }

        return new Editor(text, list, stored, quoted, newline).Plan(root);
    }

    private static Node? Build(string text)
    {
        var parser = new Parser(new StringReader(text));
        var stack = new Stack<Node>();
        Node? root = null;
        var documents = 0;
        var lastEnd = 0;
        while (parser.MoveNext())
        {
            Node? done = null;
            switch (parser.Current)
            {
                case DocumentStart:
                    if (++documents > 1)
                    {
                        throw new InvalidOperationException("it holds several YAML documents ('---')");
                    }

                    break;
                case Scalar scalar:
                    var end = (int)scalar.End.Index;
                    lastEnd = end > scalar.Start.Index ? end : lastEnd;
                    var plainNull = scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty && scalar.Anchor.IsEmpty && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
                    done = Node.At(Kind.Scalar, scalar.Start, end, value: scalar.Value, plainNull: plainNull);
                    done.ContentEnd = lastEnd;
                    break;
                case AnchorAlias alias:
                    lastEnd = (int)alias.End.Index;
                    done = Node.At(Kind.Alias, alias.Start, lastEnd);
                    done.ContentEnd = lastEnd;
                    break;
                case SequenceStart sequence:
                    stack.Push(Node.At(Kind.Sequence, sequence.Start, flow: sequence.Style == SequenceStyle.Flow));
                    break;
                case MappingStart mapping:
                    stack.Push(Node.At(Kind.Mapping, mapping.Start, flow: mapping.Style == MappingStyle.Flow));
                    break;
                case SequenceEnd or MappingEnd:
                    done = stack.Pop();
                    var close = (int)parser.Current.Start.Index;
                    if (done.Flow && close < text.Length && text[close] is ']' or '}')
                    {
                        done.Close = close;
                        lastEnd = close + 1;
                    }

                    done.ContentEnd = lastEnd;
                    break;
            }

            if (done is not null)
            {
                if (stack.Count == 0)
                {
                    root = done;
                }
                else
                {
                    stack.Peek().Children.Add(done);
                }
            }
        }

        return root;
    }

    private enum Kind
    {
        Scalar,
        Alias,
        Mapping,
        Sequence,
    }

    /// <summary>A parsed node. Positions are character indices into the text; <see cref="Column"/> is 0-based.</summary>
    /// <param name="End">For scalars, the index after the text (equal to <paramref name="Start"/> for an empty value).</param>
    /// <param name="PlainNull">An untagged plain null: empty, <c>~</c> or <c>null</c>.</param>
    private sealed record Node(Kind Kind, int Start, int Line, int Column, int End = 0, bool Flow = false, string? Value = null, bool PlainNull = false)
    {
        /// <summary>The index after the last real content of the node (its key's end, for an empty value).</summary>
        public int ContentEnd { get; set; }

        /// <summary>For flow collections, the index of the closing bracket; otherwise -1.</summary>
        public int Close { get; set; } = -1;

        /// <summary>Items; for a mapping, keys and values alternate.</summary>
        public List<Node> Children { get; } = [];

        public bool IsBlock(Kind kind) => Kind == kind && !Flow;

        public IEnumerable<(Node Key, Node Value)> Pairs() =>
            Enumerable.Range(0, Children.Count / 2).Select(i => (Children[2 * i], Children[(2 * i) + 1]));

        public static Node At(Kind kind, Mark start, int end = 0, bool flow = false, string? value = null, bool plainNull = false) =>
            new(kind, (int)start.Index, (int)start.Line, (int)start.Column - 1, end, flow, value, plainNull);
    }

    private sealed class Editor(string text, string list, string stored, string quoted, string newline)
    {
        private int _step = DefaultStep;
        private int _sequenceOffset = DefaultStep;

        public Outcome Plan(Node? root)
        {
            if (root is null || (root.Kind == Kind.Scalar && root.PlainNull && root.Value is ""))
            {
                return Insert(text.Length, Block(string.Empty, "permissions", list));
            }

            if (!root.IsBlock(Kind.Mapping))
            {
                return Fail("its top level is not a block mapping of 'key: value' settings");
            }

            Measure(root);
            var indent = Spaces(root.Children[0].Column);
            var found = Find(root, "permissions");
            if (found.Count != 1)
            {
                return found.Count == 0 ? Insert(text.Length, Block(indent, "permissions", list)) : Fail("'permissions' is set more than once");
            }

            var permissions = found[0];
            var value = permissions.Value;
            if (value.Kind == Kind.Scalar && value.PlainNull)
            {
                return ReplaceNull(permissions.Key, value, Block(Spaces(permissions.Key.Column + _step), list));
            }

            if (!value.IsBlock(Kind.Mapping))
            {
                return Fail(value.Flow ? "'permissions' is written as a flow mapping ({ ... })" : "'permissions' is not a mapping");
            }

            var childIndent = Spaces(value.Children[0].Column);
            var entries = Find(value, list);
            if (entries.Count != 1)
            {
                return entries.Count == 0 ? Insert(NextLineStart(value.ContentEnd), Block(childIndent, list)) : Fail($"'permissions.{list}' is set more than once");
            }

            var target = entries[0];
            var items = target.Value;
            if (items.Kind == Kind.Scalar && items.PlainNull)
            {
                return ReplaceNull(target.Key, items, Lines(Spaces(target.Key.Column + _sequenceOffset) + "- " + quoted));
            }

            if (items.Kind != Kind.Sequence)
            {
                return Fail($"'permissions.{list}' is not a list");
            }

            if (items.Children.FirstOrDefault(item => item.Kind == Kind.Scalar && item.Value == stored) is { } existing)
            {
                return new(null, existing.Line, null);
            }

            if (items.Flow)
            {
                return items.Close < 0 ? Fail($"the end of the 'permissions.{list}' list was not found")
                    : items.Children.Count == 0 ? Insert(items.Close, quoted, lines: false)
                    : Insert(items.Children[^1].ContentEnd, ", " + quoted, lines: false);
            }

            return DashColumn(items) is { } dash
                ? Insert(NextLineStart(items.ContentEnd), Lines(Spaces(dash) + "- " + quoted))
                : Fail($"the items of 'permissions.{list}' are laid out in an unusual way");
        }

        private static string Spaces(int count) => new(' ', Math.Max(0, count));

        private static Outcome Fail(string problem) => new(null, null, problem);

        private static List<(Node Key, Node Value)> Find(Node mapping, string key) =>
            [.. mapping.Pairs().Where(pair => pair.Key.Kind == Kind.Scalar && string.Equals(pair.Key.Value?.Trim(), key, StringComparison.OrdinalIgnoreCase))];

        /// <summary>Lines for nested keys (each indented one step more) ending with the list holding the rule.</summary>
        private string Block(string indent, params string[] keys) => Lines(
            [.. keys.Select((key, i) => indent + Spaces(i * _step) + key + ":"), indent + Spaces(((keys.Length - 1) * _step) + _sequenceOffset) + "- " + quoted]);

        /// <summary>Learns the indentation step and the offset of list dashes from the file's nested collections.</summary>
        private void Measure(Node root)
        {
            static IEnumerable<Node> All(Node node) => node.Children.SelectMany(All).Prepend(node);
            var pairs = All(root).Where(node => node.IsBlock(Kind.Mapping)).SelectMany(node => node.Pairs()).ToList();
            _step = pairs.Where(pair => pair.Value.IsBlock(Kind.Mapping)).Select(pair => pair.Value.Children[0].Column - pair.Key.Column).FirstOrDefault(step => step > 0, DefaultStep);
            _sequenceOffset = pairs.Where(pair => pair.Value.IsBlock(Kind.Sequence)).Select(pair => DashColumn(pair.Value) - pair.Key.Column).FirstOrDefault(offset => offset >= 0) ?? DefaultStep;
        }

        /// <summary>The column of a block sequence's dashes: the '-' before an item, preceded on its line by spaces only.</summary>
        private int? DashColumn(Node sequence)
        {
            foreach (var item in sequence.Children.Where(item => item.Kind != Kind.Scalar || item.End > item.Start))
            {
                var dash = item.Start - 1;
                while (dash >= 0 && text[dash] is ' ' or '\t')
                {
                    dash--;
                }

                var lineStart = dash < 0 ? 0 : text.LastIndexOfAny(['\r', '\n'], Math.Max(0, dash)) + 1;
                return dash >= 0 && text[dash] == '-' && text.AsSpan(lineStart, dash - lineStart).Trim(' ').IsEmpty ? dash - lineStart : null;
            }

            return null;
        }

        /// <summary>Turns <c>key:</c>, <c>key: ~</c> or <c>key: null</c> (keeping a comment) into <c>key:</c> followed by new lines.</summary>
        private Outcome ReplaceNull(Node key, Node value, string lines)
        {
            var colon = SkipBlanks(key.ContentEnd);
            var token = SkipBlanks(colon + 1);
            var length = value.End - value.Start;
            var rest = token + (length > 0 ? length : 0);
            if (colon >= text.Length || text[colon] != ':' || (length > 0 && value.Start != token) || (rest < text.Length && text[rest] is not (' ' or '\t' or '#' or '\r' or '\n')))
            {
                return Fail($"the empty value of '{key.Value}' is laid out in an unusual way");
            }

            return Insert(NextLineStart(rest), lines, removeAt: colon + 1, remove: length > 0 ? rest - (colon + 1) : 0);
        }

        private int SkipBlanks(int position)
        {
            var skipped = position < text.Length ? text.AsSpan(position).IndexOfAnyExcept(' ', '\t') : -1;
            return skipped < 0 ? text.Length : position + skipped;
        }

        /// <summary>The start of the line after the one holding <paramref name="position"/> (the position itself when a line starts there).</summary>
        private int NextLineStart(int position)
        {
            if (position > 0 && (text[position - 1] == '\n' || (text[position - 1] == '\r' && (position == text.Length || text[position] != '\n'))))
            {
                return position;
            }

            var i = text.AsSpan(position).IndexOfAny('\r', '\n');
            return i < 0 ? text.Length : position + i + (text.AsSpan(position + i).StartsWith("\r\n") ? 2 : 1);
        }

        /// <summary>Inserts at <paramref name="at"/>, after removing <paramref name="remove"/> characters at <paramref name="removeAt"/>.</summary>
        private Outcome Insert(int at, string insertion, bool lines = true, int removeAt = 0, int remove = 0)
        {
            var separator = lines && at == text.Length && text.Length > 0 && text[^1] is not ('\n' or '\r') ? newline : string.Empty;
            return new(string.Concat(text.AsSpan(0, removeAt), text.AsSpan(removeAt + remove, at - removeAt - remove)) + separator + insertion + text[at..], null, null);
        }

        private string Lines(params string[] lines) => string.Concat(lines.Select(line => line + newline));
    }
}
