using YamlDotNet.RepresentationModel;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>Collects manifest problems with file, line and field while parsing.</summary>
internal sealed class ParseContext(string file)
{
    private readonly List<string> _errors = [];

    public string File { get; } = file;

    public bool HasErrors => _errors.Count > 0;

    public void Error(YamlNode node, string field, string message) =>
        _errors.Add($"{File}:{node.Start.Line}:{node.Start.Column}: field '{field}': {message}.");

    public AgentHostException Fail(long line, long column, string? field, string message) =>
        new(ErrorKind.Plugin, $"{File}:{line}:{column}: {(field is null ? string.Empty : $"field '{field}': ")}{message}.");

    public void ThrowIfErrors()
    {
        if (_errors.Count > 0)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"invalid plugin manifest:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", _errors)}");
        }
    }

    public string? RequiredScalar(YamlMappingNode map, string key, string fix, string prefix = "")
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            Error(map, prefix + key, $"is required; {fix}");
            return null;
        }

        if (node is not YamlScalarNode { Value: { Length: > 0 } value })
        {
            Error(node, prefix + key, $"must be a non-empty text value; {fix}");
            return null;
        }

        return value.Trim();
    }

    public string? OptionalScalar(YamlMappingNode map, string key, string prefix = "")
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return string.IsNullOrWhiteSpace(scalar.Value) ? null : scalar.Value.Trim();
        }

        Error(node, prefix + key, "must be a text value");
        return null;
    }

    public List<string> StringList(YamlMappingNode map, string key, string prefix = "") =>
        StringListWithNodes(map, key, prefix).Select(x => x.Value).ToList();

    /// <summary>Reads a value that may be one string or a list of strings.</summary>
    public List<(string Value, YamlNode Node)> StringListWithNodes(YamlMappingNode map, string key, string prefix = "")
    {
        var result = new List<(string, YamlNode)>();
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return result;
        }

        switch (node)
        {
            case YamlScalarNode { Value: { Length: > 0 } single }:
                result.Add((single, node));
                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children)
                {
                    if (item is YamlScalarNode { Value: { Length: > 0 } text })
                    {
                        result.Add((text, item));
                    }
                    else
                    {
                        Error(item, prefix + key, "list items must be text values");
                    }
                }

                break;
            default:
                Error(node, prefix + key, "must be a text value or a list of text values");
                break;
        }

        return result;
    }

    public Dictionary<string, string> StringMap(YamlMappingNode map, string key, string prefix = "")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return result;
        }

        if (node is not YamlMappingNode mapping)
        {
            Error(node, prefix + key, "must be a mapping of names to text values");
            return result;
        }

        foreach (var (k, v) in mapping.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && v is YamlScalarNode { Value: { } value })
            {
                result[name] = value;
            }
            else
            {
                Error(v, prefix + key, "entries must be 'name: value' text pairs");
            }
        }

        return result;
    }

    public TimeSpan? Seconds(YamlMappingNode map, string key, string prefix = "")
    {
        var text = OptionalScalar(map, key, prefix);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        Error(map.Children[new YamlScalarNode(key)], prefix + key, $"'{text}' must be a positive number of seconds");
        return null;
    }
}
