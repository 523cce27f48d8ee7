namespace AgentHost.Server.Events;

/// <summary>An event as the server's event log keeps it: its id and the JSON sent as an SSE frame's <c>data:</c>.</summary>
/// <param name="Id">The server-wide sequence number (1, 2, …; the SSE <c>id:</c>).</param>
/// <param name="Type">The event type (<c>run.started</c>, …; the SSE <c>event:</c>).</param>
/// <param name="SessionId">The session it belongs to; <see langword="null"/> for events of no session (e.g. <c>warning</c>).</param>
/// <param name="Json">The event as one line of JSON, the shape of <c>agent run -o json</c>.</param>
internal sealed record LoggedEvent(long Id, string Type, string? SessionId, string Json);
