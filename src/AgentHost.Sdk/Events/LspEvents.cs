namespace AgentHost.Sdk.Events;

/// <summary>The states of a language server the LSP bridge manages.</summary>
public enum LspServerState
{
    /// <summary>Defined, not started (servers start when a tool first touches a matching file).</summary>
    NotStarted,

    /// <summary>The process is starting and the <c>initialize</c> handshake is running.</summary>
    Starting,

    /// <summary>Initialised and serving requests.</summary>
    Running,

    /// <summary>It exited unexpectedly and will be started again after a delay.</summary>
    Restarting,

    /// <summary>It crashed more often than its restart limit allows, failed to start, or its binary is missing.</summary>
    Failed,

    /// <summary>Shut down cleanly.</summary>
    Stopped,
}

/// <summary>A language server changed state.</summary>
/// <param name="Server">The server name.</param>
/// <param name="Root">The workspace root it serves.</param>
/// <param name="State">The new state.</param>
/// <param name="Detail">Why (exit code, error, install hint), when any.</param>
public sealed record LspServerStateChangedEvent(string Server, string Root, LspServerState State, string? Detail) : AgentEvent
{
    /// <inheritdoc />
    public override string Type => "lsp.state";
}

/// <summary>A language server published diagnostics for a file.</summary>
/// <param name="Server">The server name.</param>
/// <param name="Path">The file's absolute path.</param>
/// <param name="Errors">How many errors.</param>
/// <param name="Warnings">How many warnings.</param>
/// <param name="Others">How many information and hint diagnostics.</param>
public sealed record LspDiagnosticsEvent(string Server, string Path, int Errors, int Warnings, int Others) : AgentEvent
{
    /// <inheritdoc />
    public override string Type => "lsp.diagnostics";
}
