using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Common.JsonRpc;
using AgentHost.Sdk.Tools;

namespace AgentHost.Cli.Acp;

/// <summary>
/// One ACP session's files as the editor has them: <c>fs/read_text_file</c> and <c>fs/write_text_file</c>, asked of the
/// client when it announced them at <c>initialize</c>. The file tools use it after their own path and permission checks
/// (<see cref="IEditorFiles"/>); what the client answers with an error reaches the tool as an <see cref="IOException"/>
/// naming the method, so the model sees why.
/// </summary>
internal sealed class AcpEditorFiles : IEditorFiles
{
    private readonly JsonRpcConnection _connection;
    private readonly string _sessionId;

    private AcpEditorFiles(JsonRpcConnection connection, string sessionId, bool canRead, bool canWrite)
    {
        _connection = connection;
        _sessionId = sessionId;
        CanRead = canRead;
        CanWrite = canWrite;
    }

    public bool CanRead { get; }

    public bool CanWrite { get; }

    /// <summary>The session's editor files, or <see langword="null"/> when the client serves neither method (the disk then).</summary>
    public static AcpEditorFiles? For(AcpClient client, JsonRpcConnection connection, string sessionId) =>
        client.ReadTextFile || client.WriteTextFile ? new AcpEditorFiles(connection, sessionId, client.ReadTextFile, client.WriteTextFile) : null;

    public async Task<string> ReadTextAsync(string path, CancellationToken cancellationToken)
    {
        var result = await RequestAsync("fs/read_text_file", new JsonObject { ["sessionId"] = _sessionId, ["path"] = path }, cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Object && result.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : throw new IOException("the editor's answer to fs/read_text_file has no \"content\" string.");
    }

    public Task WriteTextAsync(string path, string text, CancellationToken cancellationToken) =>
        RequestAsync("fs/write_text_file", new JsonObject { ["sessionId"] = _sessionId, ["path"] = path, ["content"] = text }, cancellationToken);

    private async Task<JsonElement> RequestAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        try
        {
            return await _connection.RequestAsync(method, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcException ex)
        {
            throw new IOException($"{method} failed in the editor: {ex.Message}", ex);
        }
        catch (JsonRpcConnectionClosedException ex)
        {
            throw new IOException($"{method}: the editor is gone ({ex.Message}).", ex);
        }
    }
}
