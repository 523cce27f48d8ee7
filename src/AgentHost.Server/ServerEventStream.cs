using AgentHost.Server.Events;

namespace AgentHost.Server;

/// <summary>
/// The server's event stream as the API composes it: the event log, attached to every engine's bus, whose session
/// events go on to the sessions' durable journal, and the SSE endpoints over both.
/// </summary>
internal static class ServerEventStream
{
    public static ApiEvents Create(ServerEventLog log, SessionEventJournal journal) =>
        new(
            log.Attach,
            (routes, access) => EventEndpoints.Map(routes, log, new SessionEventSource(journal.Store.LastEventIdAsync, journal.ReadAsync), access),
            async () =>
            {
                // What was logged is journalled before the streams end and the store closes.
                await journal.DisposeAsync().ConfigureAwait(false);
                log.Complete();
            },
            journal.LastIdAsync,
            journal.ReadAsync,
            journal.WhenRunEndWrittenAsync);
}
