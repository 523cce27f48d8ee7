using AgentHost.Sdk.Capabilities;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>One language server as the bridge runs it: from a plugin's <c>lsp:</c> section or from configuration.</summary>
internal sealed record ServerDefinition(string Name, string Command)
{
    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Extensions { get; init; } = [];

    public IReadOnlyDictionary<string, string> LanguageIds { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> RootMarkers { get; init; } = [];

    public string? InitializationOptionsJson { get; init; }

    public string? SettingsJson { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public LspRestartPolicy Restart { get; init; } = LspRestartPolicy.OnCrash;

    public int MaxRestarts { get; init; } = 3;

    public string? InstallHint { get; init; }

    /// <summary>Where it was defined: a plugin id, or <c>config</c>.</summary>
    public string Source { get; init; } = "config";

    public bool Serves(string path) =>
        Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public string LanguageId(string path)
    {
        var extension = Path.GetExtension(path);
        foreach (var (ext, id) in LanguageIds)
        {
            if (string.Equals(ext, extension, StringComparison.OrdinalIgnoreCase) || string.Equals("." + ext.TrimStart('.'), extension, StringComparison.OrdinalIgnoreCase))
            {
                return id;
            }
        }

        return extension.TrimStart('.').ToLowerInvariant();
    }

    /// <summary>What to tell the user when <see cref="Command"/> is not found.</summary>
    public string MissingMessage =>
        $"language server '{Name}' is not available: '{Command}' was not found on PATH (only absolute PATH entries and lsp 'path' folders are searched, never the working directory or the project). " +
        (InstallHint ?? $"Install {Command} and make sure it is on PATH.");

    public static ServerDefinition FromCapability(LspServerCapability server, string pluginId) => new(server.Name, server.Command)
    {
        Args = server.Args,
        Environment = server.Environment,
        Extensions = server.FileExtensions,
        LanguageIds = server.LanguageIds,
        RootMarkers = server.RootMarkers,
        InitializationOptionsJson = server.InitializationOptionsJson,
        SettingsJson = server.SettingsJson,
        StartTimeout = server.StartTimeout,
        ShutdownTimeout = server.ShutdownTimeout,
        Restart = server.Restart,
        MaxRestarts = server.MaxRestarts,
        InstallHint = server.InstallHint,
        Source = pluginId,
    };
}
