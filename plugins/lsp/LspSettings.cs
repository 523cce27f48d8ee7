using AgentHost.Plugins.Lsp.Servers;
using AgentHost.Sdk;

namespace AgentHost.Plugins.Lsp;

/// <summary>The bridge's settings (<c>plugins.settings.lsp</c>), plus servers defined in configuration.</summary>
internal sealed record LspSettings
{
    public static readonly IReadOnlyList<string> KnownKeys = ["diagnostics_timeout_ms", "cold_start_timeout_ms", "max_diagnostics", "path", "servers"];

    /// <summary>How long an edit waits for fresh diagnostics.</summary>
    public TimeSpan DiagnosticsTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the first diagnostics of a server that has not analysed anything yet may take (a cold start: the
    /// server loads the project first). Never less than <see cref="DiagnosticsTimeout"/>.
    /// </summary>
    public TimeSpan ColdStartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most diagnostics listed per file after an edit (errors first).</summary>
    public int MaxDiagnostics { get; init; } = 10;

    /// <summary>Folders searched for server executables before <c>PATH</c> (and put first on the servers' <c>PATH</c>).</summary>
    public IReadOnlyList<string> SearchPath { get; init; } = [];

    /// <summary>The <c>lsp.servers</c> entries (definitions, or adjustments of a plugin's server of the same name).</summary>
    public IReadOnlyList<ConfigServer> ConfigServers { get; init; } = [];

    /// <summary>Unknown keys and invalid names in <c>lsp.servers</c>: reported (lsp_status, agent lsp status), never fatal.</summary>
    public IReadOnlyList<ServerProblem> ConfigProblems { get; init; } = [];

    public static LspSettings Parse(string pluginId, IReadOnlyDictionary<string, string> values)
    {
        var reader = new PluginSettingsReader(pluginId, values, KnownKeys);
        var (servers, problems) = Servers.ConfigServers.Read(values);

        return new LspSettings
        {
            DiagnosticsTimeout = reader.GetMilliseconds("diagnostics_timeout_ms", 5000),
            ColdStartTimeout = reader.GetMilliseconds("cold_start_timeout_ms", 30000),
            MaxDiagnostics = (int)reader.GetInteger("max_diagnostics", 10, 1, 1000),
            SearchPath = [.. reader.GetList("path").Select(p => Path.GetFullPath(Environment.ExpandEnvironmentVariables(p)))],
            ConfigServers = servers,
            ConfigProblems = problems,
        };
    }
}
