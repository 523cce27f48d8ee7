using System.Globalization;
using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Hosting.Plugins.Settings;

/// <summary>
/// Checks a plugin's configured settings (<c>plugins.settings.&lt;id&gt;</c>, flattened: a list as <c>name.0</c>, a map as
/// <c>name.key</c>) against what its manifest declares. One check for <c>agent config set</c>, <c>agent config validate</c>
/// and the plugin's load, so a value is refused where it is written, not dropped where it is read.
/// </summary>
public static class PluginSettingsCheck
{
    /// <summary>The problems, one per setting, each naming the full key, what is wrong and the fix.</summary>
    /// <param name="pluginId">The plugin id (for the key in messages).</param>
    /// <param name="declared">The manifest's declarations (<see cref="PluginManifest.Settings"/>).</param>
    /// <param name="values">The flattened settings, relative to <c>plugins.settings.&lt;id&gt;</c>.</param>
    /// <returns>The problems; empty when every value fits.</returns>
    public static IReadOnlyList<PluginSettingProblem> Problems(
        string pluginId, IReadOnlyDictionary<string, PluginSettingDeclaration> declared, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(values);
        var problems = new List<PluginSettingProblem>();
        foreach (var setting in values.GroupBy(pair => NameOf(pair.Key), StringComparer.Ordinal).OrderBy(group => group.Key, StringComparer.Ordinal))
        {
            var full = $"plugins.settings.{pluginId}.{setting.Key}";
            var problem = declared.TryGetValue(setting.Key, out var declaration)
                ? setting.Select(pair => Check(declaration, pair.Key, pair.Value)).FirstOrDefault(message => message is not null)
                : $"unknown setting; {pluginId} declares {Known(declared)} (see its plugin.yaml). Remove it with 'agent config unset {full}'";
            if (problem is not null)
            {
                problems.Add(new PluginSettingProblem(full, problem));
            }
        }

        return problems;
    }

    private static string NameOf(string key) => key.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? key[..dot] : key;

    private static string? Check(PluginSettingDeclaration declaration, string key, string value)
    {
        var rest = key.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? key[(dot + 1)..] : null;
        switch (declaration.Type)
        {
            case PluginSettingType.List:
                return rest is null || int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                    ? null
                    : $"is a list; write it as [a, b] (found the key '{key}')";
            case PluginSettingType.Map:
                return rest is not null || string.IsNullOrEmpty(value)
                    ? null
                    : $"is a mapping of names to values; write it as {{name: value}}, not '{value}'";
        }

        if (rest is not null)
        {
            return $"is a single {Describe(declaration)}, not a list or a mapping (found the key '{key}')";
        }

        var text = value.Trim();
        return declaration.Type switch
        {
            PluginSettingType.Boolean => bool.TryParse(text, out _) ? null : $"'{value}' is not true or false",
            PluginSettingType.WholeNumber => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)
                ? Range(declaration, whole, value)
                : $"'{value}' is not {Describe(declaration)}",
            PluginSettingType.Number => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? Range(declaration, number, value)
                : $"'{value}' is not {Describe(declaration)}",
            _ => declaration.Values.Count == 0 || declaration.Values.Contains(text, StringComparer.OrdinalIgnoreCase)
                ? null
                : $"'{value}' is not one of {string.Join(", ", declaration.Values)}",
        };
    }

    private static string? Range(PluginSettingDeclaration declaration, double number, string value) =>
        number < declaration.Minimum || number > declaration.Maximum ? $"'{value}' is not {Describe(declaration)}" : null;

    private static string Describe(PluginSettingDeclaration declaration)
    {
        var noun = declaration.Type switch
        {
            PluginSettingType.WholeNumber => "a whole number",
            PluginSettingType.Number => "a number",
            PluginSettingType.Boolean => "true or false",
            _ => "value",
        };
        return (declaration.Minimum, declaration.Maximum) switch
        {
            ({ } min, { } max) => $"{noun} from {Format(min)} to {Format(max)}",
            ({ } min, null) => $"{noun} of {Format(min)} or more",
            (null, { } max) => $"{noun} of at most {Format(max)}",
            _ => noun,
        };
    }

    private static string Known(IReadOnlyDictionary<string, PluginSettingDeclaration> declared) =>
        declared.Count == 0 ? "no settings" : string.Join(", ", declared.Keys.Order(StringComparer.Ordinal));

    private static string Format(double number) => number.ToString("0.############", CultureInfo.InvariantCulture);
}

/// <summary>A configured plugin setting that does not fit its declaration.</summary>
/// <param name="Key">The full key, e.g. <c>plugins.settings.git.generated_with</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record PluginSettingProblem(string Key, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Key}: {Message}";
}
