namespace AgentHost.Cli.Acp;

/// <summary>What <c>agent acp</c>'s command line chose for every session it opens.</summary>
/// <param name="Plugins">The <c>--plugin</c> names, as typed.</param>
/// <param name="NoDefaultPlugins">Whether <c>--no-default-plugins</c> leaves out <c>plugins.defaults</c>.</param>
/// <param name="Model">The <c>--model</c> of new sessions, or null for the configured choice.</param>
internal sealed record AcpOptions(IReadOnlyList<string> Plugins, bool NoDefaultPlugins, string? Model);
