using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Cli.Interaction;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// Writes bus events as newline-delimited JSON (<c>agent run --output json</c>): one object per event with
/// <c>type</c> and <c>timestamp</c> first, then the event's own fields in camelCase. The schema is in docs/cli.md.
/// </summary>
internal static class NdjsonEventWriter
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>One event as a JSON line; <paramref name="extra"/> adds the front end's own fields after the event's.</summary>
    public static string Serialize(AgentEvent agentEvent, Action<Utf8JsonWriter>? extra = null)
    {
        var element = JsonSerializer.SerializeToElement(agentEvent, agentEvent.GetType(), Options);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("type", agentEvent.Type);
            writer.WriteString("timestamp", agentEvent.Timestamp);
            foreach (var property in element.EnumerateObject().Where(p => p.Name is not ("type" or "timestamp")))
            {
                property.WriteTo(writer);
            }

            extra?.Invoke(writer);

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void Write(IConsoleInteraction console, AgentEvent agentEvent, Action<Utf8JsonWriter>? extra = null) => console.WriteDataLine(Serialize(agentEvent, extra));
}
