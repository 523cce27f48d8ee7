using System.Text;
using System.Text.Json.Nodes;

namespace AgentHost.Workflows.Expressions;

/// <summary>
/// A parsed template (prompts, questions, tool arguments, a shell node's <c>env</c> values, outputs; docs/workflows.md
/// "Templates and conditions"): text with <c>{{ path }}</c> insertions and the filter <c>| json</c> (always JSON).
/// Strings are inserted as they are, other values as compact JSON, a missing value as nothing. A template never
/// becomes shell source: a shell node's <c>command</c> has no insertions, and its values arrive as environment
/// variables. Immutable and thread-safe.
/// </summary>
internal sealed class WorkflowTemplate
{
    private readonly IReadOnlyList<TemplatePart> _parts;

    private WorkflowTemplate(string text, IReadOnlyList<TemplatePart> parts)
    {
        Text = text;
        _parts = parts;
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>Every path the template reads, in order (<c>inputs.task</c>).</summary>
    public IReadOnlyList<string> Paths => PathList.Select(p => p.Text).ToList();

    /// <summary>The parsed paths the template reads.</summary>
    public IReadOnlyList<WorkflowPath> PathList => _parts.Where(p => p.Path is not null).Select(p => p.Path!).ToList();

    /// <summary>Whether the template is exactly one insertion without <c>| json</c> (<c>"{{ inputs.count }}"</c>).</summary>
    public bool IsSingleValue => _parts is [{ Path: not null, Json: false }];

    /// <summary>Parses a template.</summary>
    /// <param name="text">The template's text.</param>
    /// <returns>The template.</returns>
    /// <exception cref="FormatException">An unclosed <c>{{</c>, an empty insertion, a bad path or an unknown filter.</exception>
    public static WorkflowTemplate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<TemplatePart>();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(new TemplatePart(text[position..], null, false));
                break;
            }

            if (open > position)
            {
                parts.Add(new TemplatePart(text[position..open], null, false));
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"column {open + 1}: expected '}}}}' to close the '{{{{' here");
            }

            parts.Add(ParseInsertion(text, open, close));
            position = close + 2;
        }

        return new WorkflowTemplate(text, parts);
    }

    /// <summary>Renders <paramref name="text"/> as a value: a template that is exactly one <c>{{ path }}</c> gives that
    /// value with its JSON type (a copy; null when missing), any other template its rendered text.</summary>
    /// <param name="text">The template's text.</param>
    /// <param name="scope">The scope.</param>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The template is not valid.</exception>
    public static JsonNode? RenderValue(string text, JsonObject scope) => Parse(text).RenderValue(scope);

    /// <summary>Renders this template as a value: see <see cref="RenderValue(string, JsonObject)"/>.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>The value.</returns>
    public JsonNode? RenderValue(JsonObject scope) =>
        IsSingleValue ? _parts[0].Path!.Evaluate(scope)?.DeepClone() : JsonValue.Create(Render(scope));

    /// <summary>Renders the template.</summary>
    /// <param name="scope">The scope: <c>inputs</c>, <c>nodes</c>, <c>loop</c>, <c>run</c>, <c>workflow</c>.</param>
    /// <returns>The text.</returns>
    public string Render(JsonObject scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var result = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part.Path is null)
            {
                result.Append(part.Literal);
                continue;
            }

            var value = part.Path.Evaluate(scope);
            result.Append(part.Json ? WorkflowValues.ToJson(value) : WorkflowValues.ToText(value));
        }

        return result.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static TemplatePart ParseInsertion(string text, int open, int close)
    {
        var inner = text[(open + 2)..close];
        var pieces = inner.Split('|');
        var head = pieces[0];
        var start = 0;
        while (start < head.Length && char.IsWhiteSpace(head[start]))
        {
            start++;
        }

        var column = open + 3 + start;
        if (head.Trim().Length == 0)
        {
            throw new FormatException($"column {open + 1}: expected a path such as inputs.task inside '{{{{ }}}}', found nothing");
        }

        if (!WorkflowPath.IsNameStart(head[start]))
        {
            throw new FormatException($"column {column}: expected a path such as inputs.task or nodes.build.text, found '{head.Trim()}'");
        }

        WorkflowPath path;
        var position = start;
        try
        {
            path = WorkflowPath.Read(head, ref position);
        }
        catch (FormatException ex)
        {
            throw new FormatException(Shift(ex.Message, open + 2), ex);
        }

        if (head[position..].Trim().Length > 0)
        {
            var extra = position + head[position..].IndexOf(head[position..].Trim(), StringComparison.Ordinal);
            throw new FormatException($"column {open + 3 + extra}: expected '}}}}' or the filter '| json' after the path {path.Text}, found '{head[position..].Trim()}'");
        }

        var json = false;
        var offset = open + 2 + head.Length + 1;
        foreach (var piece in pieces.Skip(1))
        {
            var filter = piece.Trim();
            switch (filter)
            {
                case "json":
                    json = true;
                    break;
                case "raw":
                    throw new FormatException(
                        $"column {offset + piece.IndexOf(filter, StringComparison.Ordinal) + 1}: the filter 'raw' is gone: a value never becomes shell source (a shell node's command reads values from environment variables, docs/workflows.md); remove '| raw'");
                default:
                    throw new FormatException(filter.Length == 0
                        ? $"column {offset}: expected a filter name after '|' (json)"
                        : $"column {offset + piece.IndexOf(filter, StringComparison.Ordinal) + 1}: unknown filter '{filter}'; the only filter is json");
            }

            offset += piece.Length + 1;
        }

        return new TemplatePart(null, path, json);
    }

    private static string Shift(string message, int by)
    {
        // "column N: ..." from a path read inside the insertion → the column in the whole template.
        const string Prefix = "column ";
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        return message.StartsWith(Prefix, StringComparison.Ordinal) && colon > Prefix.Length
            && int.TryParse(message.AsSpan(Prefix.Length, colon - Prefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? $"{Prefix}{n + by}{message[colon..]}"
            : message;
    }

    /// <summary>A literal text, or an insertion (its path, and whether <c>| json</c>).</summary>
    private sealed record TemplatePart(string? Literal, WorkflowPath? Path, bool Json);
}
