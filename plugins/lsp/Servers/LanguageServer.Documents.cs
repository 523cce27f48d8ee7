using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Plugins.Lsp.Protocol;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>Document sync: didOpen, didChange (full or incremental, as the server asks) and didClose.</summary>
internal sealed partial class LanguageServer
{
    private readonly Dictionary<string, (int Version, string Text)> _open = new(PathKey.Comparer);
    private readonly Dictionary<string, long> _syncedAt = new(PathKey.Comparer);
    private readonly SemaphoreSlim _syncLock = new(1, 1);
    private int _changeKind = 1;

    /// <summary>The paths of the open documents.</summary>
    public IReadOnlyList<string> OpenDocuments
    {
        get
        {
            lock (_open)
            {
                return [.. _open.Keys];
            }
        }
    }

    /// <summary>The text the server has for a path, when open.</summary>
    public string? OpenText(string path)
    {
        lock (_open)
        {
            return _open.TryGetValue(path, out var entry) ? entry.Text : null;
        }
    }

    /// <summary>
    /// The diagnostics generation of <paramref name="path"/> when its text was last sent: diagnostics newer than it
    /// were published (or pulled) after the server had the current text.
    /// </summary>
    public long GenerationAtSync(string path)
    {
        lock (_open)
        {
            return _syncedAt.GetValueOrDefault(path);
        }
    }

    /// <summary>Makes the server's copy of <paramref name="path"/> equal to <paramref name="text"/>.</summary>
    /// <returns>Whether anything was sent (the document was opened or changed).</returns>
    public async Task<bool> SyncAsync(string path, string text, CancellationToken cancellationToken)
    {
        await _syncLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var uri = PathKey.ToUri(path);
            (int Version, string Text)? current;
            lock (_open)
            {
                current = _open.TryGetValue(path, out var entry) ? entry : null;
            }

            if (current is { } open && open.Text == text)
            {
                return false;
            }

            if (current is null)
            {
                SetOpen(path, 1, text);
                await _connection.NotifyAsync("textDocument/didOpen", new JsonObject
                {
                    ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = Definition.LanguageId(path), ["version"] = 1, ["text"] = text },
                }, cancellationToken).ConfigureAwait(false);
                return true;
            }

            var version = current.Value.Version + 1;
            SetOpen(path, version, text);
            var change = _changeKind == 2
                ? WholeDocumentRange(current.Value.Text, text)
                : new JsonObject { ["text"] = text };
            await _connection.NotifyAsync("textDocument/didChange", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = version },
                ["contentChanges"] = new JsonArray(change),
            }, cancellationToken).ConfigureAwait(false);
            await _connection.NotifyAsync("textDocument/didSave", new JsonObject { ["textDocument"] = Json.TextDocument(uri) }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _syncLock.Release();
        }
    }

    /// <summary>Closes a document (it was deleted, or the caller is done with it).</summary>
    public async Task CloseAsync(string path, CancellationToken cancellationToken)
    {
        bool wasOpen;
        lock (_open)
        {
            wasOpen = _open.Remove(path);
            _syncedAt.Remove(path);
        }

        if (wasOpen)
        {
            await _connection.NotifyAsync("textDocument/didClose", new JsonObject { ["textDocument"] = Json.TextDocument(PathKey.ToUri(path)) }, cancellationToken).ConfigureAwait(false);
        }
    }

    private void SetOpen(string path, int version, string text)
    {
        lock (_open)
        {
            _open[path] = (version, text);
            _syncedAt[path] = Diagnostics.Generation(path);
        }
    }

    /// <summary>An incremental change that replaces the whole old text (valid for servers that accept only incremental sync).</summary>
    private JsonObject WholeDocumentRange(string oldText, string newText)
    {
        var old = new TextPositions(oldText);
        var lastLine = old.LineCount - 1;
        var end = old.ToProtocol(lastLine, int.MaxValue, Encoding);
        return new JsonObject
        {
            ["range"] = new JsonObject
            {
                ["start"] = new JsonObject { ["line"] = 0, ["character"] = 0 },
                ["end"] = new JsonObject { ["line"] = lastLine, ["character"] = end },
            },
            ["text"] = newText,
        };
    }

    private void ReadSyncKind()
    {
        if (Capabilities.ValueKind != JsonValueKind.Object || !Capabilities.TryGetProperty("textDocumentSync", out var sync))
        {
            _changeKind = 1;
            return;
        }

        _changeKind = sync.ValueKind == JsonValueKind.Number && sync.TryGetInt32(out var kind) ? kind
            : sync.ValueKind == JsonValueKind.Object && sync.TryGetProperty("change", out var change) && change.TryGetInt32(out var k) ? k
            : 1;
        if (_changeKind == 0)
        {
            _changeKind = 1; // A server that wants no changes still gets full text: it is cheap and always correct.
        }
    }
}
