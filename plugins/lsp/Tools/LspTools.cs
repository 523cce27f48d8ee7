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

/// <summary>The model's language tools: diagnostics, definition, references, hover, symbols and rename.</summary>
internal static class LspTools
{
    private const string PathHelp = "File path relative to the project root.";
    private const string LineHelp = "1-based line of the position.";
    private const string ColumnHelp = "1-based column (characters) of the position; the line's first non-blank character when omitted.";
    private const string SymbolHelp = "A name in the file to use as the position instead of line/column (with 'line': the name on that line).";

    public static void AddLspTools(this IPluginBuilder builder, LspService lsp)
    {
        builder.AddTool(
            "lsp_diagnostics",
            "Lists the language server diagnostics (errors, warnings) of one file, or of every file the servers have reported on when 'path' is omitted. Errors come first.",
            ToolEffect.Read,
            async ([Description("A file relative to the project root; omit for the whole project (files the servers have analysed).")] string? path = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) => await DiagnosticsAsync(lsp, arguments.GetWorkspacePaths(), path, cancellationToken).ConfigureAwait(false),
            args => new ToolCallDescription("read", Arg(args, "path") ?? "."));

        builder.AddTool(
            "lsp_definition",
            "Finds where a symbol is defined, through the file's language server. Give the position as line/column or as a symbol name.",
            ToolEffect.Read,
            async ([Description(PathHelp)] string path,
                   [Description(LineHelp)] int? line = null,
                   [Description(ColumnHelp)] int? column = null,
                   [Description(SymbolHelp)] string? symbol = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await LocationsAsync(lsp, arguments.GetWorkspacePaths(), path, line, column, symbol, "textDocument/definition", "definitionProvider", "Definition", null, cancellationToken).ConfigureAwait(false),
            args => new ToolCallDescription("read", Arg(args, "path")));

        builder.AddTool(
            "lsp_references",
            "Lists the references to a symbol across the project, through the file's language server. Give the position as line/column or as a symbol name.",
            ToolEffect.Read,
            async ([Description(PathHelp)] string path,
                   [Description(LineHelp)] int? line = null,
                   [Description(ColumnHelp)] int? column = null,
                   [Description(SymbolHelp)] string? symbol = null,
                   [Description("Whether to list the declaration too (default true).")] bool include_declaration = true,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await LocationsAsync(lsp, arguments.GetWorkspacePaths(), path, line, column, symbol, "textDocument/references", "referencesProvider", "References",
                    new JsonObject { ["includeDeclaration"] = include_declaration }, cancellationToken).ConfigureAwait(false),
            args => new ToolCallDescription("read", Arg(args, "path")));

        builder.AddTool(
            "lsp_hover",
            "Shows the type and documentation of a symbol, through the file's language server. Give the position as line/column or as a symbol name.",
            ToolEffect.Read,
            async ([Description(PathHelp)] string path,
                   [Description(LineHelp)] int? line = null,
                   [Description(ColumnHelp)] int? column = null,
                   [Description(SymbolHelp)] string? symbol = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await HoverAsync(lsp, arguments.GetWorkspacePaths(), path, line, column, symbol, cancellationToken).ConfigureAwait(false),
            args => new ToolCallDescription("read", Arg(args, "path")));

        builder.AddTool(
            "lsp_symbols",
            "Lists symbols: the outline of one file ('path'), or the project's symbols matching 'query' (workspace symbols, found by the server of 'path' or of any running server).",
            ToolEffect.Read,
            async ([Description("A file relative to the project root: its outline, or the server to ask for a query.")] string? path = null,
                   [Description("Search the whole project for symbols whose name matches this text.")] string? query = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await SymbolsAsync(lsp, arguments.GetWorkspacePaths(), path, query, cancellationToken).ConfigureAwait(false),
            args => new ToolCallDescription("read", Arg(args, "path") ?? "."));

        builder.AddRenameTool(lsp);
    }

    /// <summary>A string argument, <see langword="null"/> when absent or empty.</summary>
    internal static string? Arg(AIFunctionArguments args, string name) => args.GetOptionalString(name) is { Length: > 0 } text ? text : null;

    private static async Task<string> DiagnosticsAsync(LspService lsp, WorkspacePaths paths, string? path, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        if (path is not null)
        {
            var file = await lsp.OpenAsync(paths, path, cancellationToken).ConfigureAwait(false);
            var (results, problems) = await lsp.FreshDiagnosticsAsync(file.FullPath, paths.Root, cancellationToken).ConfigureAwait(false);
            foreach (var (server, items, waited) in results)
            {
                if (items is null)
                {
                    text.Append("LSP (").Append(server.Definition.Name).Append("): no diagnostics reported for ").Append(file.Relative)
                        .Append(" within ").Append(waited.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)).Append(" s.\n");
                }
                else
                {
                    DiagnosticsFormat.AppendFile(text, file.Relative, server.Definition.Name, items, 200);
                }
            }

            problems.ForEach(p => text.Append(p).Append('\n'));
            return text.ToString().TrimEnd();
        }

        foreach (var server in lsp.Manager.Running)
        {
            foreach (var (file, items) in server.Diagnostics.All().Where(f => paths.Resolve(f.Path) is not null))
            {
                DiagnosticsFormat.AppendFile(text, paths.Relative(file), server.Definition.Name, items, 50);
            }
        }

        return text.Length > 0
            ? text.ToString().TrimEnd()
            : lsp.Manager.Running.Count == 0
                ? "No language server is running yet: servers start when a file they handle is opened or changed. Give 'path' to check one file."
                : "No problems reported in the files the language servers have analysed.";
    }

    private static async Task<string> LocationsAsync(
        LspService lsp, WorkspacePaths paths, string path, int? line, int? column, string? symbol, string method, string capability, string title, JsonObject? context, CancellationToken cancellationToken)
    {
        var file = await lsp.OpenAsync(paths, path, cancellationToken).ConfigureAwait(false);
        var server = Pick(file, capability);
        var (l, c, label) = await TargetPosition.ResolveAsync(file, server, line, column, symbol, cancellationToken).ConfigureAwait(false);
        var parameters = Json.PositionParams(PathKey.ToUri(file.FullPath), l, file.Positions.ToProtocol(l, c, server.Encoding));
        if (context is not null)
        {
            parameters["context"] = context;
        }

        var result = await server.RequestAsync(method, parameters, cancellationToken).ConfigureAwait(false);
        var list = Locations.Format(Json.Locations(result), paths, server.Encoding, 100, out var count);
        return count == 0
            ? $"{title}: none found for {label} ({server.Definition.Name})."
            : $"{title} for {label} ({count}, {server.Definition.Name}):\n{list.TrimEnd()}";
    }

    private static async Task<string> HoverAsync(LspService lsp, WorkspacePaths paths, string path, int? line, int? column, string? symbol, CancellationToken cancellationToken)
    {
        var file = await lsp.OpenAsync(paths, path, cancellationToken).ConfigureAwait(false);
        var server = Pick(file, "hoverProvider");
        var (l, c, label) = await TargetPosition.ResolveAsync(file, server, line, column, symbol, cancellationToken).ConfigureAwait(false);
        var result = await server.RequestAsync("textDocument/hover", Json.PositionParams(PathKey.ToUri(file.FullPath), l, file.Positions.ToProtocol(l, c, server.Encoding)), cancellationToken)
            .ConfigureAwait(false);
        var contents = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("contents", out var value) ? HoverText(value).Trim() : string.Empty;
        return contents.Length == 0 ? $"No hover information for {label}." : $"Hover for {label}:\n{contents}";
    }

    private static string HoverText(JsonElement contents) => contents.ValueKind switch
    {
        JsonValueKind.String => contents.GetString() ?? string.Empty,
        JsonValueKind.Array => string.Join("\n", contents.EnumerateArray().Select(HoverText)),
        JsonValueKind.Object when Json.String(contents, "language") is { } language => $"```{language}\n{Json.String(contents, "value")}\n```",
        JsonValueKind.Object => Json.String(contents, "value") ?? string.Empty,
        _ => string.Empty,
    };

    private static async Task<string> SymbolsAsync(LspService lsp, WorkspacePaths paths, string? path, string? query, CancellationToken cancellationToken)
    {
        if (path is null && query is null)
        {
            throw new ToolException("give 'path' (a file's outline) or 'query' (project symbols by name), or both.");
        }

        LanguageServer server;
        OpenFile? file = null;
        if (path is not null)
        {
            file = await lsp.OpenAsync(paths, path, cancellationToken).ConfigureAwait(false);
            server = Pick(file, query is null ? "documentSymbolProvider" : "workspaceSymbolProvider");
        }
        else
        {
            server = lsp.Manager.Running.FirstOrDefault(s => s.Supports("workspaceSymbolProvider"))
                ?? throw new ToolException("no running language server offers project symbols yet; give 'path' (a file of the language) so its server starts.");
        }

        var text = new StringBuilder();
        if (query is null)
        {
            var result = await server.RequestAsync("textDocument/documentSymbol", new JsonObject { ["textDocument"] = Json.TextDocument(PathKey.ToUri(file!.FullPath)) }, cancellationToken)
                .ConfigureAwait(false);
            foreach (var (name, kind, selection, depth) in SymbolTree.Flatten(result).Take(500))
            {
                var (line, character) = Json.Start(selection);
                text.Append(' ', 2 * (depth + 1)).Append(SymbolTree.KindName(kind)).Append(' ').Append(name)
                    .Append(" (").Append(line + 1).Append(':').Append(file.Positions.FromProtocol(line, character, server.Encoding) + 1).Append(")\n");
            }

            return text.Length == 0 ? $"No symbols in {file.Relative}." : $"Symbols in {file.Relative} ({server.Definition.Name}):\n{text.ToString().TrimEnd()}";
        }

        var found = await server.RequestAsync("workspace/symbol", new JsonObject { ["query"] = query }, cancellationToken).ConfigureAwait(false);
        var count = 0;
        if (found.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in found.EnumerateArray())
            {
                if (++count > 100)
                {
                    continue;
                }

                var name = Json.String(item, "name") ?? "?";
                var location = item.TryGetProperty("location", out var l) ? l : default;
                var uri = Json.String(location, "uri");
                var where = uri is null ? string.Empty : PathKey.FromUri(uri) is var p && paths.Resolve(p) is not null ? paths.Relative(p) : p;
                var line = location.ValueKind == JsonValueKind.Object && location.TryGetProperty("range", out var range) ? Json.Start(range).Line + 1 : 0;
                text.Append("  ").Append(SymbolTree.KindName(Json.Int(item, "kind"))).Append(' ').Append(name);
                if (where.Length > 0)
                {
                    text.Append(" (").Append(where).Append(line > 0 ? $":{line}" : string.Empty).Append(')');
                }

                text.Append('\n');
            }
        }

        if (count > 100)
        {
            text.Append("  … ").Append(count - 100).Append(" more; refine the query\n");
        }

        return count == 0 ? $"No project symbols match '{query}' ({server.Definition.Name})." : $"Project symbols matching '{query}' ({count}, {server.Definition.Name}):\n{text.ToString().TrimEnd()}";
    }

    internal static LanguageServer Pick(OpenFile file, string capability) =>
        file.Servers.FirstOrDefault(s => s.Supports(capability))
        ?? throw new ToolException($"the language server for '{file.Relative}' ({string.Join(", ", file.Servers.Select(s => s.Definition.Name))}) does not support this ({capability}).");
}
