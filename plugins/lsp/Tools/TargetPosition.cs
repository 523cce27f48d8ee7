using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentHost.Plugins.Lsp.Protocol;
using AgentHost.Plugins.Lsp.Servers;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Lsp.Tools;

/// <summary>A position in a file as the model gives it: 1-based line and column, or a symbol name (optionally on a line).</summary>
internal static class TargetPosition
{
    /// <summary>Resolves to a 0-based line and a 0-based character column.</summary>
    /// <exception cref="ToolException">Neither a line nor a symbol, an out-of-range line, or a symbol not found.</exception>
    public static async Task<(int Line, int Column, string Label)> ResolveAsync(
        OpenFile file, LanguageServer server, int? line, int? column, string? symbol, CancellationToken cancellationToken)
    {
        if (line is { } l && (l < 1 || l > file.Positions.LineCount))
        {
            throw new ToolException($"line {l} is outside '{file.Relative}', which has {file.Positions.LineCount} lines.");
        }

        if (!string.IsNullOrWhiteSpace(symbol))
        {
            return await FindSymbolAsync(file, server, symbol.Trim(), line, cancellationToken).ConfigureAwait(false);
        }

        if (line is null)
        {
            throw new ToolException("give a position: 'line' (1-based) with 'column' (1-based, characters), or 'symbol' (a name in the file).");
        }

        var text = file.Positions.Line(line.Value - 1);
        var col = column is { } c ? c - 1 : text.Length - text.TrimStart().Length;
        var length = text.EnumerateRunes().Count();
        if (col < 0 || col > length)
        {
            throw new ToolException($"column {column} is outside line {line} of '{file.Relative}', which has {length} characters.");
        }

        return (line.Value - 1, col, $"{file.Relative}:{line}:{col + 1}");
    }

    private static async Task<(int, int, string)> FindSymbolAsync(OpenFile file, LanguageServer server, string symbol, int? line, CancellationToken cancellationToken)
    {
        if (line is null && server.Supports("documentSymbolProvider"))
        {
            var result = await server.RequestAsync("textDocument/documentSymbol", new JsonObject { ["textDocument"] = Json.TextDocument(PathKey.ToUri(file.FullPath)) }, cancellationToken)
                .ConfigureAwait(false);
            foreach (var (name, _, selection, _) in SymbolTree.Flatten(result))
            {
                if (name == symbol)
                {
                    var (sl, sc) = Json.Start(selection);
                    var column = file.Positions.FromProtocol(sl, sc, server.Encoding);
                    return (sl, column, $"'{symbol}' at {file.Relative}:{sl + 1}:{column + 1}");
                }
            }
        }

        // Not a declared symbol (or the server lists none): the first whole-word occurrence, on the given line when one was.
        var word = new Regex($@"(?<![\p{{L}}\p{{N}}_$]){Regex.Escape(symbol)}(?![\p{{L}}\p{{N}}_$])", RegexOptions.CultureInvariant);
        var first = line is { } only ? only - 1 : 0;
        var last = line is { } one ? one - 1 : file.Positions.LineCount - 1;
        for (var i = first; i <= last; i++)
        {
            var text = file.Positions.Line(i);
            if (word.Match(text) is { Success: true } match)
            {
                var column = text[..match.Index].EnumerateRunes().Count();
                return (i, column, $"'{symbol}' at {file.Relative}:{i + 1}:{column + 1}");
            }
        }

        throw new ToolException(line is null
            ? $"symbol '{symbol}' was not found in '{file.Relative}'. Check the spelling, or give 'line' and 'column'."
            : $"symbol '{symbol}' is not on line {line} of '{file.Relative}'. Give the line where it appears, or omit 'line'.");
    }
}

/// <summary>Reads <c>textDocument/documentSymbol</c> results: hierarchical <c>DocumentSymbol[]</c> or flat <c>SymbolInformation[]</c>.</summary>
internal static class SymbolTree
{
    public static IEnumerable<(string Name, int Kind, JsonElement Selection, int Depth)> Flatten(JsonElement result, int depth = 0)
    {
        if (result.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var item in result.EnumerateArray())
        {
            var name = Json.String(item, "name") ?? "?";
            var kind = Json.Int(item, "kind");
            var selection = item.TryGetProperty("selectionRange", out var s) ? s
                : item.TryGetProperty("location", out var location) && location.TryGetProperty("range", out var r) ? r
                : item.TryGetProperty("range", out var range) ? range : default;
            yield return (name, kind, selection, depth);
            if (item.TryGetProperty("children", out var children))
            {
                foreach (var child in Flatten(children, depth + 1))
                {
                    yield return child;
                }
            }
        }
    }

    public static string KindName(int kind) => kind switch
    {
        1 => "file", 2 => "module", 3 => "namespace", 4 => "package", 5 => "class", 6 => "method", 7 => "property",
        8 => "field", 9 => "constructor", 10 => "enum", 11 => "interface", 12 => "function", 13 => "variable",
        14 => "constant", 15 => "string", 16 => "number", 17 => "boolean", 18 => "array", 19 => "object", 20 => "key",
        21 => "null", 22 => "enum member", 23 => "struct", 24 => "event", 25 => "operator", 26 => "type parameter",
        _ => "symbol",
    };
}
