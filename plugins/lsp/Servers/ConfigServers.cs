using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>
/// Reads server definitions from flattened settings (<c>servers.&lt;name&gt;.command</c>, <c>…args.0</c>,
/// <c>…settings.yaml.validate</c>): the <c>lsp.servers</c> configuration section. An entry named like a plugin's
/// server changes only the keys it gives; another entry defines a server (it needs a <c>command</c> and extensions).
/// </summary>
internal static class ConfigServers
{
    /// <summary>The keys of one server entry.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "args", "command", "description", "env", "extensions", "initialization_options", "install", "language_ids", "max_restarts",
        "restart", "root_markers", "settings", "shutdown_timeout", "start_timeout",
    ];

    private static readonly HashSet<string> Known = new(Keys, StringComparer.OrdinalIgnoreCase);

    /// <summary>Groups the settings by server name and checks the names and keys.</summary>
    /// <param name="settings">Flattened settings whose keys start with <c>servers.</c> (others are ignored).</param>
    /// <param name="keyPrefix">How the keys are named in messages, e.g. <c>lsp.servers.</c>.</param>
    /// <returns>The entries, and one problem per unknown key or invalid name (naming the key and the fix).</returns>
    public static (List<ConfigServer> Entries, List<ServerProblem> Problems) Read(IReadOnlyDictionary<string, string> settings, string keyPrefix = "lsp.servers.")
    {
        var entries = new List<ConfigServer>();
        var problems = new List<ServerProblem>();
        var byName = settings
            .Where(p => p.Key.StartsWith("servers.", StringComparison.OrdinalIgnoreCase))
            .Select(p => (Key: p.Key["servers.".Length..], p.Value))
            .Where(p => p.Key.Contains('.', StringComparison.Ordinal))
            .GroupBy(p => p.Key[..p.Key.IndexOf('.', StringComparison.Ordinal)], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in byName)
        {
            var name = group.Key;
            var values = group.ToDictionary(p => p.Key[(name.Length + 1)..], p => p.Value, StringComparer.OrdinalIgnoreCase);
            var prefix = keyPrefix + name + ".";
            foreach (var key in values.Keys.Select(k => k.Split('.')[0]).Where(k => !Known.Contains(k)).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var close = Keys.Where(k => Distance(k, key.ToLowerInvariant()) <= 2).ToList();
                problems.Add(new ServerProblem(name, $"{prefix}{key}: unknown key (ignored){(close.Count > 0 ? $"; did you mean '{close[0]}'?" : ".")} The keys are {string.Join(", ", Keys)}."));
            }

            if (!Capability.IsValidName(name))
            {
                problems.Add(new ServerProblem(name, $"{keyPrefix}{name}: the server name may contain only letters, digits, '_', '-' and '.'; the entry is ignored."));
                continue;
            }

            entries.Add(new ConfigServer(name, values.Where(p => Known.Contains(p.Key.Split('.')[0])).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase)));
        }

        return (entries, problems);
    }

    /// <summary>
    /// The definition an entry gives: on its own (it must have a <c>command</c>), or applied to <paramref name="basis"/>,
    /// a plugin's server of the same name (only the keys the entry gives change).
    /// </summary>
    /// <returns>The definition, or <see langword="null"/> when the entry cannot define one (the problem says why).</returns>
    public static ServerDefinition? Build(ConfigServer entry, ServerDefinition? basis, List<ServerProblem> problems, string keyPrefix = "lsp.servers.")
    {
        var name = entry.Name;
        var values = entry.Map();
        var prefix = keyPrefix + name + ".";
        var command = values.GetValueOrDefault("command");
        if (basis is null && string.IsNullOrWhiteSpace(command))
        {
            problems.Add(new ServerProblem(name, $"{prefix}command: required — no loaded plugin defines a server named '{name}' for this entry to adjust. Give the executable (command: {name}-language-server), or load the plugin that defines '{name}' (--plugin <id>) to change only some of its keys."));
            return null;
        }

        var extensions = Has(values, "extensions") ? List(values, "extensions") : basis?.Extensions ?? [];
        var badExtension = extensions.FirstOrDefault(e => !e.StartsWith('.'));
        if (badExtension is not null)
        {
            problems.Add(new ServerProblem(name, $"{prefix}extensions: '{badExtension}' must start with a dot, e.g. '.{badExtension}'; the server is not defined until it does."));
            return null;
        }

        if (extensions.Count == 0)
        {
            problems.Add(new ServerProblem(name, $"{prefix}extensions: required — the server would serve no file. Give the file extensions it handles, e.g. extensions: [.py]."));
            return null;
        }

        var messages = new List<string>();
        var start = basis ?? new ServerDefinition(name, command!.Trim());
        var definition = start with
        {
            Command = string.IsNullOrWhiteSpace(command) ? start.Command : command.Trim(),
            Args = Has(values, "args") ? List(values, "args", splitCommas: false) : start.Args,
            Environment = Has(values, "env") ? Map(values, "env") : start.Environment,
            Extensions = extensions,
            LanguageIds = Has(values, "language_ids") ? Map(values, "language_ids") : start.LanguageIds,
            RootMarkers = Has(values, "root_markers") ? List(values, "root_markers") : start.RootMarkers,
            InitializationOptionsJson = Has(values, "initialization_options") ? Json(values, "initialization_options") : start.InitializationOptionsJson,
            SettingsJson = Has(values, "settings") ? Json(values, "settings") : start.SettingsJson,
            StartTimeout = Seconds(values, "start_timeout", prefix, messages) ?? start.StartTimeout,
            ShutdownTimeout = Seconds(values, "shutdown_timeout", prefix, messages) ?? start.ShutdownTimeout,
            Restart = values.GetValueOrDefault("restart") switch
            {
                null => start.Restart,
                "on-crash" => LspRestartPolicy.OnCrash,
                "never" => LspRestartPolicy.Never,
                var other => Problem(messages, $"{prefix}restart: '{other}' is not a restart policy; use 'on-crash' (the default) or 'never'.", start.Restart),
            },
            MaxRestarts = values.GetValueOrDefault("max_restarts") is { } max
                ? int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 100
                    ? count
                    : Problem(messages, $"{prefix}max_restarts: '{max}' must be a whole number from 0 to 100.", start.MaxRestarts)
                : start.MaxRestarts,
            InstallHint = values.GetValueOrDefault("install") ?? start.InstallHint,
            Source = basis is null ? "config" : basis.Source + "+config",
        };
        problems.AddRange(messages.Select(m => new ServerProblem(name, m)));
        return definition;
    }

    private static bool Has(Dictionary<string, string> values, string key) =>
        values.Keys.Any(k => k.Equals(key, StringComparison.OrdinalIgnoreCase) || k.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase));

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return row[b.Length];
    }

    private static T Problem<T>(List<string> problems, string message, T fallback)
    {
        problems.Add(message);
        return fallback;
    }

    private static TimeSpan? Seconds(Dictionary<string, string> values, string key, string prefix, List<string> problems)
    {
        if (!values.TryGetValue(key, out var text))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : Problem<TimeSpan?>(problems, $"{prefix}{key}: '{text}' must be a positive number of seconds.", null);
    }

    private static List<string> List(Dictionary<string, string> values, string key, bool splitCommas = true) =>
        values.Where(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase) || p.Key.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => p.Key.Length > key.Length && int.TryParse(p.Key.AsSpan(key.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1)
            .SelectMany(p => splitCommas ? p.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [p.Value])
            .ToList();

    private static Dictionary<string, string> Map(Dictionary<string, string> values, string key) =>
        values.Where(p => p.Key.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(p => p.Key[(key.Length + 1)..], p => p.Value, StringComparer.Ordinal);

    /// <summary>Rebuilds a JSON value from flattened keys (numeric segments become array items).</summary>
    private static string? Json(Dictionary<string, string> values, string key)
    {
        var entries = values.Where(p => p.Key.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase)).ToList();
        if (entries.Count == 0)
        {
            return null;
        }

        var root = new JsonObject();
        foreach (var (fullKey, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var segments = fullKey[(key.Length + 1)..].Split('.');
            JsonObject node = root;
            for (var i = 0; i < segments.Length - 1; i++)
            {
                if (node[segments[i]] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[segments[i]] = child;
                }

                node = child;
            }

            node[segments[^1]] = Scalar(value);
        }

        return ToArrays(root).ToJsonString();
    }

    private static JsonValue Scalar(string value) => value switch
    {
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !value.StartsWith('+') => JsonValue.Create(number),
        _ => JsonValue.Create(value),
    };

    private static JsonNode ToArrays(JsonNode node)
    {
        if (node is not JsonObject obj)
        {
            return node;
        }

        var keys = obj.Select(p => p.Key).ToList();
        if (keys.Count > 0 && keys.All(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var array = new JsonArray();
            foreach (var k in keys.OrderBy(k => int.Parse(k, CultureInfo.InvariantCulture)))
            {
                var child = obj[k];
                obj.Remove(k);
                array.Add(child is null ? null : ToArrays(child));
            }

            return array;
        }

        foreach (var k in keys)
        {
            if (obj[k] is JsonObject child)
            {
                obj.Remove(k);
                obj[k] = ToArrays(child);
            }
        }

        return obj;
    }

    /// <summary>Parses JSON text into a node, or <see langword="null"/>.</summary>
    public static JsonNode? ParseJson(string? json) => json is null ? null : JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true });
}

/// <summary>One <c>lsp.servers.&lt;name&gt;</c> entry: its known keys, relative to the entry.</summary>
internal sealed record ConfigServer(string Name, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>The values as the builder reads them.</summary>
    public Dictionary<string, string> Map() => new(Values, StringComparer.OrdinalIgnoreCase);
}

/// <summary>A problem with the configuration of server <paramref name="Server"/>, naming the key and the fix.</summary>
internal sealed record ServerProblem(string Server, string Message);
