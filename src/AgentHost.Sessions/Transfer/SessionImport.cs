using System.Globalization;
using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Transfer;

/// <summary>A parsed JSON Lines export (see <see cref="SessionJsonl"/>), checked line by line.</summary>
internal sealed record SessionImport(
    SessionJsonl.SessionLine Header,
    IReadOnlyList<SessionJsonl.MessageLine> Messages,
    IReadOnlyList<SessionJsonl.ToolLine> Tools)
{
    public static async Task<SessionImport> ReadAsync(TextReader reader, string sourceName, CancellationToken cancellationToken)
    {
        SessionJsonl.SessionLine? header = null;
        var messages = new List<SessionJsonl.MessageLine>();
        var tools = new List<SessionJsonl.ToolLine>();
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var type = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                    ? t.GetString()
                    : null;
                switch (type)
                {
                    case "session" when header is not null:
                        throw Problem(sourceName, number, "a second 'session' line: an export holds one session");
                    case "session":
                        header = document.RootElement.Deserialize<SessionJsonl.SessionLine>(ContentCodec.Json);
                        if (header is null || string.IsNullOrWhiteSpace(header.Workspace) || header.Format != SessionJsonl.Format)
                        {
                            throw Problem(sourceName, number, string.Create(CultureInfo.InvariantCulture, $"the session line needs 'workspace' and \"format\": {SessionJsonl.Format}"));
                        }

                        break;
                    case null:
                        throw Problem(sourceName, number, "each line must be a JSON object with a \"type\" of session, message or tool");
                    case var _ when header is null:
                        throw Problem(sourceName, number, "the first line must be the 'session' line. Export sessions with 'agent session export <id> --format jsonl'");
                    case "message":
                        messages.Add(document.RootElement.Deserialize<SessionJsonl.MessageLine>(ContentCodec.Json)
                            ?? throw Problem(sourceName, number, "empty message"));
                        break;
                    case "tool":
                        tools.Add(document.RootElement.Deserialize<SessionJsonl.ToolLine>(ContentCodec.Json)
                            ?? throw Problem(sourceName, number, "empty tool event"));
                        break;
                    default:
                        throw Problem(sourceName, number, $"unknown line type '{type}' (expected session, message or tool)");
                }
            }
            catch (JsonException ex)
            {
                throw Problem(sourceName, number, "not valid JSON for a session export (" + ex.Message + ")", ex);
            }
        }

        return header is null
            ? throw new AgentHostException(ErrorKind.Usage, $"{sourceName}: no session found. Export sessions with 'agent session export <id> --format jsonl'.")
            : new SessionImport(header, messages, tools);
    }

    private static AgentHostException Problem(string source, int line, string message, Exception? inner = null) =>
        new(ErrorKind.Usage, string.Create(CultureInfo.InvariantCulture, $"{source}:{line}: {message}."), inner);
}
