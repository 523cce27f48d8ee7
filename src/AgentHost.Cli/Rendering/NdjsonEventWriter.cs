using System.Text.Json;
using AgentHost.Agent.Service;
using AgentHost.Cli.Interaction;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// Writes bus events as newline-delimited JSON (<c>agent run --output json</c>): one object per event with
/// <c>type</c> and <c>timestamp</c> first, then the event's own fields in camelCase. The schema is in docs/cli.md.
/// </summary>
internal static class NdjsonEventWriter
{
    public static string Serialize(AgentEvent agentEvent, Action<Utf8JsonWriter>? extra = null) => AgentEventJson.Serialize(agentEvent, extra);

    public static void Write(IConsoleInteraction console, AgentEvent agentEvent, Action<Utf8JsonWriter>? extra = null) => console.WriteDataLine(Serialize(agentEvent, extra));
}
