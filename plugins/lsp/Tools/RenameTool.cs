using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Plugins.Lsp.Protocol;
using AgentHost.Plugins.Lsp.Servers;
using AgentHost.Sdk;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Lsp.Tools;

/// <summary><c>lsp_rename</c>: the server computes the edit; the tool previews it and, unless a dry run, applies it inside the project.</summary>
internal static class RenameTool
{
    public static void AddRenameTool(this IPluginBuilder builder, LspService lsp) =>
        builder.AddTool(
            "lsp_rename",
            "Renames a symbol everywhere it is used, through the file's language server. Returns the changed lines per file. " +
            "With dry_run true, only shows what would change.",
            ToolEffect.Write,
            async ([Description("File path relative to the project root.")] string path,
                   [Description("The new name.")] string new_name,
                   [Description("1-based line of the symbol.")] int? line = null,
                   [Description("1-based column (characters) of the symbol.")] int? column = null,
                   [Description("The symbol's current name, instead of (or with) line/column.")] string? symbol = null,
                   [Description("When true, only preview the change.")] bool? dry_run = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await RenameAsync(lsp, arguments.GetWorkspacePaths(), path, new_name, line, column, symbol, arguments.IsDryRun(dry_run), cancellationToken).ConfigureAwait(false),
            args => new ToolCallDescription("write", LspTools.Arg(args, "path")) { Details = $"rename {LspTools.Arg(args, "symbol") ?? "symbol"} to {LspTools.Arg(args, "new_name")}" });

    private static async Task<string> RenameAsync(
        LspService lsp, WorkspacePaths paths, string path, string newName, int? line, int? column, string? symbol, bool dryRun, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(newName))
        {
            throw new ToolException("new_name is empty; give the new name of the symbol.");
        }

        var file = await lsp.OpenAsync(paths, path, cancellationToken).ConfigureAwait(false);
        var server = LspTools.Pick(file, "renameProvider");
        var (l, c, label) = await TargetPosition.ResolveAsync(file, server, line, column, symbol, cancellationToken).ConfigureAwait(false);
        var parameters = Json.PositionParams(PathKey.ToUri(file.FullPath), l, file.Positions.ToProtocol(l, c, server.Encoding));
        parameters["newName"] = newName;
        JsonElement edit;
        try
        {
            edit = await server.RequestAsync("textDocument/rename", parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentHost.Common.JsonRpc.JsonRpcException ex)
        {
            throw new ToolException($"{server.Definition.Name} cannot rename {label}: {ex.Message}");
        }

        var changes = Changes(edit);
        if (changes.Count == 0)
        {
            throw new ToolException($"{server.Definition.Name} found nothing to rename at {label}; point at the symbol's name.");
        }

        var outside = changes.Keys.FirstOrDefault(p => paths.Resolve(p) is null);
        if (outside is not null)
        {
            throw new ToolException($"the rename would change {outside}, which is outside the project root; nothing was changed.");
        }

        var preview = new StringBuilder();
        var updated = new List<(string Path, string Text)>();
        foreach (var (target, edits) in changes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var before = File.ReadAllText(target);
            var after = Apply(before, edits, server.Encoding);
            updated.Add((target, after));
            AppendPreview(preview, paths.Relative(target), before, after);
        }

        var total = changes.Sum(p => p.Value.Count);
        var head = $"{(dryRun ? "Would rename" : "Renamed")} {label} to '{newName}': {total} edit{(total == 1 ? string.Empty : "s")} in {changes.Count} file{(changes.Count == 1 ? string.Empty : "s")}.";
        if (dryRun)
        {
            return $"{head} (dry run: nothing was changed)\n{preview.ToString().TrimEnd()}";
        }

        foreach (var (target, text) in updated)
        {
            await File.WriteAllTextAsync(target, text, cancellationToken).ConfigureAwait(false);
            foreach (var s in file.Servers)
            {
                if (s.OpenText(target) is not null)
                {
                    await s.SyncAsync(target, text, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return $"{head}\n{preview.ToString().TrimEnd()}";
    }

    /// <summary>Text edits by file from a WorkspaceEdit (<c>changes</c> or <c>documentChanges</c>; file operations are refused).</summary>
    private static Dictionary<string, List<JsonElement>> Changes(JsonElement edit)
    {
        var result = new Dictionary<string, List<JsonElement>>(PathKey.Comparer);
        if (edit.ValueKind != JsonValueKind.Object)
        {
            return result;
        }

        if (edit.TryGetProperty("documentChanges", out var documentChanges) && documentChanges.ValueKind == JsonValueKind.Array)
        {
            foreach (var change in documentChanges.EnumerateArray())
            {
                if (Json.String(change, "kind") is { } kind)
                {
                    throw new ToolException($"the rename needs a file operation ('{kind}'), which lsp_rename does not apply; rename the file with the 'move' tool instead.");
                }

                var uri = change.TryGetProperty("textDocument", out var document) ? Json.String(document, "uri") : null;
                if (uri is not null && change.TryGetProperty("edits", out var edits))
                {
                    Add(result, uri, edits);
                }
            }
        }
        else if (edit.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in changes.EnumerateObject())
            {
                Add(result, property.Name, property.Value);
            }
        }

        return result;
    }

    private static void Add(Dictionary<string, List<JsonElement>> result, string uri, JsonElement edits)
    {
        var path = PathKey.FromUri(uri);
        if (!result.TryGetValue(path, out var list))
        {
            list = [];
            result[path] = list;
        }

        list.AddRange(edits.EnumerateArray());
    }

    /// <summary>Applies text edits (non-overlapping, positions in the original text), last first.</summary>
    private static string Apply(string text, List<JsonElement> edits, PositionEncoding encoding)
    {
        var positions = new TextPositions(text);
        var spans = edits
            .Select(e =>
            {
                var range = e.GetProperty("range");
                var (sl, sc) = Json.Start(range);
                var (el, ec) = Json.End(range);
                return (Start: positions.ToStringIndex(text, sl, sc, encoding), End: positions.ToStringIndex(text, el, ec, encoding), New: Json.String(e, "newText") ?? string.Empty);
            })
            .OrderByDescending(s => s.Start)
            .ToList();
        var builder = new StringBuilder(text);
        foreach (var (start, end, replacement) in spans)
        {
            builder.Remove(start, end - start).Insert(start, replacement);
        }

        return builder.ToString();
    }

    private static void AppendPreview(StringBuilder preview, string relative, string before, string after)
    {
        var oldLines = new TextPositions(before);
        var newLines = new TextPositions(after);
        preview.Append(relative).Append(":\n");
        var count = Math.Min(oldLines.LineCount, newLines.LineCount);
        for (var i = 0; i < count; i++)
        {
            if (oldLines.Line(i) != newLines.Line(i))
            {
                preview.Append("  ").Append(i + 1).Append(": - ").Append(oldLines.Line(i).Trim()).Append('\n');
                preview.Append("  ").Append(i + 1).Append(": + ").Append(newLines.Line(i).Trim()).Append('\n');
            }
        }
    }
}
