using AgentHost.Hosting.Configuration;
using AgentHost.Permissions.Rules;

namespace AgentHost.Permissions.Sandbox;

/// <summary>Whether what the model runs goes into the operating-system sandbox (<c>sandbox.mode</c>).</summary>
public enum SandboxMode
{
    /// <summary>Sandboxed where the platform can; elsewhere unsandboxed, with a one-line notice.</summary>
    Auto,

    /// <summary>Sandboxed, or not run at all.</summary>
    Required,

    /// <summary>Never sandboxed: the permission rules alone decide.</summary>
    Off,
}

/// <summary>
/// The <c>sandbox</c> section of the configuration: the mode, whether contained commands run without asking
/// (<c>auto_allow</c>), the shell rules whose commands keep the network, the domains other commands reach through the
/// host's proxy (<c>network_domains</c>), and the backend program. An untrusted project's values never get here
/// (<see cref="UntrustedProjectSettings"/> guards the section), so a cloned repository cannot turn the sandbox off.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class SandboxSettings
{
    /// <summary>The mode key.</summary>
    public const string ModeKey = "sandbox.mode";

    /// <summary>The auto-allow key.</summary>
    public const string AutoAllowKey = "sandbox.auto_allow";

    /// <summary>The network rules key.</summary>
    public const string NetworkKey = "sandbox.network";

    /// <summary>The key of the domains a sandboxed command reaches through the host's filtering proxy.</summary>
    public const string NetworkDomainsKey = "sandbox.network_domains";

    /// <summary>The backend program key.</summary>
    public const string ProgramKey = "sandbox.program";

    /// <summary>The key that puts hook commands in the sandbox.</summary>
    public const string HooksKey = "sandbox.hooks";

    /// <summary>The key that puts stdio MCP servers in the sandbox.</summary>
    public const string McpServersKey = "sandbox.mcp_servers";

    /// <summary>The key that puts language servers in the sandbox of their root.</summary>
    public const string LspServersKey = "sandbox.lsp_servers";

    /// <summary>The built-in settings: <see cref="SandboxMode.Auto"/>, no auto-allow, no network rules.</summary>
    public static SandboxSettings Default { get; } = new();

    /// <summary>The mode.</summary>
    public SandboxMode Mode { get; init; } = SandboxMode.Auto;

    /// <summary>Where the mode came from (<c>file:line</c>, <c>--sandbox</c>), when set.</summary>
    public string? ModeSource { get; init; }

    /// <summary>Whether a contained command runs without asking in ask and accept-edits modes.</summary>
    public bool AutoAllow { get; init; }

    /// <summary>The rules whose commands keep the network (as allow rules of a policy).</summary>
    public PermissionPolicy Network { get; init; } = PermissionPolicy.Empty;

    /// <summary>
    /// The domains (<c>github.com</c>, <c>*.npmjs.org</c> for its subdomains, <c>*</c> for every public host, or an IP
    /// address; lower case, ASCII form) a sandboxed command without a <c>sandbox.network</c> rule reaches through the
    /// host's filtering proxy (<see cref="SandboxNetworkProxy"/>). Empty: such a command has no network at all.
    /// </summary>
    public IReadOnlyList<string> NetworkDomains { get; init; } = [];

    /// <summary>
    /// Whether hook commands run in the sandbox too (<c>sandbox.hooks</c>; off by default in the CLI: hooks are commands
    /// you configured; on by default for a shared server's sessions).
    /// </summary>
    public bool Hooks { get; init; }

    /// <summary>Whether stdio MCP servers run in the sandbox too (<c>sandbox.mcp_servers</c>; off by default in the CLI, on for a shared server's sessions).</summary>
    public bool McpServers { get; init; }

    /// <summary>
    /// Whether language servers run in the sandbox of the root they serve (<c>sandbox.lsp_servers</c>; off by default in
    /// the CLI, on for a shared server's sessions).
    /// </summary>
    public bool LspServers { get; init; }

    /// <summary>The configured backend program, or <see langword="null"/> for <c>bwrap</c> on PATH.</summary>
    public string? Program { get; init; }

    /// <summary>Malformed network rules, each naming file:line and the fix.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; init; } = [];

    /// <summary>Parses a mode name.</summary>
    /// <param name="text">The text (<c>auto</c>, <c>required</c>, <c>off</c>; any case).</param>
    /// <param name="mode">The mode.</param>
    /// <returns>Whether it is one.</returns>
    public static bool TryParseMode(string? text, out SandboxMode mode)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "auto":
                mode = SandboxMode.Auto;
                return true;
            case "required":
                mode = SandboxMode.Required;
                return true;
            case "off":
                mode = SandboxMode.Off;
                return true;
            default:
                mode = SandboxMode.Auto;
                return false;
        }
    }

    /// <summary>The mode's name as configuration writes it.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>The name.</returns>
    public static string NameOf(SandboxMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Reads the section (its values were validated by the configuration's schema).</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="modeOverride">A mode given for this run (<c>--sandbox</c>, a session's setting), which wins over the configuration.</param>
    /// <param name="serverSessions">
    /// Whether the settings are a shared server's sessions' (<c>agent serve</c>): then <c>sandbox.hooks</c>,
    /// <c>sandbox.mcp_servers</c> and <c>sandbox.lsp_servers</c> are on unless the configuration turns them off.
    /// </param>
    /// <returns>The settings.</returns>
    public static SandboxSettings FromConfiguration(ConfigurationSnapshot configuration, SandboxMode? modeOverride = null, bool serverSessions = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var mode = configuration.Explain(ModeKey) is { } entry && TryParseMode(entry.Value, out var configured) ? configured : SandboxMode.Auto;
        var source = configuration.Explain(ModeKey)?.Source;
        var problems = new List<ConfigProblem>();
        var rules = new List<string>();
        foreach (var (key, value) in configuration.GetSection(NetworkKey).OrderBy(pair => int.TryParse(pair.Key, out var index) ? index : int.MaxValue))
        {
            var text = value.Trim();
            if (!PermissionRuleParser.TryParse(RuleList.Allow, text, out var rule, out var error) || rule is null)
            {
                problems.Add(Problem(configuration, NetworkKey, key, $"'{text}' is not a rule: {error}", "the rule is ignored"));
            }
            else if (rule.Target != RuleTarget.Shell)
            {
                problems.Add(Problem(configuration, NetworkKey, key, $"'{text}' is not a shell rule; network rules name commands, e.g. shell(npm install*) (a fetch(domain:…) rule decides the fetch tool, not commands; domains for every command go in {NetworkDomainsKey})", "the rule is ignored"));
            }
            else
            {
                rules.Add(text);
            }
        }

        var domains = new List<string>();
        foreach (var (key, value) in configuration.GetSection(NetworkDomainsKey).OrderBy(pair => int.TryParse(pair.Key, out var index) ? index : int.MaxValue))
        {
            try
            {
                domains.Add(AgentHost.Common.Network.DomainRules.NormalisePattern(value, NetworkDomainsKey));
            }
            catch (ArgumentException ex)
            {
                problems.Add(Problem(configuration, NetworkDomainsKey, key, ex.Message[(NetworkDomainsKey.Length + 2)..].TrimEnd('.'), "the entry is ignored"));
            }
        }

        return new SandboxSettings
        {
            Mode = modeOverride ?? mode,
            ModeSource = modeOverride is null ? source : "--sandbox",
            AutoAllow = bool.TryParse(configuration.Get(AutoAllowKey), out var autoAllow) && autoAllow,
            Hooks = bool.TryParse(configuration.Get(HooksKey), out var hooks) ? hooks : serverSessions,
            McpServers = bool.TryParse(configuration.Get(McpServersKey), out var mcpServers) ? mcpServers : serverSessions,
            LspServers = bool.TryParse(configuration.Get(LspServersKey), out var lspServers) ? lspServers : serverSessions,
            Network = PermissionPolicy.FromText(allow: rules),
            NetworkDomains = [.. domains.Distinct(StringComparer.Ordinal)],
            Program = configuration.GetPath(ProgramKey),
            Problems = problems,
        };
    }

    private static ConfigProblem Problem(ConfigurationSnapshot configuration, string list, string index, string message, string consequence) =>
        configuration.Explain($"{list}.{index}") is { } entry
            ? ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"{message}; {consequence}")
            : new ConfigProblem(ConfigSeverity.Error, null, null, $"{list}.{index}", $"{message}; {consequence}");
}
