using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentHost.Workflows.Expressions;

/// <summary>
/// A path into the workflow scope (<c>inputs.task</c>, <c>nodes.test.exit_code</c>, <c>nodes.review.json.items[0]</c>):
/// names joined by <c>.</c> and array indexes in brackets. Reading a path never throws; a missing step is null.
/// </summary>
internal sealed class WorkflowPath
{
    private readonly IReadOnlyList<object> _segments;

    private WorkflowPath(IReadOnlyList<object> segments, string text)
    {
        _segments = segments;
        Text = text;
    }

    /// <summary>The path as written, normalised (<c>a.b[0].c</c>).</summary>
    public string Text { get; }

    /// <summary>The names of the path, in order, without the indexes (<c>nodes</c>, <c>test</c>, <c>exit_code</c>).</summary>
    public IReadOnlyList<string> Names => _segments.OfType<string>().ToList();

    /// <summary>Whether <paramref name="c"/> may start a name.</summary>
    /// <param name="c">The character.</param>
    /// <returns>Whether it is a letter or <c>_</c>.</returns>
    public static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    /// <summary>Whether <paramref name="c"/> may continue a name (node ids may contain <c>-</c>).</summary>
    /// <param name="c">The character.</param>
    /// <returns>Whether it is a letter, a digit, <c>_</c> or <c>-</c>.</returns>
    public static bool IsNamePart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-';

    /// <summary>Reads a path starting at <paramref name="position"/> (which must be a name start).</summary>
    /// <param name="text">The expression text.</param>
    /// <param name="position">The start; moved past the path.</param>
    /// <returns>The path.</returns>
    /// <exception cref="FormatException">A '.' or '[' is not followed by a name or an index.</exception>
    public static WorkflowPath Read(string text, ref int position)
    {
        ArgumentNullException.ThrowIfNull(text);
        var segments = new List<object> { ReadName(text, ref position) };
        var normal = new StringBuilder((string)segments[0]);
        while (position < text.Length)
        {
            if (text[position] == '.')
            {
                position++;
                if (position >= text.Length || !IsNameStart(text[position]))
                {
                    throw new FormatException($"column {position + 1}: expected a name after '.' (a path is written like nodes.test.exit_code)");
                }

                var name = ReadName(text, ref position);
                segments.Add(name);
                normal.Append('.').Append(name);
            }
            else if (text[position] == '[')
            {
                var open = position;
                position++;
                var start = position;
                while (position < text.Length && char.IsAsciiDigit(text[position]))
                {
                    position++;
                }

                if (position == start || position >= text.Length || text[position] != ']')
                {
                    throw new FormatException($"column {open + 1}: expected an index like [0] after '[' (a number and ']')");
                }

                var index = int.Parse(text.AsSpan(start, position - start), NumberStyles.None, CultureInfo.InvariantCulture);
                position++;
                segments.Add(index);
                normal.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                break;
            }
        }

        return new WorkflowPath(segments, normal.ToString());
    }

    /// <summary>Reads the value at this path; null when any step is missing.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>The value (not a copy), or null.</returns>
    public JsonNode? Evaluate(JsonObject scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        JsonNode? current = scope;
        foreach (var segment in _segments)
        {
            current = (segment, current) switch
            {
                (string name, JsonObject obj) => obj.TryGetPropertyValue(name, out var value) ? value : null,
                (int index, JsonArray array) => index < array.Count ? array[index] : null,
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static string ReadName(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && IsNamePart(text[position]))
        {
            position++;
        }

        return text[start..position];
    }
}
