namespace AgentHost.Sdk.Capabilities;

/// <summary>A language server the host can start for matching files.</summary>
/// <remarks>Declared in <c>plugin.yaml</c> (<c>lsp:</c>) or in code. Consumed by the LSP bridge.</remarks>
public sealed class LspServerCapability : Capability
{
    /// <summary>Creates a language server definition.</summary>
    /// <param name="name">The server name, for example <c>terraform-ls</c>.</param>
    /// <param name="command">The executable, looked up on <c>PATH</c> when not rooted.</param>
    public LspServerCapability(string name, string command)
        : base(name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        Command = command;
    }

    /// <inheritdoc />
    public override CapabilityKind Kind => CapabilityKind.LspServer;

    /// <summary>The executable.</summary>
    public string Command { get; }

    /// <summary>Command-line arguments.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Extra environment variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>File extensions served, with the dot (<c>.tf</c>).</summary>
    public IReadOnlyList<string> FileExtensions { get; init; } = [];

    /// <summary>LSP language ids by file extension; the extension without its dot when absent.</summary>
    public IReadOnlyDictionary<string, string> LanguageIds { get; init; } = new Dictionary<string, string>();

    /// <summary>File or glob names whose presence marks a workspace root (<c>.terraform</c>, <c>*.tf</c>).</summary>
    public IReadOnlyList<string> RootMarkers { get; init; } = [];

    /// <summary><c>initializationOptions</c> as JSON text, when any.</summary>
    public string? InitializationOptionsJson { get; init; }

    /// <summary>Settings returned for <c>workspace/configuration</c>, as JSON text, when any.</summary>
    public string? SettingsJson { get; init; }

    /// <summary>How long the server may take to initialise.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the server may take to shut down before it is killed.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether a server that exits unexpectedly is started again (with backoff, at most <see cref="MaxRestarts"/> times).</summary>
    public LspRestartPolicy Restart { get; init; } = LspRestartPolicy.OnCrash;

    /// <summary>Restarts allowed after crashes.</summary>
    public int MaxRestarts { get; init; } = 3;

    /// <summary>What to tell the user when the executable is missing, for example <c>npm i -g yaml-language-server</c>.</summary>
    public string? InstallHint { get; init; }
}

/// <summary>What happens when a language server exits unexpectedly.</summary>
public enum LspRestartPolicy
{
    /// <summary>Start it again after a growing delay, up to <see cref="LspServerCapability.MaxRestarts"/> times.</summary>
    OnCrash,

    /// <summary>Leave it stopped; tools report that it crashed.</summary>
    Never,
}
