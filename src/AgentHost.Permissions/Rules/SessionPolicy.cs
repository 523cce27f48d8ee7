using System.Globalization;

namespace AgentHost.Permissions.Rules;

/// <summary>
/// A session's own policy, the narrowest permission layer (docs/permissions.md, "Session policies"): a maximum read size,
/// path globs the file tools may touch (<see cref="AllowPaths"/>) or never touch (<see cref="DenyPaths"/>), and the hosts
/// network calls may reach (<see cref="NetworkHosts"/>), and tools it refuses by name (<see cref="DenyTools"/>). It only ever narrows: the engine applies it after the safety
/// floor and the configured deny rules and before everything that could allow, so a session allow glob or host never
/// allows what the configuration denies or asks.
/// </summary>
/// <remarks>Immutable and thread-safe. Build one with <see cref="TryCreate"/>, which checks every glob, host and tool name.</remarks>
public sealed record SessionPolicy
{
    /// <summary>The largest <see cref="MaxReadBytes"/>: 1 GiB.</summary>
    public const long MaxReadBytesLimit = 1L << 30;

    /// <summary>The smallest <see cref="MaxReadBytes"/>: 256 bytes (a result must still say why it was cut).</summary>
    public const long MinReadBytes = 256;

    /// <summary>The longest tool name <see cref="DenyTools"/> accepts.</summary>
    public const int MaxToolNameLength = 200;

    private SessionPolicy(long? maxReadBytes, IReadOnlyList<PermissionRule> allow, IReadOnlyList<PermissionRule> deny, IReadOnlyList<PermissionRule>? network, IReadOnlyList<string> denyTools)
    {
        MaxReadBytes = maxReadBytes;
        AllowRules = allow;
        DenyRules = deny;
        NetworkRules = network;
        DenyTools = denyTools;
    }

    /// <summary>A policy that restricts nothing.</summary>
    public static SessionPolicy None { get; } = new(null, [], [], null, []);

    /// <summary>The most bytes (UTF-8) of one read tool's result given to the model; <see langword="null"/> for no session cap.</summary>
    public long? MaxReadBytes { get; }

    /// <summary>Path globs (the rule language's path patterns) the file tools may read and write; any path when empty.</summary>
    public IReadOnlyList<string> AllowPaths => [.. AllowRules.Where(r => r.Target == RuleTarget.Read).Select(r => r.Specifier!)];

    /// <summary>Path globs no file tool may read or write.</summary>
    public IReadOnlyList<string> DenyPaths => [.. DenyRules.Where(r => r.Target == RuleTarget.Read).Select(r => r.Specifier!)];

    /// <summary>Hosts (<c>example.com</c>, <c>*.example.com</c>) network calls may reach; any host when <see langword="null"/>, none when empty.</summary>
    public IReadOnlyList<string>? NetworkHosts => NetworkRules?.Select(r => r.Specifier!["domain:".Length..]).ToList();

    /// <summary>
    /// Tools refused whatever the mode, rules, grants or answers say, each by its plain name (<c>lsp_control</c>) or
    /// qualified by its plugin (<c>lsp/lsp_control</c>); a refused tool is not offered to the model either.
    /// </summary>
    public IReadOnlyList<string> DenyTools { get; }

    /// <summary>Whether the policy restricts anything.</summary>
    public bool IsEmpty => MaxReadBytes is null && AllowRules.Count == 0 && DenyRules.Count == 0 && NetworkRules is null && DenyTools.Count == 0;

    /// <summary>The <see cref="DenyTools"/> entry that refuses a tool, or <see langword="null"/> when none does.</summary>
    /// <param name="tool">The tool's plain name.</param>
    /// <param name="plugin">Its plugin's id, if any (an entry <c>plugin/tool</c> matches it).</param>
    /// <returns>The matching entry.</returns>
    public string? DeniedTool(string tool, string? plugin)
    {
        ArgumentNullException.ThrowIfNull(tool);
        foreach (var name in DenyTools)
        {
            if (string.Equals(name, tool, StringComparison.Ordinal)
                || (plugin is { Length: > 0 } && name.Length == plugin.Length + 1 + tool.Length && name.StartsWith(plugin, StringComparison.Ordinal) && name[plugin.Length] == '/' && name.EndsWith(tool, StringComparison.Ordinal)))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The allow globs as <c>read(…)</c> and <c>write(…)</c> allow rules (the engine's matcher reads them).</summary>
    internal IReadOnlyList<PermissionRule> AllowRules { get; }

    /// <summary>The deny globs as <c>read(…)</c> and <c>write(…)</c> deny rules.</summary>
    internal IReadOnlyList<PermissionRule> DenyRules { get; }

    /// <summary>The hosts as <c>fetch(domain:…)</c> allow rules; <see langword="null"/> without an allowlist.</summary>
    internal IReadOnlyList<PermissionRule>? NetworkRules { get; }

    /// <summary>Builds a policy, checking each glob, host and tool name.</summary>
    /// <param name="maxReadBytes">The read cap, or <see langword="null"/>.</param>
    /// <param name="allowPaths">Allow globs (none: any path).</param>
    /// <param name="denyPaths">Deny globs.</param>
    /// <param name="networkHosts">The host allowlist (<see langword="null"/>: any host; empty: none).</param>
    /// <param name="denyTools">Tool names refused (<c>lsp_control</c> or <c>lsp/lsp_control</c>).</param>
    /// <param name="policy">The policy, when every part is valid.</param>
    /// <param name="error">What is wrong, naming the setting (<c>max_read_bytes</c>, <c>allow_paths</c>, <c>deny_paths</c>, <c>network_allow</c>, <c>deny_tools</c>) and the fix.</param>
    /// <returns>Whether the policy is valid.</returns>
    public static bool TryCreate(
        long? maxReadBytes,
        IEnumerable<string>? allowPaths,
        IEnumerable<string>? denyPaths,
        IEnumerable<string>? networkHosts,
        IEnumerable<string>? denyTools,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SessionPolicy? policy,
        out string? error)
    {
        policy = null;
        if (maxReadBytes is < MinReadBytes or > MaxReadBytesLimit)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"max_read_bytes: {maxReadBytes} is out of range; give a whole number of bytes from {MinReadBytes} to {MaxReadBytesLimit}");
            return false;
        }

        var allow = new List<PermissionRule>();
        var deny = new List<PermissionRule>();
        if (!AddPaths("allow_paths", RuleList.Allow, allowPaths, allow, out error) || !AddPaths("deny_paths", RuleList.Deny, denyPaths, deny, out error))
        {
            return false;
        }

        List<PermissionRule>? network = null;
        if (networkHosts is not null)
        {
            network = [];
            foreach (var host in networkHosts.Select(h => h.Trim()))
            {
                if (host.Contains('/', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal)
                    || !PermissionRuleParser.TryParse(RuleList.Allow, $"fetch(domain:{host})", out var rule, out _))
                {
                    error = $"network_allow: '{host}' is not a host name; give names such as example.com or *.example.com, without scheme, port or path";
                    return false;
                }

                network.Add(rule! with { Origin = "session network_allow" });
            }
        }

        var tools = new List<string>();
        foreach (var tool in (denyTools ?? []).Select(t => t.Trim()))
        {
            if (!IsToolName(tool))
            {
                error = $"deny_tools: '{tool}' is not a tool name; give names such as lsp_control, lsp/lsp_control or mcp__docs__search, separated by commas (letters, digits, _ - . : @, one / before the name)";
                return false;
            }

            if (!tools.Contains(tool, StringComparer.Ordinal))
            {
                tools.Add(tool);
            }
        }

        policy = new SessionPolicy(maxReadBytes, allow, deny, network, tools);
        error = null;
        return true;
    }

    /// <summary>A tool name: letters, digits and <c>_ - . : @</c>, optionally after one <c>plugin/</c>.</summary>
    private static bool IsToolName(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        return name.Length is > 0 and <= MaxToolNameLength
            && slash != 0 && slash != name.Length - 1 && name.IndexOf('/', slash + 1) < 0
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':' or '@' or '/');
    }

    private static bool AddPaths(string setting, RuleList list, IEnumerable<string>? globs, List<PermissionRule> rules, out string? error)
    {
        error = null;
        foreach (var glob in (globs ?? []).Select(g => g.Trim()))
        {
            foreach (var target in (string[])["read", "write"])
            {
                if (glob.Length == 0 || glob.Contains('(', StringComparison.Ordinal) || glob.Contains(')', StringComparison.Ordinal)
                    || !PermissionRuleParser.TryParse(list, $"{target}({glob})", out var rule, out _))
                {
                    error = $"{setting}: '{glob}' is not a path pattern; give globs such as src/**, *.pem or ~/notes (no parentheses)";
                    return false;
                }

                rules.Add(rule! with { Origin = "session " + setting });
            }
        }

        return true;
    }
}
