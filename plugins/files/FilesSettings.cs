using AgentHost.Sdk;

namespace AgentHost.Plugins.Files;

/// <summary>The settings of the files plugin (<c>plugins.settings.files.*</c>), validated once at registration.</summary>
internal sealed record FilesSettings
{
    public const string Prefix = "plugins.settings.files.";

    /// <summary>The setting that turns must-read-before-edit and stale-write protection on or off.</summary>
    public const string ReadBeforeEditKey = "read_before_edit";

    /// <summary>The setting for how many threads glob and grep use.</summary>
    public const string SearchThreadsKey = "search_threads";

    /// <summary>Threads of a glob or grep walk; 0 (the default) is one per processor, at most 12 (ripgrep's <c>-j</c>).</summary>
    public int SearchThreads { get; init; }

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
            SearchThreads = (int)settings.GetInteger(SearchThreadsKey, fallback: 0, min: 0, max: 64),
        };
    }
}
