using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Service;

/// <summary>
/// An event of the session service as one JSON object: <c>type</c> and <c>timestamp</c> first, then the event's own
/// fields in camelCase (enums as camelCase strings, nulls left out). The one format of <c>agent run --output json</c>
/// lines and the server's event stream; the schema is in docs/cli.md.
/// </summary>
public static class AgentEventJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Serialises an event (one line: no indentation).</summary>
    /// <param name="agentEvent">The event.</param>
    /// <param name="extra">Writes a front end's own fields after the event's (<c>agent run</c>'s run outcome), or nothing.</param>
    /// <returns>The JSON object.</returns>
    public static string Serialize(AgentEvent agentEvent, Action<Utf8JsonWriter>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
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
}
