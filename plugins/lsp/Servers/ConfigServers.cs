using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>
/// Reads server definitions from flattened settings (<c>servers.&lt;name&gt;.command</c>, <c>…args.0</c>,
/// <c>…settings.yaml.validate</c>): the <c>lsp.servers</c> configuration section.
/// </summary>
internal static class ConfigServers
{
    private static readonly HashSet<string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        "command", "args", "env", "extensions", "language_ids", "root_markers", "initialization_options", "settings",
        "start_timeout", "shutdown_timeout", "restart", "max_restarts", "install", "description",
    };

    /// <summary>Parses the definitions.</summary>
    /// <param name="settings">Flattened settings whose keys start with <c>servers.</c> (others are ignored).</param>
    /// <param name="keyPrefix">How the keys are named in messages, e.g. <c>lsp.servers.</c>.</param>
    /// <returns>The definitions, and one message per problem (naming the key and the fix).</returns>
    public static (List<ServerDefinition> Servers, List<string> Problems) Parse(IReadOnlyDictionary<string, string> settings, string keyPrefix = "lsp.servers.")
    {
        var servers = new List<ServerDefinition>();
        var problems = new List<string>();
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
            var unknown = values.Keys.Select(k => k.Split('.')[0]).Where(k => !Known.Contains(k)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            foreach (var key in unknown)
            {
                problems.Add($"{prefix}{key}: unknown key; use one of {string.Join(", ", Known.Order(StringComparer.Ordinal))}.");
            }

            if (!Capability.IsValidName(name))
            {
                problems.Add($"{keyPrefix}{name}: the server name may contain only letters, digits, '_', '-' and '.'.");
                continue;
            }

            if (!values.TryGetValue("command", out var command) || string.IsNullOrWhiteSpace(command))
            {
                problems.Add($"{prefix}command: required; give the executable, e.g. command: yaml-language-server.");
                continue;
            }

            var extensions = List(values, "extensions");
            var badExtension = extensions.FirstOrDefault(e => !e.StartsWith('.'));
            if (badExtension is not null)
            {
                problems.Add($"{prefix}extensions: '{badExtension}' must start with a dot, e.g. '.{badExtension}'.");
                continue;
            }

            servers.Add(new ServerDefinition(name, command.Trim())
            {
                Args = List(values, "args", splitCommas: false),
                Environment = Map(values, "env"),
                Extensions = extensions,
                LanguageIds = Map(values, "language_ids"),
                RootMarkers = List(values, "root_markers"),
                InitializationOptionsJson = Json(values, "initialization_options"),
                SettingsJson = Json(values, "settings"),
                StartTimeout = Seconds(values, "start_timeout", prefix, problems) ?? TimeSpan.FromSeconds(30),
                ShutdownTimeout = Seconds(values, "shutdown_timeout", prefix, problems) ?? TimeSpan.FromSeconds(5),
                Restart = values.GetValueOrDefault("restart") switch
                {
                    null or "on-crash" => LspRestartPolicy.OnCrash,
                    "never" => LspRestartPolicy.Never,
                    var other => Problem(problems, $"{prefix}restart: '{other}' is not a restart policy; use 'on-crash' (the default) or 'never'.", LspRestartPolicy.OnCrash),
                },
                MaxRestarts = values.GetValueOrDefault("max_restarts") is { } max
                    ? int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 100
                        ? count
                        : Problem(problems, $"{prefix}max_restarts: '{max}' must be a whole number from 0 to 100.", 3)
                    : 3,
                InstallHint = values.GetValueOrDefault("install"),
                Source = "config",
            });
        }

        return (servers, problems);
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
