namespace AgentHost.Hosting.Plugins.Settings;

/// <summary>What one declared plugin setting holds (<c>settings.NAME.type</c> in <c>plugin.yaml</c>).</summary>
public enum PluginSettingType
{
    /// <summary>Text; with <see cref="PluginSettingDeclaration.Values"/>, one of them (any case).</summary>
    Text,

    /// <summary>A whole number, within the declared minimum and maximum.</summary>
    WholeNumber,

    /// <summary>A number (<c>1.5</c>), within the declared minimum and maximum.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A list of text values (or one comma-separated text).</summary>
    List,

    /// <summary>A mapping of names to values, with anything below them.</summary>
    Map,
}

/// <summary>
/// One setting a plugin declares in its manifest (<c>settings:</c>): the host checks <c>plugins.settings.&lt;id&gt;</c>
/// against these in <c>agent config set</c>, <c>agent config validate</c> and before the plugin loads.
/// </summary>
/// <param name="Name">The setting's name, e.g. <c>timeout_ms</c>.</param>
/// <param name="Type">What it holds.</param>
/// <param name="Description">One line for users, or <see langword="null"/>.</param>
/// <param name="Values">The allowed values of a <see cref="PluginSettingType.Text"/>; empty for any text.</param>
/// <param name="Minimum">The least value of a number, or <see langword="null"/>.</param>
/// <param name="Maximum">The greatest value of a number, or <see langword="null"/>.</param>
public sealed record PluginSettingDeclaration(
    string Name,
    PluginSettingType Type,
    string? Description,
    IReadOnlyList<string> Values,
    double? Minimum,
    double? Maximum);
