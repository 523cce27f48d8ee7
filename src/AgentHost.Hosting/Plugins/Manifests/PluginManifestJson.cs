using System.Text.Json;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Sdk.Capabilities;
using NuGet.Versioning;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>
/// A Claude Code plugin's manifest as JSON, kept in its verification record (<see cref="PluginStamps"/>) so that a run
/// whose plugin folder provably did not change takes the manifest from there instead of reading and parsing the
/// plugin's files again (issue #50: a hundred installed plugins, three JSON files each, in every run).
/// </summary>
/// <remarks>
/// Only manifests without code (<see cref="PluginFormat.ClaudeCode"/>) are kept: what they hold is data the reader took
/// from the plugin's files (folders, hook files, servers), nothing a run computes. Every field is written and read back
/// (PluginManifestJsonTests lists the properties, so a new one fails a test until it is kept here too), except
/// <see cref="PluginManifest.NotMapped"/>: the notes are read from the plugin's files again when something shows them
/// (<c>agent plugin list</c>, <c>doctor</c>), as they are for a manifest just read.
/// </remarks>
internal static class PluginManifestJson
{
    /// <summary>Whether <paramref name="manifest"/> is of a kind kept in the record.</summary>
    public static bool Keeps(PluginManifest manifest) => manifest.Format == PluginFormat.ClaudeCode && !manifest.HasCode;

    /// <summary>Writes <paramref name="manifest"/> as the current object's properties.</summary>
    public static void Write(Utf8JsonWriter writer, PluginManifest manifest)
    {
        writer.WriteString("id", manifest.Id);
        writer.WriteString("version", manifest.Version.ToFullString());
        writer.WriteString("description", manifest.Description);
        Strings(writer, "authors", manifest.Authors);
        writer.WriteString("license", manifest.License);
        writer.WriteString("homepage", manifest.Homepage);
        writer.WriteString("sdk", manifest.Sdk.Text);
        Strings(writer, "uses", [.. manifest.Uses.Select(u => u.ToString())]);
        Strings(writer, "skills", manifest.SkillDirectories);
        Strings(writer, "commands", manifest.CommandDirectories);
        Strings(writer, "workflows", manifest.WorkflowDirectories);
        Strings(writer, "hooks", manifest.HookFiles);
        writer.WriteStartArray("mcp");
        foreach (var server in manifest.McpServers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", server.Name);
            writer.WriteString("description", server.Description);
            writer.WriteString("transport", server.Transport.ToString());
            writer.WriteString("command", server.Command);
            Strings(writer, "args", server.Args);
            Map(writer, "env", server.Environment);
            writer.WriteString("url", server.Url?.OriginalString);
            writer.WriteString("url_template", server.UrlTemplate);
            Map(writer, "headers", server.Headers);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("lsp");
        foreach (var server in manifest.LspServers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", server.Name);
            writer.WriteString("description", server.Description);
            writer.WriteString("command", server.Command);
            Strings(writer, "args", server.Args);
            Map(writer, "env", server.Environment);
            Strings(writer, "extensions", server.FileExtensions);
            Map(writer, "language_ids", server.LanguageIds);
            Strings(writer, "root_markers", server.RootMarkers);
            writer.WriteString("initialization_options", server.InitializationOptionsJson);
            writer.WriteString("settings", server.SettingsJson);
            writer.WriteNumber("start_timeout_ms", (long)server.StartTimeout.TotalMilliseconds);
            writer.WriteNumber("shutdown_timeout_ms", (long)server.ShutdownTimeout.TotalMilliseconds);
            writer.WriteString("restart", server.Restart.ToString());
            writer.WriteNumber("max_restarts", server.MaxRestarts);
            writer.WriteString("install_hint", server.InstallHint);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("file", manifest.FilePath);
        writer.WriteString("directory", manifest.Directory);
    }

    /// <summary>
    /// The manifest written by <see cref="Write"/>; its notes are read from the plugin's files when first enumerated.
    /// A malformed object throws (<see cref="KeyNotFoundException"/>, <see cref="InvalidOperationException"/>,
    /// <see cref="FormatException"/>, <see cref="ArgumentException"/>): the caller then reads the plugin's files.
    /// </summary>
    public static PluginManifest Read(JsonElement json)
    {
        var directory = Text(json, "directory")!;
        var notes = new PluginNotes();
        notes.AddLater(() => NotesOf(directory));
        return new PluginManifest
        {
            Id = Text(json, "id")!,
            Version = NuGetVersion.Parse(Text(json, "version")!),
            Description = Text(json, "description")!,
            Authors = Strings(json, "authors"),
            License = Text(json, "license"),
            Homepage = Text(json, "homepage"),
            Sdk = SdkRange.TryParse(Text(json, "sdk")!, out var sdk, out var error) ? sdk! : throw new FormatException(error),
            Uses = [.. Strings(json, "uses").Select(u => Enum.Parse<HostCapability>(u))],
            SkillDirectories = Strings(json, "skills"),
            CommandDirectories = Strings(json, "commands"),
            WorkflowDirectories = Strings(json, "workflows"),
            HookFiles = Strings(json, "hooks"),
            McpServers = [.. json.GetProperty("mcp").EnumerateArray().Select(ReadMcp)],
            LspServers = [.. json.GetProperty("lsp").EnumerateArray().Select(ReadLsp)],
            Format = PluginFormat.ClaudeCode,
            NotMapped = notes,
            FilePath = Text(json, "file")!,
            Directory = directory,
        };
    }

    private static McpServerCapability ReadMcp(JsonElement json) =>
        new(Text(json, "name")!, Enum.Parse<McpTransport>(Text(json, "transport")!))
        {
            Description = Text(json, "description"),
            Command = Text(json, "command"),
            Args = Strings(json, "args"),
            Environment = Map(json, "env"),
            Url = Text(json, "url") is { } url ? new Uri(url, UriKind.Absolute) : null,
            UrlTemplate = Text(json, "url_template"),
            Headers = Map(json, "headers"),
        };

    private static LspServerCapability ReadLsp(JsonElement json) =>
        new(Text(json, "name")!, Text(json, "command")!)
        {
            Description = Text(json, "description"),
            Args = Strings(json, "args"),
            Environment = Map(json, "env"),
            FileExtensions = Strings(json, "extensions"),
            LanguageIds = Map(json, "language_ids"),
            RootMarkers = Strings(json, "root_markers"),
            InitializationOptionsJson = Text(json, "initialization_options"),
            SettingsJson = Text(json, "settings"),
            StartTimeout = TimeSpan.FromMilliseconds(json.GetProperty("start_timeout_ms").GetInt64()),
            ShutdownTimeout = TimeSpan.FromMilliseconds(json.GetProperty("shutdown_timeout_ms").GetInt64()),
            Restart = Enum.Parse<LspRestartPolicy>(Text(json, "restart")!),
            MaxRestarts = json.GetProperty("max_restarts").GetInt32(),
            InstallHint = Text(json, "install_hint"),
        };

    /// <summary>The notes of the plugin's files as read now; none when they cannot be read (the plugin changed since).</summary>
    private static IEnumerable<string> NotesOf(string directory)
    {
        try
        {
            return ClaudePluginReader.Read(directory).NotMapped;
        }
        catch (Exception ex) when (ex is AgentHostException or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? Text(JsonElement json, string name) => json.GetProperty(name).GetString();

    private static List<string> Strings(JsonElement json, string name) =>
        [.. json.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? throw new FormatException($"'{name}' holds a null"))];

    private static Dictionary<string, string> Map(JsonElement json, string name) =>
        json.GetProperty(name).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? throw new FormatException($"'{name}.{p.Name}' is null"), StringComparer.Ordinal);

    private static void Strings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void Map(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string> values)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }
}
