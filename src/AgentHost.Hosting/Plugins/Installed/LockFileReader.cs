using System.Globalization;
using System.Text.Json;

namespace AgentHost.Hosting.Plugins.Installed;

/// <summary>
/// Reads one entry of <c>plugins.lock.json</c> as <see cref="LockFileJsonContext"/> writes it (camelCase names, absent
/// optional values), from a <see cref="JsonElement"/>: <see cref="PluginLockFile.Load"/> reads the file without the
/// serializer, which is on every run's way to the first model request. Unknown properties are ignored, as the serializer does.
/// </summary>
internal static class LockFileReader
{
    /// <summary>The entry at <paramref name="index"/> of the file's <c>plugins</c>.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="path">The lockfile (for messages).</param>
    /// <param name="index">Its position in the list (for messages).</param>
    /// <returns>The installed plugin.</returns>
    /// <exception cref="AgentHostException">A required value is missing.</exception>
    /// <exception cref="InvalidOperationException">A value is of the wrong kind.</exception>
    /// <exception cref="FormatException">The date is not an ISO 8601 date.</exception>
    public static LockedPlugin Plugin(JsonElement entry, string path, int index)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Broken(path, index, "is not an object");
        }

        var id = Required(entry, "id", path, index);
        return new LockedPlugin(
            id,
            Required(entry, "version", path, index),
            Required(entry, "source", path, index),
            Required(entry, "origin", path, index),
            Required(entry, "sha512", path, index),
            entry.TryGetProperty("enabled", out var enabled) && enabled.GetBoolean(),
            entry.TryGetProperty("installedAt", out var installed) && installed.ValueKind != JsonValueKind.Null
                ? installed.GetDateTimeOffset()
                : default)
        {
            Signature = Optional(entry, "signature"),
            Git = entry.TryGetProperty("git", out var git) && git.ValueKind != JsonValueKind.Null ? Pin(git, path, index) : null,
            Folder = Optional(entry, "folder"),
        };
    }

    private static GitPin Pin(JsonElement git, string path, int index) =>
        new(Required(git, "url", path, index), Optional(git, "ref"), Optional(git, "path"), Required(git, "commit", path, index))
        {
            Sha = Optional(git, "sha"),
        };

    private static string Required(JsonElement element, string name, string path, int index) =>
        Optional(element, name) ?? throw Broken(path, index, $"has no '{name}'");

    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    private static AgentHostException Broken(string path, int index, string problem) =>
        new(ErrorKind.Plugin, string.Create(CultureInfo.InvariantCulture,
            $"{path}: plugin entry {index + 1} of the lockfile {problem}. {PluginLockFile.Remedy}"));
}
