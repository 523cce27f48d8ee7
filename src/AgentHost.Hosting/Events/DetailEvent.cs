using AgentHost.Sdk.Events;

namespace AgentHost.Hosting.Events;

/// <summary>
/// A detail a user may want to know but does not need on every run: a known problem of an installed plugin (already
/// shown at install, and in <c>agent plugin list</c> and <c>agent doctor</c>). Front ends show it only when asked for
/// details (<c>--verbose</c>); the JSON output and the audit log carry it like any event.
/// </summary>
/// <param name="Source">Who reports it (<c>hooks</c>, <c>skills</c>, <c>mcp</c>).</param>
/// <param name="Message">The detail.</param>
public sealed record DetailEvent(string Source, string Message) : AgentEvent
{
    /// <inheritdoc />
    public override string Type => "detail";
}
