using System.Text;
using System.Text.Json;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>
/// A JSON file parsed with the line of every value, so that a problem can name <c>file:line</c> and the field
/// (<c>mcpServers.db.args[1]</c>). Comments and trailing commas are allowed, as Claude Code allows them.
/// </summary>
public sealed class JsonSourceFile : IDisposable
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
    private readonly JsonDocument _document;
    private readonly byte[] _bytes;

    // The line of every path, made at the first message that needs one: most files read have no problem, and a run
    // reads the plugin.json, hooks.json and .mcp.json of every installed plugin.
    private Dictionary<string, int>? _lines;

    private JsonSourceFile(string file, JsonDocument document, byte[] bytes)
    {
        File = file;
        _document = document;
        _bytes = bytes;
    }

    /// <summary>The file, as shown in messages.</summary>
    public string File { get; }

    /// <summary>The root value.</summary>
    public JsonElement Root => _document.RootElement;

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="AgentHostException">The text is not JSON; the message names the line and column.</exception>
    public static JsonSourceFile Parse(string file, string text) => Parse(file, Encoding.UTF8.GetBytes(text));

    /// <summary>Parses UTF-8 <paramref name="bytes"/>.</summary>
    /// <exception cref="AgentHostException">The bytes are not JSON; the message names the line and column.</exception>
    public static JsonSourceFile Parse(string file, byte[] bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            throw new AgentHostException(ErrorKind.Plugin, $"{file}:{line}:{column}: not valid JSON; look for a missing comma, quote or bracket at or just before this point.", ex);
        }

        return new JsonSourceFile(file, document, bytes);
    }

    /// <summary>
    /// The 1-based line where the value at <paramref name="path"/> (or its property name) starts; for a field that is
    /// absent, the line of the nearest enclosing one; 1 for the root.
    /// </summary>
    public int LineOf(string path)
    {
        while (path.Length > 0)
        {
            if ((_lines ??= Lines(_bytes)).TryGetValue(path, out var line))
            {
                return line;
            }

            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            path = cut < 0 ? string.Empty : path[..cut];
        }

        return 1;
    }

    /// <summary>A problem line: <c>file:line: field 'path': message.</c></summary>
    public string Problem(string path, string message) =>
        path.Length == 0 ? $"{File}:{LineOf(path)}: {message}." : $"{File}:{LineOf(path)}: field '{path}': {message}.";

    public void Dispose() => _document.Dispose();

    private static Dictionary<string, int> Lines(byte[] bytes)
    {
        var newlines = new List<long>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                newlines.Add(i);
            }
        }

        int LineAt(long offset)
        {
            var index = newlines.BinarySearch(offset);
            return (index < 0 ? ~index : index) + 1;
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new List<(bool IsArray, string Path, int Index)>();
        var pending = string.Empty;
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        string ValuePath()
        {
            if (stack.Count == 0)
            {
                return string.Empty;
            }

            var top = stack[^1];
            if (!top.IsArray)
            {
                return pending;
            }

            stack[^1] = top with { Index = top.Index + 1 };
            return $"{top.Path}[{top.Index}]";
        }

        while (reader.Read())
        {
            var line = LineAt(reader.TokenStartIndex);
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var parent = stack.Count == 0 ? string.Empty : stack[^1].Path;
                    pending = parent.Length == 0 ? reader.GetString()! : $"{parent}.{reader.GetString()}";
                    lines[pending] = line;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    var path = ValuePath();
                    lines.TryAdd(path, line);
                    stack.Add((reader.TokenType == JsonTokenType.StartArray, path, 0));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    stack.RemoveAt(stack.Count - 1);
                    break;
                default:
                    lines.TryAdd(ValuePath(), line);
                    break;
            }
        }

        return lines;
    }
}
