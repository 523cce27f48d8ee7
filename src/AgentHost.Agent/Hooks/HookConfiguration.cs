using System.Globalization;
using System.Text.Json;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Hooks;
using AgentHost.Hosting.Text;

namespace AgentHost.Agent.Hooks;

/// <summary>A loaded plugin's hook files.</summary>
/// <param name="PluginId">The plugin id.</param>
/// <param name="Root">The plugin's folder.</param>
/// <param name="Files">Its hook files, relative to <paramref name="Root"/> (<c>PluginManifest.HookFiles</c>).</param>
public sealed record PluginHookFiles(string PluginId, string Root, IReadOnlyList<string> Files);

/// <summary>
/// Every configured hook: the user's configuration's <c>hooks</c> section, a trusted project's (an untrusted project's
/// hooks are listed as inactive and never run), and the loaded plugins' hook files, in that order. What cannot be read
/// is a problem naming the place and the fix; the rest still loads.
/// </summary>
/// <remarks>Immutable.</remarks>
public sealed class HookConfiguration
{
    /// <summary>The configuration section.</summary>
    public const string Section = "hooks";

    /// <summary>The hook field that says what a failing PreToolUse hook does: <c>block</c> (the default) or <c>allow</c>.</summary>
    public const string OnFailureField = "onFailure";

    private HookConfiguration(IReadOnlyList<HookDefinition> hooks, IReadOnlyList<string> problems, IReadOnlyList<string>? pluginProblems = null)
    {
        Hooks = hooks;
        Problems = problems;
        PluginProblems = pluginProblems ?? [];
    }

    /// <summary>A configuration of given hooks (tests, <c>agent hooks test</c>).</summary>
    /// <param name="hooks">The hooks.</param>
    /// <param name="problems">The problems.</param>
    /// <returns>The configuration.</returns>
    internal static HookConfiguration Of(IReadOnlyList<HookDefinition> hooks, IReadOnlyList<string>? problems = null) => new(hooks, problems ?? []);

    /// <summary>No hooks.</summary>
    public static HookConfiguration Empty { get; } = new([], []);

    /// <summary>Every hook, active or waiting for <c>agent trust</c>, in configuration order.</summary>
    public IReadOnlyList<HookDefinition> Hooks { get; }

    /// <summary>Hooks that were skipped, each with where and the fix.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// The problems of <see cref="Problems"/> that are in installed plugins' hook files: known since the plugin was
    /// installed (its summary lists them), so a session shows them only when asked for details.
    /// </summary>
    public IReadOnlyList<string> PluginProblems { get; }

    /// <summary>Whether any hook may run.</summary>
    public bool HasActive => Hooks.Any(h => h.Active);

    /// <summary>Reads the hooks of a configuration and of loaded plugins.</summary>
    /// <param name="configuration">The effective configuration (with the ignored project entries).</param>
    /// <param name="plugins">The loaded plugins' hook files.</param>
    /// <returns>The hooks and problems.</returns>
    public static HookConfiguration Load(ConfigurationSnapshot configuration, IEnumerable<PluginHookFiles>? plugins = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var hooks = new List<HookDefinition>();
        var problems = new List<string>();
        ReadConfig(configuration.Entries.Where(e => ConfigKeys.IsUnder(e.Key, Section)), active: true, hooks, problems);
        ReadConfig(configuration.IgnoredProjectEntries.Where(e => ConfigKeys.IsUnder(e.Key, Section)), active: false, hooks, problems);
        var pluginProblems = new List<string>();
        foreach (var plugin in plugins ?? [])
        {
            foreach (var file in plugin.Files)
            {
                ReadPluginFile(plugin, file, hooks, pluginProblems);
            }
        }

        return hooks.Count == 0 && problems.Count == 0 && pluginProblems.Count == 0 ? Empty : new HookConfiguration(hooks, [.. problems, .. pluginProblems], pluginProblems);
    }

    /// <summary>Reads a hooks document in Claude Code's JSON format (<c>{"hooks": {...}}</c>, or the bare event map).</summary>
    /// <param name="json">The document.</param>
    /// <param name="source">The file it came from.</param>
    /// <param name="origin">Which kind of configuration.</param>
    /// <param name="problems">Where problems go.</param>
    /// <param name="configure">Adjusts each hook (plugin root, id).</param>
    /// <returns>The hooks.</returns>
    internal static List<HookDefinition> ReadJson(string json, string source, HookOrigin origin, List<string> problems, Func<HookDefinition, HookDefinition>? configure = null)
    {
        var hooks = new List<HookDefinition>();
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            problems.Add($"{source}: not valid JSON ({ex.Message}). Fix the file; its hooks are skipped.");
            return hooks;
        }

        var events = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("hooks", out var inner) ? inner : root;
        if (events.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{source}: 'hooks' must be an object of events ({{\"hooks\": {{\"PreToolUse\": [...]}}}}); its hooks are skipped.");
            return hooks;
        }

        foreach (var eventProperty in events.EnumerateObject())
        {
            var eventPath = $"hooks.{eventProperty.Name}";
            if (CheckEvent(eventProperty.Name, source, eventPath, problems) is not { } hookEvent)
            {
                continue;
            }

            if (eventProperty.Value.ValueKind != JsonValueKind.Array)
            {
                problems.Add($"{source}: {eventPath} must be a list of {{\"matcher\": ..., \"hooks\": [...]}}; skipped.");
                continue;
            }

            var groupIndex = 0;
            foreach (var group in eventProperty.Value.EnumerateArray())
            {
                var groupPath = $"{eventPath}[{groupIndex++}]";
                if (group.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{source}: {groupPath} must be an object with 'matcher' and 'hooks'; skipped.");
                    continue;
                }

                var matcherText = group.TryGetProperty("matcher", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
                if (!group.TryGetProperty("hooks", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{source}: {groupPath}.hooks is missing or not a list; add \"hooks\": [{{\"type\": \"command\", \"command\": \"...\"}}]. Skipped.");
                    continue;
                }

                var hookIndex = 0;
                foreach (var hook in list.EnumerateArray())
                {
                    var hookPath = $"{groupPath}.hooks[{hookIndex++}]";
                    var fields = hook.ValueKind == JsonValueKind.Object
                        ? hook.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText(), StringComparer.Ordinal)
                        : [];
                    if (Build(hookEvent, matcherText, fields, $"{source} ({hookPath})", origin, problems) is { } definition)
                    {
                        hooks.Add(configure is null ? definition : configure(definition));
                    }
                }
            }
        }

        return hooks;
    }

    private static void ReadPluginFile(PluginHookFiles plugin, string file, List<HookDefinition> hooks, List<string> problems)
    {
        var path = Path.GetFullPath(Path.Combine(plugin.Root, file));
        string json;
        try
        {
            json = TextFiles.Read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"plugin {plugin.PluginId}: hook file {path} could not be read ({ex.Message}); its hooks are skipped. Check the plugin's 'hooks:' entry.");
            return;
        }

        var root = Path.GetFullPath(plugin.Root).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        hooks.AddRange(ReadJson(json, path, HookOrigin.Plugin, problems, hook => hook with
        {
            // The folder reaches the command as the variable's value, never as shell source (docs/hooks.md).
            Command = PluginRootReferences.Quote(hook.Command),
            PluginId = plugin.PluginId,
            PluginRoot = root,
        }));
    }

    private static void ReadConfig(IEnumerable<ConfigEntry> entries, bool active, List<HookDefinition> hooks, List<string> problems)
    {
        // hooks.EVENT.I.matcher and hooks.EVENT.I.hooks.J.FIELD, grouped in file order.
        var groups = new Dictionary<(string Event, string Group), (string Matcher, SortedDictionary<int, (Dictionary<string, string?> Fields, ConfigEntry First)> Hooks, ConfigEntry First)>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line ?? 0))
        {
            var parts = entry.Key.Split('.');
            var where = entry.Source;
            if (parts.Length == 2)
            {
                if (entry.Value.Length > 0 && reported.Add(where))
                {
                    problems.Add($"{where}: {entry.Key} must be a list of {{matcher, hooks: [{{type: command, command}}]}}; skipped.");
                }

                continue;
            }

            if (parts.Length < 4 || !ConfigKeys.IsIndex(parts[2]))
            {
                if (reported.Add($"{where}|{parts[1]}"))
                {
                    problems.Add($"{where}: hooks.{parts[1]} must be a list of {{matcher, hooks: [{{type: command, command}}]}} (write '- matcher: ...' under it); skipped.");
                }

                continue;
            }

            var key = (parts[1], parts[2]);
            if (!groups.TryGetValue(key, out var group))
            {
                group = (string.Empty, new SortedDictionary<int, (Dictionary<string, string?>, ConfigEntry)>(), entry);
            }

            if (parts.Length == 4 && parts[3].Equals("matcher", StringComparison.OrdinalIgnoreCase))
            {
                group.Matcher = entry.Value;
            }
            else if (parts.Length >= 6 && parts[3].Equals("hooks", StringComparison.OrdinalIgnoreCase) && int.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                if (!group.Hooks.TryGetValue(index, out var hook))
                {
                    hook = (new Dictionary<string, string?>(StringComparer.Ordinal), entry);
                }

                hook.Fields[string.Join('.', parts[5..])] = entry.Value;
                group.Hooks[index] = hook;
            }
            else if (reported.Add(where))
            {
                problems.Add($"{where}: {entry.Key} is not part of a hook; a hook group has 'matcher' and 'hooks: [{{type: command, command, timeout}}]'. Skipped.");
            }

            groups[key] = group;
        }

        foreach (var ((eventName, _), group) in groups)
        {
            var where = group.First.Source;
            if (CheckEvent(eventName, where, "hooks." + eventName, problems) is not { } hookEvent)
            {
                continue;
            }

            if (group.Hooks.Count == 0)
            {
                problems.Add($"{where}: the hook group of {hookEvent} has no 'hooks:' list; add hooks: [{{type: command, command: ...}}]. Skipped.");
                continue;
            }

            foreach (var (_, (fields, first)) in group.Hooks)
            {
                var origin = first.Layer == ConfigLayer.Project ? HookOrigin.Project : HookOrigin.User;
                if (Build(hookEvent, group.Matcher, fields, first.Source, origin, problems) is { } definition)
                {
                    hooks.Add(definition with { Active = active });
                }
            }
        }
    }

    private static string? CheckEvent(string name, string where, string path, List<string> problems)
    {
        if (HookEventNames.All.Contains(name, StringComparer.Ordinal))
        {
            return name;
        }

        if (HookEventNames.NotRaised.Contains(name, StringComparer.Ordinal))
        {
            problems.Add($"{where}: {path}: the host does not raise {name} (it raises {string.Join(", ", HookEventNames.All)}); these hooks never run.");
            return null;
        }

        var fix = HookEventNames.Canonical(name) is { } canonical
            ? $"event names are case-sensitive: write '{canonical}'"
            : $"use one of {string.Join(", ", HookEventNames.All)}";
        problems.Add($"{where}: {path}: '{name}' is not a hook event; {fix}. Skipped.");
        return null;
    }

    private static HookDefinition? Build(string hookEvent, string matcherText, Dictionary<string, string?> fields, string where, HookOrigin origin, List<string> problems)
    {
        var type = fields.GetValueOrDefault("type");
        if (string.IsNullOrWhiteSpace(type))
        {
            problems.Add($"{where}: a {hookEvent} hook has no 'type'; add type: command. Skipped.");
            return null;
        }

        if (!string.Equals(type, "command", StringComparison.Ordinal))
        {
            problems.Add($"{where}: {hookEvent} hook of type '{type}' is not supported (only type: command is); skipped.");
            return null;
        }

        if (UnsupportedHookFields.Reason(fields.GetValueOrDefault) is { } unsupported)
        {
            problems.Add($"{where}: {hookEvent} hook: {unsupported}. Skipped.");
            return null;
        }

        var command = fields.GetValueOrDefault("command");
        if (string.IsNullOrWhiteSpace(command))
        {
            problems.Add($"{where}: a {hookEvent} command hook has no 'command'; add the shell command to run. Skipped.");
            return null;
        }

        var timeout = HookDefinition.DefaultTimeout;
        if (fields.GetValueOrDefault("timeout") is { Length: > 0 } timeoutText)
        {
            if (!double.TryParse(timeoutText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 86_400)
            {
                problems.Add($"{where}: {hookEvent} hook timeout '{timeoutText}' is not a number of seconds (1-86400); using {HookDefinition.DefaultTimeout.TotalSeconds:0} s.");
            }
            else
            {
                timeout = TimeSpan.FromSeconds(seconds);
            }
        }

        if (!HookMatcher.TryParse(matcherText, out var matcher, out var error))
        {
            problems.Add($"{where}: {hookEvent}: {error}. Skipped.");
            return null;
        }

        var failOpen = false;
        if (fields.GetValueOrDefault(OnFailureField) is { } onFailure)
        {
            if (hookEvent != HookEventNames.PreToolUse)
            {
                problems.Add($"{where}: {hookEvent} hook: '{OnFailureField}' applies to PreToolUse hooks only (a failing PreToolUse hook blocks the call unless it says \"{OnFailureField}\": \"allow\"); remove it. Skipped.");
                return null;
            }

            if (onFailure is not ("block" or "allow"))
            {
                problems.Add($"{where}: {hookEvent} hook: '{OnFailureField}' is '{onFailure}'; write \"block\" (the default: a failing guard blocks the call) or \"allow\" (the call goes on). Skipped.");
                return null;
            }

            failOpen = onFailure == "allow";
        }

        var background = fields.GetValueOrDefault("async") is { } flag && flag.Equals("true", StringComparison.OrdinalIgnoreCase);
        return new HookDefinition(hookEvent, matcherText.Trim(), command, timeout, where, origin) { CompiledMatcher = matcher, FailOpen = failOpen, RunsInBackground = background };
    }
}
