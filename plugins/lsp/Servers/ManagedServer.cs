using AgentHost.Sdk.Events;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>One server definition for one root: its state, restart count and current process, if any.</summary>
internal sealed class ManagedServer(ServerDefinition definition, string root)
{
    public ServerDefinition Definition { get; } = definition;

    public string Root { get; } = root;

    /// <summary>The workspace (project) root the server works for: its executable is never one found inside it.</summary>
    public string WorkspaceRoot { get; init; } = root;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public LspServerState State { get; set; } = LspServerState.NotStarted;

    public string? Detail { get; set; }

    public int Restarts { get; set; }

    public LanguageServer? Current { get; set; }

    /// <summary>Documents that were open when the server went away, reopened after a restart.</summary>
    public IReadOnlyList<string> Reopen { get; set; } = [];
}

/// <summary>A server cannot serve a file: its binary is missing, it failed to start, or it crashed too often.</summary>
internal sealed class LspUnavailableException(string message) : Exception(message);
