namespace AgentHost.Server;

/// <summary>What a session gets when its create request leaves it out: the <c>agent serve</c> options.</summary>
/// <param name="Root">The server's project root.</param>
/// <param name="Plugins">The <c>--plugin</c> names (installed or catalog ids; folders made absolute).</param>
/// <param name="NoDefaultPlugins"><c>--no-default-plugins</c>.</param>
/// <param name="Model"><c>--model</c>.</param>
/// <param name="PermissionTimeout">How long a permission request waits for a client's answer before it is denied.</param>
public sealed record ServerDefaults(string Root, IReadOnlyList<string> Plugins, bool NoDefaultPlugins, string? Model, TimeSpan PermissionTimeout)
{
    /// <summary>
    /// How long an open session may go unused (no request, no run, nothing waiting for an answer) before the server
    /// closes it, releasing its lease; <see langword="null"/>: sessions stay open until deleted or the server stops.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; }
}
