using YamlDotNet.RepresentationModel;

namespace AgentHost.Plugins.Scripted;

/// <summary>A parsed conversation script: the turns the scripted model plays, in order.</summary>
/// <param name="Path">The script file.</param>
/// <param name="Turns">The turns.</param>
internal sealed record ConversationScript(string Path, IReadOnlyList<ScriptTurn> Turns)
{
    public static ConversationScript Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"conversation script '{path}' not found (looked for {full}). Give the script path as the model: --model scripted/<path-to-script.yaml>.", full);
        }

        try
        {
            var stream = AgentHost.Hosting.Configuration.YamlSyntax.Load(File.ReadAllText(full));
            var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode as YamlMappingNode : null;
            var turnsNode = root is not null && root.Children.TryGetValue(new YamlScalarNode("turns"), out var node) ? node as YamlSequenceNode : null;
            if (turnsNode is null)
            {
                throw new InvalidDataException($"{full}:1: a script needs a 'turns:' list (see docs/scripted-provider.md).");
            }

            return new ConversationScript(full, turnsNode.Children.Select((t, i) => ScriptTurn.Parse(t, i + 1, full)).ToList());
        }
        catch (AgentHost.Hosting.Configuration.YamlSyntaxException ex)
        {
            throw new InvalidDataException($"{full}:{ex.Error.Line}:{ex.Error.Column}: invalid script: {ex.Error.Message}", ex);
        }
    }
}

/// <summary>One model turn: optional expectations on the request, then the response to stream.</summary>
internal sealed record ScriptTurn(int Number, string? Text, string? Reasoning, IReadOnlyList<ScriptToolCall> ToolCalls, ScriptExpectation Expect, long? InputTokens, long? OutputTokens, string? Error, TimeSpan Delay)
{
    /// <summary>The wait between two streamed pieces (<c>chunk_delay_ms</c>): a model that streams slowly.</summary>
    public TimeSpan ChunkDelay { get; init; }

    /// <summary>Whether the answer says it was cut at the model's output limit (<c>finish: length</c>; finish reason <c>length</c>).</summary>
    public bool CutAtOutputLimit { get; init; }

    /// <summary>The longest <c>delay_ms</c> a turn may have (ten minutes).</summary>
    private const int MaxDelayMilliseconds = 600_000;

    public static ScriptTurn Parse(YamlNode node, int number, string file)
    {
        if (node is not YamlMappingNode map)
        {
            throw new InvalidDataException($"{file}:{node.Start.Line}: turn {number} must be a mapping with 'text' and/or 'tool_calls'.");
        }

        var calls = new List<ScriptToolCall>();
        if (Child(map, "tool_calls") is YamlSequenceNode sequence)
        {
            foreach (var call in sequence.Children.OfType<YamlMappingNode>())
            {
                var name = Scalar(call, "name") ?? throw new InvalidDataException($"{file}:{call.Start.Line}: a tool call needs 'name'.");
                calls.Add(new ScriptToolCall(name, Child(call, "arguments") is { } args ? YamlJson.ToJson(args) : Scalar(call, "arguments_json") ?? "{}"));
            }
        }

        var usage = Child(map, "usage") as YamlMappingNode;
        return new ScriptTurn(
            number,
            Scalar(map, "text"),
            Scalar(map, "reasoning"),
            calls,
            ScriptExpectation.Parse(Child(map, "expect") as YamlMappingNode),
            usage is null ? null : long.TryParse(Scalar(usage, "input"), out var input) ? input : null,
            usage is null ? null : long.TryParse(Scalar(usage, "output"), out var output) ? output : null,
            Scalar(map, "error"),
            ParseDelay(map, "delay_ms", number, file))
        {
            ChunkDelay = ParseDelay(map, "chunk_delay_ms", number, file),
            CutAtOutputLimit = Scalar(map, "finish") switch
            {
                null or "stop" => false,
                "length" => true,
                var other => throw new InvalidDataException($"{file}: turn {number}: finish must be 'stop' or 'length' (the answer was cut at the output limit), not '{other}'."),
            },
        };
    }

    /// <summary>
    /// <c>delay_ms</c>: how long the model "thinks" before it answers (so that tests and benchmarks have steps in
    /// flight); <c>chunk_delay_ms</c>: how long it waits before each further streamed piece (a slow stream).
    /// </summary>
    private static TimeSpan ParseDelay(YamlMappingNode map, string key, int number, string file)
    {
        if (Child(map, key) is not { } node)
        {
            return TimeSpan.Zero;
        }

        return node is YamlScalarNode { Value: { } text } && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds) && milliseconds <= MaxDelayMilliseconds
            ? TimeSpan.FromMilliseconds(milliseconds)
            : throw new InvalidDataException($"{file}:{node.Start.Line}: turn {number}: {key} must be a whole number of milliseconds from 0 to {MaxDelayMilliseconds}, e.g. '{key}: 250'.");
    }

    internal static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    internal static string? Scalar(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;
}

/// <summary>A tool call the scripted model makes.</summary>
/// <param name="Name">The tool name.</param>
/// <param name="ArgumentsJson">The arguments as JSON text (may be deliberately malformed in tests).</param>
internal sealed record ScriptToolCall(string Name, string ArgumentsJson);
