using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Common.JsonRpc;
using AgentHost.Plugins.Lsp.Protocol;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>
/// Diagnostics: pushed (<c>publishDiagnostics</c>, matched to the document version when the server gives one) or
/// pulled, where the server can answer for the text it has now — <c>textDocument/diagnostic</c> (LSP 3.17, e.g.
/// TypeScript 7's <c>tsgo --lsp</c>), or tsserver's synchronous diagnostics through typescript-language-server's
/// <c>typescript.tsserverRequest</c> command. A pushed list can be a partial or stale answer (typescript-language-server
/// publishes syntax diagnostics, often an empty list, before the type check's); a pulled one is the settled result.
/// </summary>
internal sealed partial class LanguageServer
{
    private const string TsServerRequest = "typescript.tsserverRequest";
    private const int ServerCancelled = -32802;
    private const int ContentModified = -32801;
    private static readonly string[] TsServerDiagnostics = ["syntacticDiagnosticsSync", "semanticDiagnosticsSync", "suggestionDiagnosticsSync"];
    private int _analysed;

    /// <summary>Whether the server has reported diagnostics at least once (its project is loaded: it is no longer cold).</summary>
    public bool HasAnalysed => Volatile.Read(ref _analysed) != 0;

    /// <summary>How diagnostics are pulled from this server, if they can be.</summary>
    public DiagnosticsPull Pull =>
        Supports("diagnosticProvider") ? DiagnosticsPull.Lsp
        : ExecuteCommands().Contains(TsServerRequest) ? DiagnosticsPull.TsServer
        : DiagnosticsPull.None;

    /// <summary>The version of the open document the server has, or <see langword="null"/> when it is not open.</summary>
    public int? DocumentVersion(string path)
    {
        lock (_open)
        {
            return _open.TryGetValue(path, out var entry) ? entry.Version : null;
        }
    }

    /// <summary>
    /// Asks the server for a synced document's diagnostics (see <see cref="Pull"/>), records them like published ones
    /// and returns them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server cannot be asked (<see cref="Pull"/> is none).</exception>
    public async Task<IReadOnlyList<LspDiagnostic>> PullDiagnosticsAsync(string path, CancellationToken cancellationToken)
    {
        var version = DocumentVersion(path);
        var items = Pull switch
        {
            DiagnosticsPull.Lsp => await PullLspAsync(path, cancellationToken).ConfigureAwait(false),
            DiagnosticsPull.TsServer => await PullTsServerAsync(path, cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"language server '{Definition.Name}' does not answer diagnostics on request."),
        };
        Record(path, items, version);
        return items;
    }

    private async Task<List<LspDiagnostic>> PullLspAsync(string path, CancellationToken cancellationToken)
    {
        var parameters = new JsonObject { ["textDocument"] = Json.TextDocument(PathKey.ToUri(path)) };
        while (true)
        {
            try
            {
                var report = await _connection.RequestAsync("textDocument/diagnostic", parameters, cancellationToken).ConfigureAwait(false);
                return ParseDiagnostics(path, report.ValueKind == JsonValueKind.Object && report.TryGetProperty("items", out var items) ? items : default);
            }
            catch (JsonRpcException ex) when (ex.Code is ServerCancelled or ContentModified)
            {
                // The server asks to be asked again (its state changed while it answered); the caller's time limit bounds this.
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private async Task<List<LspDiagnostic>> PullTsServerAsync(string path, CancellationToken cancellationToken)
    {
        var uri = PathKey.ToUri(path);
        var positions = new TextPositions(OpenText(path) ?? ReadQuietly(path));
        var list = new List<LspDiagnostic>();
        foreach (var command in TsServerDiagnostics)
        {
            var response = await _connection.RequestAsync("workspace/executeCommand", new JsonObject
            {
                ["command"] = TsServerRequest,
                ["arguments"] = new JsonArray(command, new JsonObject { ["file"] = uri }),
            }, cancellationToken).ConfigureAwait(false);
            if (response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Array)
            {
                var why = response.ValueKind == JsonValueKind.Object && response.TryGetProperty("message", out var m) ? m.ToString() : response.ToString();
                throw new JsonRpcException(JsonRpcErrorCodes.InternalError, $"tsserver did not answer '{command}': {why}");
            }

            foreach (var d in body.EnumerateArray())
            {
                // tsserver positions are 1-based lines and 1-based UTF-16 offsets.
                var start = d.TryGetProperty("start", out var s) ? s : default;
                var line = start.ValueKind == JsonValueKind.Object && start.TryGetProperty("line", out var l) && l.TryGetInt32(out var ln) ? Math.Max(ln - 1, 0) : 0;
                var offset = start.ValueKind == JsonValueKind.Object && start.TryGetProperty("offset", out var o) && o.TryGetInt32(out var off) ? Math.Max(off - 1, 0) : 0;
                list.Add(new LspDiagnostic(
                    line + 1,
                    positions.FromProtocol(line, offset, PositionEncoding.Utf16) + 1,
                    (d.TryGetProperty("category", out var c) ? c.GetString() : null) switch
                    {
                        "warning" => 2,
                        "suggestion" => 4,
                        "message" => 3,
                        _ => 1,
                    },
                    d.TryGetProperty("text", out var t) ? t.GetString() ?? string.Empty : string.Empty,
                    "typescript",
                    d.TryGetProperty("code", out var code) ? code.ToString() : null));
            }
        }

        return list;
    }

    private HashSet<string> ExecuteCommands()
    {
        var commands = new HashSet<string>(StringComparer.Ordinal);
        if (Capabilities.ValueKind == JsonValueKind.Object && Capabilities.TryGetProperty("executeCommandProvider", out var provider)
            && provider.ValueKind == JsonValueKind.Object && provider.TryGetProperty("commands", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var command in list.EnumerateArray())
            {
                if (command.GetString() is { } name)
                {
                    commands.Add(name);
                }
            }
        }

        return commands;
    }

    /// <summary>Converts LSP diagnostics (0-based, in the server's position encoding) to 1-based character columns.</summary>
    private List<LspDiagnostic> ParseDiagnostics(string path, JsonElement diagnostics)
    {
        var list = new List<LspDiagnostic>();
        if (diagnostics.ValueKind != JsonValueKind.Array)
        {
            return list;
        }

        var positions = new TextPositions(OpenText(path) ?? ReadQuietly(path));
        foreach (var d in diagnostics.EnumerateArray())
        {
            var (line, character) = Json.Start(d);
            list.Add(new LspDiagnostic(
                line + 1,
                positions.FromProtocol(line, character, Encoding) + 1,
                d.TryGetProperty("severity", out var sev) && sev.TryGetInt32(out var n) ? n : 1,
                d.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty,
                d.TryGetProperty("source", out var src) ? src.GetString() : null,
                d.TryGetProperty("code", out var code) ? code.ToString() : null));
        }

        return list;
    }

    /// <summary>Sorts (errors first, then by position), stores and announces a file's diagnostics.</summary>
    private void Record(string path, List<LspDiagnostic> list, int? version)
    {
        list.Sort((a, b) => a.Severity != b.Severity ? a.Severity.CompareTo(b.Severity) : a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column.CompareTo(b.Column));
        Volatile.Write(ref _analysed, 1);
        Diagnostics.Publish(path, list, version);
        _diagnosticsPublished(path, list);
    }
}

/// <summary>How a server's diagnostics can be asked for.</summary>
internal enum DiagnosticsPull
{
    /// <summary>Only pushed (<c>publishDiagnostics</c>).</summary>
    None,

    /// <summary><c>textDocument/diagnostic</c> (the server's <c>diagnosticProvider</c>).</summary>
    Lsp,

    /// <summary>tsserver's <c>*DiagnosticsSync</c> requests through typescript-language-server's <c>typescript.tsserverRequest</c>.</summary>
    TsServer,
}
