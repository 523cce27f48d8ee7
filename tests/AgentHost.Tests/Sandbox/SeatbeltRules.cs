namespace AgentHost.Tests.Sandbox;

/// <summary>
/// Reads a generated Seatbelt profile the way <c>sandbox-exec</c> decides — the last rule that matches an operation on a
/// path wins — for the subset our generator writes: <c>(allow|deny OPERATION… FILTER?)</c> with <c>subpath</c> and
/// <c>literal</c> filters (a string or a <c>(param "KEY")</c>), <c>require-any</c> of them, and <c>require-not</c>. It
/// lets the profile tests assert what a command may do under a layout, not only where a line sits; it is a model of
/// Seatbelt, checked against Apple's and others' profiles, not Seatbelt itself (which runs only on macOS).
/// </summary>
internal sealed class SeatbeltRules
{
    private readonly List<(bool Allow, string[] Operations, Node[] Filters)> rules = [];
    private readonly Dictionary<string, string> parameters;

    public SeatbeltRules(string profile, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        this.parameters = parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var line in profile.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var node = Parse(line);
            if (node.Items is [{ Atom: "allow" or "deny" } head, .. var rest])
            {
                var operations = rest.TakeWhile(item => item.Atom is not null).Select(item => item.Atom!).ToArray();
                // Several filters in one rule: any of them matches.
                rules.Add((head.Atom == "allow", operations, [.. rest.Skip(operations.Length)]));
            }
        }
    }

    public bool CanRead(string path) => Decide("file-read-data", path);

    public bool CanStat(string path) => Decide("file-read-metadata", path);

    public bool CanWrite(string path) => Decide("file-write-create", path);

    public bool CanUnlink(string path) => Decide("file-write-unlink", path);

    public bool HasNetwork => Decide("network-outbound", null);

    private bool Decide(string operation, string? path)
    {
        var decision = false;
        foreach (var (allow, operations, filters) in rules)
        {
            if (operations.Any(op => Covers(op, operation)) && (filters.Length == 0 || (path is not null && filters.Any(filter => Matches(filter, path)))))
            {
                decision = allow;
            }
        }

        return decision;
    }

    private static bool Covers(string rule, string operation) =>
        rule == "default" || rule == operation || (rule.EndsWith('*') && operation.StartsWith(rule[..^1], StringComparison.Ordinal));

    private bool Matches(Node filter, string path)
    {
        var items = filter.Items ?? throw new FormatException("a filter is a list");
        return items[0].Atom switch
        {
            "require-any" => items.Skip(1).Any(item => Matches(item, path)),
            "require-all" => items.Skip(1).All(item => Matches(item, path)),
            "require-not" => !Matches(items[1], path),
            "subpath" => Value(items[1]) is var folder && (path == folder || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal)),
            "literal" => path == Value(items[1]),
            var other => throw new FormatException($"filter '{other}' is not modelled"),
        };
    }

    private string Value(Node node) =>
        node.String ?? (node.Items is [{ Atom: "param" }, { String: { } key }] ? parameters[key] : throw new FormatException("a path is a string or (param \"KEY\")"));

    private sealed record Node(string? Atom = null, string? String = null, List<Node>? Items = null);

    private static Node Parse(string text)
    {
        var position = 0;
        return Read(text, ref position);
    }

    private static Node Read(string text, ref int position)
    {
        while (char.IsWhiteSpace(text[position]))
        {
            position++;
        }

        if (text[position] == '(')
        {
            position++;
            List<Node> items = [];
            while (true)
            {
                while (char.IsWhiteSpace(text[position]))
                {
                    position++;
                }

                if (text[position] == ')')
                {
                    position++;
                    return new Node(Items: items);
                }

                items.Add(Read(text, ref position));
            }
        }

        if (text[position] == '"')
        {
            var end = text.IndexOf('"', position + 1);
            var value = text[(position + 1)..end];
            position = end + 1;
            return new Node(String: value);
        }

        var start = position;
        while (!char.IsWhiteSpace(text[position]) && text[position] is not '(' and not ')')
        {
            position++;
        }

        return new Node(Atom: text[start..position]);
    }
}
