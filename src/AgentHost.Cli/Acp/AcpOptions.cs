namespace AgentHost.Cli.Acp;

/// <summary>What <c>agent acp</c>'s command line chose for every session it opens.</summary>
/// <param name="Plugins">The <c>--plugin</c> names, as typed.</param>
/// <param name="NoDefaultPlugins">Whether <c>--no-default-plugins</c> leaves out <c>plugins.defaults</c>.</param>
/// <param name="Model">The <c>--model</c> of new sessions, or null for the configured choice.</param>
internal sealed record AcpOptions(IReadOnlyList<string> Plugins, bool NoDefaultPlugins, string? Model)
{
    /// <summary><c>--server URL</c>: the sessions live on that <c>agent serve</c> (docs/acp.md "In front of a shared server"); null: in this process.</summary>
    public AcpServerTarget? Server { get; init; }
}

/// <summary>The <c>agent serve</c> that <c>agent acp --server</c> is in front of.</summary>
/// <param name="Url">Its address.</param>
/// <param name="Token">The member's bearer token (<c>AGENT_SERVER_TOKEN</c> or the variable <c>--server-token-env</c> names).</param>
internal sealed record AcpServerTarget(Uri Url, string Token);
