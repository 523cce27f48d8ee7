using System.Text.Json;

namespace AgentHost.Server.Events;

/// <summary>The run an event's JSON names (<c>runId</c>), read as JSON, not matched as text.</summary>
internal static class RunIds
{
    /// <summary>The event's <c>runId</c>, or <see langword="null"/> when it names none (or is not a JSON object).</summary>
    public static string? Of(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("runId", out var run) && run.ValueKind == JsonValueKind.String
                ? run.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
