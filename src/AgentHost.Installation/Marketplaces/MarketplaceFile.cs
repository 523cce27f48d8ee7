using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Installation.Git;

namespace AgentHost.Installation.Marketplaces;

/// <summary>A Claude Code marketplace as read from its <c>.claude-plugin/marketplace.json</c>.</summary>
/// <param name="Name">The marketplace's own name (<c>name</c>).</param>
/// <param name="Root">The marketplace root: the folder holding <c>.claude-plugin/</c>; relative plugin sources start here.</param>
/// <param name="FilePath">The marketplace.json file.</param>
/// <param name="Owner">The owner's name, when given.</param>
/// <param name="Description">The description (<c>description</c> or <c>metadata.description</c>), when given.</param>
/// <param name="Plugins">The entries, in file order.</param>
internal sealed record Marketplace(string Name, string Root, string FilePath, string? Owner, string? Description, IReadOnlyList<MarketplaceEntry> Plugins)
{
    /// <summary>Finds an entry by name, ignoring case.</summary>
    public MarketplaceEntry? Find(string name) => Plugins.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>One plugin a marketplace lists.</summary>
/// <param name="Name">The plugin name.</param>
/// <param name="Description">The description, when given.</param>
/// <param name="Version">The version the entry states, when given.</param>
/// <param name="Source">Where to get it; <see langword="null"/> when the host cannot install it (see <paramref name="NotInstallable"/>).</param>
/// <param name="NotInstallable">Why the host cannot install it; <see langword="null"/> when it can.</param>
internal sealed record MarketplaceEntry(string Name, string? Description, string? Version, MarketplacePluginSource? Source, string? NotInstallable)
{
    /// <summary>
    /// The plugin parts the entry itself defines (<c>commands</c>, <c>hooks</c>, <c>mcpServers</c>, <c>lspServers</c>, …)
    /// with its name and metadata, as a <c>plugin.json</c> object; <see langword="null"/> when it defines none.
    /// </summary>
    public EntryDefinition? Definition { get; init; }
}

/// <summary>The plugin parts a marketplace entry defines, applied to the plugin's folder at install (<see cref="EntryManifest"/>).</summary>
/// <param name="Json">A <c>plugin.json</c> object: the entry's name, metadata and definition fields.</param>
/// <param name="Strict">
/// <see langword="true"/> (Claude Code's default): the plugin's own <c>plugin.json</c> leads and the entry adds to it;
/// <see langword="false"/>: the entry is the whole definition, and a <c>plugin.json</c> that also defines parts is a conflict.
/// </param>
internal sealed record EntryDefinition(string Json, bool Strict);

/// <summary>Where a marketplace entry's plugin comes from: a folder in the marketplace, or a git repository.</summary>
/// <param name="Folder">The folder inside the marketplace root (relative, forward slashes), for a relative-path source.</param>
/// <param name="Git">The repository and ref, for <c>github</c>, <c>url</c> and <c>git-subdir</c> sources.</param>
/// <param name="Sha">The pinned commit, when the entry gives one.</param>
/// <param name="SubPath">The plugin's folder inside the repository, when given.</param>
internal sealed record MarketplacePluginSource(string? Folder, GitUrl? Git, string? Sha, string? SubPath)
{
    /// <summary>The source for messages.</summary>
    public string Display => Folder is not null ? "./" + Folder : Git!.Display + (SubPath is null ? string.Empty : $" (path {SubPath})");
}

/// <summary>
/// Reads <c>.claude-plugin/marketplace.json</c> (Claude Code's format): <c>name</c>, <c>owner</c>,
/// <c>metadata.pluginRoot</c> and <c>plugins</c>, each with a <c>source</c> that is a relative path, or an object
/// whose <c>source</c> is <c>github</c> (<c>repo</c>), <c>url</c> (<c>url</c>, optional <c>path</c>) or
/// <c>git-subdir</c> (<c>url</c>, <c>path</c>), each with optional <c>ref</c> and <c>sha</c>. Entries the host
/// cannot install (npm or pip sources, unknown kinds) are kept with the reason, never dropped; the parts an entry
/// defines itself (<c>strict</c>, <see cref="EntryDefinition"/>) are applied to the plugin's folder at install. A malformed file is refused with its line and the field.
/// </summary>
internal static partial class MarketplaceFile
{
    /// <summary>The marketplace file's path below the marketplace root.</summary>
    public const string RelativePath = ".claude-plugin/marketplace.json";

    /// <summary>The entry fields that define plugin parts (the rest are catalogue data).</summary>
    internal static readonly string[] DefinitionFields = ["commands", "agents", "hooks", "mcpServers", "lspServers", "skills", "outputStyles"];

    private static readonly string[] MetadataFields = ["description", "version", "author", "homepage", "repository", "license", "keywords"];

    /// <summary>The marketplace root for a folder or a path to marketplace.json, or <see langword="null"/> when it holds none.</summary>
    public static string? FindRoot(string path)
    {
        if (File.Exists(path) && Path.GetFileName(path) == "marketplace.json" && Path.GetFileName(Path.GetDirectoryName(path)) == ".claude-plugin")
        {
            return Path.GetDirectoryName(Path.GetDirectoryName(path));
        }

        return File.Exists(Path.Combine(path, RelativePath)) ? path : null;
    }

    /// <summary>Reads and checks a marketplace.</summary>
    /// <param name="root">The marketplace root.</param>
    /// <returns>The marketplace.</returns>
    /// <exception cref="AgentHostException">The file is missing or malformed: the message names the file, line and field, and the fix.</exception>
    public static Marketplace Read(string root)
    {
        var file = Path.Combine(root, ".claude-plugin", "marketplace.json");
        if (!File.Exists(file))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"{root} is not a marketplace: it has no {RelativePath}. Point at the folder (or git repository) whose .claude-plugin/ holds marketplace.json.");
        }

        return Parse(File.ReadAllBytes(file), file, root);
    }

    /// <summary>Parses marketplace.json content.</summary>
    /// <param name="content">The file's bytes.</param>
    /// <param name="file">The file, for messages.</param>
    /// <param name="root">The marketplace root.</param>
    /// <returns>The marketplace.</returns>
    /// <exception cref="AgentHostException">Malformed: file, line and field, and the fix.</exception>
    public static Marketplace Parse(byte[] content, string file, string root)
    {
        using (var json = JsonSourceFile.Parse(file, content))
        {
            AgentHostException Bad(string field, string problem) =>
                new(ErrorKind.Plugin, $"{file}:{json.LineOf(field)}: {field}: {problem}");

            var top = json.Root;
            if (top.ValueKind != JsonValueKind.Object)
            {
                throw Bad("$", "the file must be a JSON object with \"name\", \"owner\" and \"plugins\".");
            }

            var name = RequiredString(top, "name", "name", Bad, "give the marketplace a name, e.g. \"name\": \"my-plugins\"");
            if (!ValidName().IsMatch(name))
            {
                throw Bad("name", $"'{name}' is not a usable marketplace name; use letters, digits, '.', '_' and '-' (kebab-case, e.g. \"my-plugins\").");
            }

            string? owner = null;
            if (top.TryGetProperty("owner", out var ownerElement))
            {
                owner = ownerElement.ValueKind switch
                {
                    JsonValueKind.Object when ownerElement.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String => n.GetString(),
                    JsonValueKind.String => ownerElement.GetString(),
                    _ => throw Bad("owner", "must be an object with a \"name\", e.g. \"owner\": { \"name\": \"Your Team\" }."),
                };
            }

            string? pluginRoot = null;
            string? description = OptionalString(top, "description", "description", Bad);
            if (top.TryGetProperty("metadata", out var metadata))
            {
                if (metadata.ValueKind != JsonValueKind.Object)
                {
                    throw Bad("metadata", "must be an object (with \"description\", \"version\" or \"pluginRoot\").");
                }

                pluginRoot = OptionalString(metadata, "pluginRoot", "metadata.pluginRoot", Bad);
                description ??= OptionalString(metadata, "description", "metadata.description", Bad);
            }

            if (!top.TryGetProperty("plugins", out var plugins) || plugins.ValueKind != JsonValueKind.Array)
            {
                throw Bad("plugins", "must be an array of plugin entries, each like { \"name\": \"x\", \"source\": \"./plugins/x\" }.");
            }

            var entries = new List<MarketplaceEntry>();
            var index = 0;
            foreach (var plugin in plugins.EnumerateArray())
            {
                var at = $"plugins[{index++}]";
                if (plugin.ValueKind != JsonValueKind.Object)
                {
                    throw Bad(at, "each plugin entry must be an object with \"name\" and \"source\".");
                }

                var entryName = RequiredString(plugin, "name", at + ".name", Bad, "give each plugin its name");
                if (!ValidName().IsMatch(entryName))
                {
                    throw Bad(at + ".name", $"'{entryName}' is not a usable plugin name; use letters, digits, '.', '_' and '-' (kebab-case).");
                }

                if (entries.Any(e => e.Name.Equals(entryName, StringComparison.OrdinalIgnoreCase)))
                {
                    throw Bad(at + ".name", $"a plugin named '{entryName}' is listed twice; each name must be unique in a marketplace. Rename or remove one entry.");
                }

                var entryDescription = OptionalString(plugin, "description", at + ".description", Bad);
                var version = OptionalString(plugin, "version", at + ".version", Bad);
                if (!plugin.TryGetProperty("source", out var source))
                {
                    throw Bad(at, $"plugin '{entryName}' has no \"source\"; give a relative path such as \"./plugins/{entryName}\", or an object such as {{ \"source\": \"github\", \"repo\": \"owner/repo\" }}.");
                }

                var (pluginSource, notInstallable) = ReadSource(source, at + ".source", pluginRoot, Bad);
                if (plugin.TryGetProperty("strict", out var strict) && strict.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw Bad(at + ".strict", "must be true or false (false: the entry defines the plugin's parts itself).");
                }

                entries.Add(new MarketplaceEntry(entryName, entryDescription, version, notInstallable is null ? pluginSource : null, notInstallable)
                {
                    Definition = DefinitionOf(plugin, entryName, strict.ValueKind != JsonValueKind.False),
                });
            }

            return new Marketplace(name, root, file, owner, description, entries);
        }
    }

    /// <summary>The entry's own definition of the plugin's parts as a plugin.json object, or <see langword="null"/> when it defines none.</summary>
    private static EntryDefinition? DefinitionOf(JsonElement plugin, string name, bool strict)
    {
        if (!DefinitionFields.Any(f => plugin.TryGetProperty(f, out _)))
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            foreach (var field in MetadataFields.Concat(DefinitionFields))
            {
                if (plugin.TryGetProperty(field, out var value))
                {
                    writer.WritePropertyName(field);
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return new EntryDefinition(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan), strict);
    }

    private static (MarketplacePluginSource? Source, string? NotInstallable) ReadSource(JsonElement source, string at, string? pluginRoot, Func<string, string, AgentHostException> bad)
    {
        if (source.ValueKind == JsonValueKind.String)
        {
            var text = source.GetString()!;
            var relative = text.StartsWith("./", StringComparison.Ordinal) || text.StartsWith("../", StringComparison.Ordinal) || pluginRoot is null
                ? text
                : pluginRoot.TrimEnd('/') + "/" + text;
            if (Path.IsPathRooted(text) || text.StartsWith('/') || text.Contains('\\', StringComparison.Ordinal))
            {
                throw bad(at, $"'{text}' must be a path relative to the marketplace root, e.g. \"./plugins/x\" (absolute paths are not allowed).");
            }

            var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
            if (parts.Contains(".."))
            {
                throw bad(at, $"'{text}' leaves the marketplace folder ('..'); plugins must live inside it, or use a git source for a plugin elsewhere.");
            }

            return (new MarketplacePluginSource(parts.Count == 0 ? string.Empty : string.Join('/', parts), null, null, null), null);
        }

        if (source.ValueKind != JsonValueKind.Object)
        {
            throw bad(at, "must be a relative path string (\"./plugins/x\") or an object with \"source\": \"github\", \"url\" or \"git-subdir\".");
        }

        var kind = RequiredString(source, "source", at + ".source", bad, "say which kind of source this is: \"github\", \"url\" or \"git-subdir\"");
        var reference = OptionalString(source, "ref", at + ".ref", bad);
        var sha = OptionalString(source, "sha", at + ".sha", bad);
        if (sha is not null && !GitUrl.IsCommitId(sha))
        {
            throw bad(at + ".sha", $"'{sha}' is not a full commit id (40 hexadecimal digits).");
        }

        var path = OptionalString(source, "path", at + ".path", bad);
        string url;
        switch (kind)
        {
            case "github":
                var repo = RequiredString(source, "repo", at + ".repo", bad, "name the repository as \"owner/repo\"");
                try
                {
                    url = GitUrl.GitHub(repo);
                }
                catch (AgentHostException)
                {
                    throw bad(at + ".repo", $"'{repo}' is not a GitHub repository; write it as \"owner/repo\".");
                }

                break;
            case "url":
            case "git-subdir":
                var text = OptionalString(source, "url", at + ".url", bad) ?? OptionalString(source, "repo", at + ".repo", bad)
                    ?? throw bad(at, $"a \"{kind}\" source needs \"url\": the repository's clone URL, e.g. \"https://gitlab.com/team/plugin.git\".");
                url = !GitUrl.Looks(text) && kind == "git-subdir" ? GitUrl.GitHub(text) : text;
                if (kind == "git-subdir" && path is null)
                {
                    throw bad(at, "a \"git-subdir\" source needs \"path\": the plugin's folder inside the repository.");
                }

                break;
            default:
                return (null, kind is "npm" or "pip"
                    ? $"its source is an {kind} package; the host installs plugins from folders and git repositories only (install it from its repository with 'agent plugin install <git url>')"
                    : $"its source kind \"{kind}\" is not one the host knows (github, url, git-subdir or a relative path)");
        }

        GitUrl git;
        try
        {
            git = GitUrl.Parse(url);
        }
        catch (AgentHostException ex)
        {
            throw bad(at + (kind == "github" ? ".repo" : ".url"), ex.Message);
        }

        if (reference is not null)
        {
            git = git with { Ref = reference };
        }

        try
        {
            path = RepositoryPath.Normalize(path, "the marketplace entry");
        }
        catch (AgentHostException ex)
        {
            throw bad(at + ".path", ex.Message);
        }

        return (new MarketplacePluginSource(null, git, sha, path), null);
    }

    private static string RequiredString(JsonElement element, string property, string field, Func<string, string, AgentHostException> bad, string fix) =>
        OptionalString(element, property, field, bad) is { Length: > 0 } value
            ? value
            : throw bad(field, $"is missing or empty; {fix}.");

    private static string? OptionalString(JsonElement element, string property, string field, Func<string, string, AgentHostException> bad)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw bad(field, $"must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}.");
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex ValidName();
}
