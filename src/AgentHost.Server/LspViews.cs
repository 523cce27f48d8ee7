namespace AgentHost.Server;

/// <summary>A language server of an engine, as the LSP bridge reports it (<c>agent lsp status --json</c> has the same fields).</summary>
/// <param name="Name">The server's name.</param>
/// <param name="Source">Where it is defined: a plugin id, <c>config</c>, or <c>PLUGIN+config</c>.</param>
/// <param name="Command">Its command.</param>
/// <param name="Args">Its arguments.</param>
/// <param name="Extensions">The file extensions it handles.</param>
/// <param name="Found">Whether the command was found.</param>
/// <param name="Path">The command's full path, when found.</param>
/// <param name="Install">How to install it, when not found.</param>
/// <param name="State"><c>not started</c>, <c>starting</c>, <c>running</c>, <c>restarting</c>, <c>stopped</c>, <c>failed</c>, <c>missing</c> or <c>invalid</c>.</param>
/// <param name="Detail">The state's detail (a pid, why it failed, why it is stopped).</param>
/// <param name="Fix">How to fix a failure.</param>
/// <param name="Problems">The configuration's problems with it.</param>
public sealed record LspServerView(
    string Name, string Source, string? Command, IReadOnlyList<string> Args, IReadOnlyList<string> Extensions, bool Found, string? Path, string? Install, string State, string? Detail, string? Fix, IReadOnlyList<string> Problems);

/// <summary>The language servers of one engine (a root and plugin set, with its own server processes).</summary>
/// <param name="Root">The engine's project root.</param>
/// <param name="Plugins">The engine's plugins, as asked for.</param>
/// <param name="NoDefaultPlugins">Whether the default plugins are left out.</param>
/// <param name="Servers">Its servers (empty when no LSP bridge is loaded).</param>
public sealed record LspEngineView(string Root, IReadOnlyList<string> Plugins, bool NoDefaultPlugins, IReadOnlyList<LspServerView> Servers);

/// <summary>What a start, stop or restart did in one engine.</summary>
/// <param name="Root">The engine's project root.</param>
/// <param name="Plugins">The engine's plugins, as asked for.</param>
/// <param name="Outcome"><c>started</c>, <c>running</c>, <c>stopped</c>, <c>not running</c>, <c>restarted</c>, or <c>error</c> (<paramref name="Kind"/> says which).</param>
/// <param name="Message">What happened, or what went wrong and the fix.</param>
/// <param name="Pids">The process ids started or stopped.</param>
/// <param name="Kind">For an error: its kind, as in error answers (<c>configuration</c>: the binary is missing; <c>plugin</c>: it failed to start).</param>
public sealed record LspEngineActionView(string Root, IReadOnlyList<string> Plugins, string Outcome, string Message, IReadOnlyList<int> Pids, string? Kind = null);

/// <summary>The answer to <c>POST /v1/lsp/{name}/{action}</c>: what happened in each engine that defines the server.</summary>
/// <param name="Name">The server.</param>
/// <param name="Action"><c>start</c>, <c>stop</c> or <c>restart</c>.</param>
/// <param name="Engines">Per engine.</param>
public sealed record LspActionView(string Name, string Action, IReadOnlyList<LspEngineActionView> Engines);
