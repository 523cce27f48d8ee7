using AgentHost.Sdk;

namespace AgentHost.Plugins.Files;

/// <summary>The settings of the editing tools (<c>plugins.settings.files.*</c>), validated once at registration.</summary>
internal sealed record FilesSettings
{
    public const string Prefix = "plugins.settings.files.";

    /// <summary>The setting that turns must-read-before-edit and stale-write protection on or off.</summary>
    public const string ReadBeforeEditKey = "read_before_edit";

    /// <summary>Whether an existing file must have been viewed in the session, unchanged since, before a tool changes it (default on).</summary>
    public bool ReadBeforeEdit { get; init; } = true;

    /// <summary>Reads the settings this part of the plugin knows; other keys are left to the tools that own them.</summary>
    /// <param name="values">The plugin's flattened settings.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">A value is invalid; the message names the key and the fix.</exception>
    public static FilesSettings Parse(IReadOnlyDictionary<string, string> values)
    {
        var settings = new PluginSettingsReader("files", values);
        return new FilesSettings
        {
            ReadBeforeEdit = settings.GetBoolean(
                ReadBeforeEditKey,
                fallback: true,
                fix: "set it to false to let the write tools change files that were not viewed first"),
        };
    }
}
