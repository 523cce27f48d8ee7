using System.Text;
using System.Text.Json;
using AgentHost.Plugins.Lsp.Protocol;
using AgentHost.Plugins.Lsp.Servers;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Lsp.Tools;

/// <summary>Formats LSP locations as <c>path:line:column: source line</c>, paths relative to the project when inside it.</summary>
internal static class Locations
{
    public static string Format(IEnumerable<(string Uri, JsonElement Range)> locations, WorkspacePaths paths, PositionEncoding encoding, int max, out int count)
    {
        var texts = new Dictionary<string, TextPositions?>(PathKey.Comparer);
        var lines = new StringBuilder();
        count = 0;
        foreach (var (uri, range) in locations)
        {
            count++;
            if (count > max)
            {
                continue;
            }

            var path = PathKey.FromUri(uri);
            var inside = paths.Resolve(path) is not null;
            if (!texts.TryGetValue(path, out var positions))
            {
                positions = inside && File.Exists(path) ? new TextPositions(File.ReadAllText(path)) : null;
                texts[path] = positions;
            }

            var (line, character) = Json.Start(range);
            var column = positions?.FromProtocol(line, character, encoding) ?? character;
            lines.Append("  ").Append(inside ? paths.Relative(path) : path).Append(':').Append(line + 1).Append(':').Append(column + 1);
            if (positions is not null)
            {
                var source = positions.Line(line).Trim();
                lines.Append(": ").Append(source.Length <= 200 ? source : source[..200] + "…");
            }

            lines.Append('\n');
        }

        if (count > max)
        {
            lines.Append("  … ").Append(count - max).Append(" more\n");
        }

        return lines.ToString();
    }
}
