using AgentHost.Server.Events;

namespace AgentHost.Server;

/// <summary>The server's event stream as the API composes it: the event log, attached to every engine's bus, and its SSE endpoints.</summary>
internal static class ServerEventStream
{
    public static ApiEvents Create(ServerEventLog log) =>
        new(log.Attach, (routes, access) => EventEndpoints.Map(routes, log, access), log.Complete, () => log.LastId);
}
