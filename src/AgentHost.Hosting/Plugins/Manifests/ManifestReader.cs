using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Text;
using NuGet.Versioning;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>Reads and validates <c>plugin.yaml</c>; every problem names the file, line and field, and the fix.</summary>
public static partial class ManifestReader
{
    private static readonly string[] KnownKeys =
        ["id", "version", "description", "authors", "license", "sdk", "entry", "uses", "skills", "lsp", "mcp", "hooks", "commands", "workflows", "homepage", "tags", "activation", "settings"];

    /// <summary>What makes a folder a plugin folder, for messages.</summary>
    public const string PluginFolderDescription = $"a {PluginManifest.FileName}, or a Claude Code plugin ({ClaudePluginReader.LayoutDescription})";

    /// <summary>
    /// The one rule for "is this a plugin folder": it has our <c>plugin.yaml</c>, or it is a Claude Code plugin
    /// (<c>.claude-plugin/plugin.json</c>, or the default layout).
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <returns>Whether <see cref="ReadFromDirectory"/> reads it as a plugin.</returns>
    public static bool IsPluginFolder(string directory) =>
        Directory.Exists(directory) && (File.Exists(Path.Combine(directory, PluginManifest.FileName)) || ClaudePluginReader.IsClaudePlugin(directory));

    /// <summary>Reads the plugin in <paramref name="pluginDirectory"/>: its <c>plugin.yaml</c>, else a Claude Code plugin.</summary>
    /// <param name="pluginDirectory">The plugin root.</param>
    /// <param name="defaultName">The name of a Claude Code plugin without <c>plugin.json</c>; by default the folder's name.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="AgentHostException">No plugin is there, or its manifest is invalid; the message lists every problem.</exception>
    public static PluginManifest ReadFromDirectory(string pluginDirectory, string? defaultName = null)
    {
        var path = Path.Combine(pluginDirectory, PluginManifest.FileName);
        if (File.Exists(path))
        {
            return Read(path, TextFiles.Read(path));
        }

        if (Directory.Exists(pluginDirectory) && ClaudePluginReader.IsClaudePlugin(pluginDirectory))
        {
            return ClaudePluginReader.Read(pluginDirectory, defaultName);
        }

        throw new AgentHostException(ErrorKind.Plugin, NotAPluginFolder(Path.GetFullPath(pluginDirectory)));
    }

    /// <summary>The message for a folder that holds no plugin: what was looked for, and where plugins keep it.</summary>
    public static string NotAPluginFolder(string directory) =>
        $"{directory} is not a plugin folder: looked for {PluginFolderDescription}, and found none. Give the plugin's root folder (for a .NET plugin the 'dotnet publish' output with plugin.yaml; see docs/plugins.md).";

    /// <summary>Parses manifest text.</summary>
    /// <param name="filePath">The file the text came from (used in messages and to resolve relative paths).</param>
    /// <param name="yaml">The YAML text.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="AgentHostException">The manifest is invalid; the message lists every problem.</exception>
    public static PluginManifest Read(string filePath, string yaml)
    {
        var context = new ParseContext(Path.GetFullPath(filePath));
        YamlMappingNode root;
        try
        {
            var stream = YamlSyntax.Load(yaml);
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                throw context.Fail(1, 1, null, "the manifest must be a YAML mapping with at least 'id', 'version', 'description' and 'sdk'");
            }

            root = mapping;
        }
        catch (YamlSyntaxException ex)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"{context.File}:{ex.Error.Line}:{ex.Error.Column}: {ex.Error.Message}", ex);
        }

        var manifest = Parse(root, context);
        context.ThrowIfErrors();
        return manifest!;
    }

    private static PluginManifest? Parse(YamlMappingNode root, ParseContext ctx)
    {
        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>())
        {
            if (!KnownKeys.Contains(key.Value, StringComparer.Ordinal))
            {
                ctx.Error(key, key.Value ?? string.Empty, $"unknown field; known fields are {string.Join(", ", KnownKeys)}");
            }
        }

        var id = ctx.RequiredScalar(root, "id", "add 'id: my-plugin'");
        if (id is not null && (id.Length > 64 || !IdPattern().IsMatch(id)))
        {
            ctx.Error(ValueNode(root, "id"), "id", $"'{id}' is not a valid plugin id; use lowercase letters, digits and single '.', '-' or '_' separators, at most 64 characters (e.g. 'acme.jira-tools')");
        }

        var versionText = ctx.RequiredScalar(root, "version", "add 'version: 1.0.0'");
        NuGetVersion? version = null;
        if (versionText is not null && !NuGetVersion.TryParse(versionText, out version))
        {
            ctx.Error(ValueNode(root, "version"), "version", $"'{versionText}' is not a semantic version; write it like 1.2.3 or 1.2.3-beta.1");
        }

        var description = ctx.RequiredScalar(root, "description", "add a one-line 'description:'");
        var sdkText = ctx.RequiredScalar(root, "sdk", "add the SDK range the plugin was built for, e.g. sdk: \"^1.0\"");
        SdkRange? sdk = null;
        if (sdkText is not null && !SdkRange.TryParse(sdkText, out sdk, out var sdkError))
        {
            ctx.Error(ValueNode(root, "sdk"), "sdk", sdkError!);
        }

        var (entryAssembly, entryType) = ParseEntry(root, ctx);
        var manifest = new PluginManifest
        {
            Id = id ?? string.Empty,
            Version = version ?? new NuGetVersion(0, 0, 0),
            Description = description ?? string.Empty,
            Authors = ctx.StringList(root, "authors"),
            License = ctx.OptionalScalar(root, "license"),
            Homepage = ctx.OptionalScalar(root, "homepage"),
            Sdk = sdk ?? (SdkRange.TryParse(">=0.0", out var any, out _) ? any! : throw new InvalidOperationException()),
            EntryAssembly = entryAssembly,
            EntryType = entryType,
            Uses = ParseUses(root, ctx),
            LazyActivation = ParseActivation(root, ctx),
            SkillDirectories = ParseRelativePaths(root, ctx, "skills", "folder"),
            HookFiles = ParseRelativePaths(root, ctx, "hooks", "file"),
            CommandDirectories = ParseRelativePaths(root, ctx, "commands", "folder"),
            WorkflowDirectories = ParseRelativePaths(root, ctx, "workflows", "folder"),
            LspServers = DeclaredServerParser.ParseLsp(root, ctx),
            McpServers = DeclaredServerParser.ParseMcp(root, ctx),
            Settings = PluginSettingsParser.Parse(root, ctx),
            FilePath = ctx.File,
        };
        return ctx.HasErrors ? null : manifest;
    }

    /// <summary><c>activation</c>: <c>eager</c> (the default) or <c>lazy</c> (a tools-only plugin whose code may wait for its first tool call).</summary>
    private static bool ParseActivation(YamlMappingNode root, ParseContext ctx)
    {
        var text = ctx.OptionalScalar(root, "activation");
        if (text is null or "eager")
        {
            return false;
        }

        if (text == "lazy")
        {
            return true;
        }

        ctx.Error(ValueNode(root, "activation"), "activation", $"'{text}' is not an activation; write eager (the default) or lazy");
        return false;
    }

    private static (string? Assembly, string? Type) ParseEntry(YamlMappingNode root, ParseContext ctx)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode("entry"), out var node))
        {
            return (null, null);
        }

        string? assembly;
        string? type = null;
        if (node is YamlScalarNode scalar)
        {
            assembly = scalar.Value;
        }
        else if (node is YamlMappingNode mapping)
        {
            assembly = ctx.RequiredScalar(mapping, "assembly", "name the entry assembly, e.g. assembly: Acme.Tools.dll", "entry.");
            type = ctx.OptionalScalar(mapping, "type");
        }
        else
        {
            ctx.Error(node, "entry", "must be an assembly file name or a mapping with 'assembly' and optional 'type'");
            return (null, null);
        }

        if (assembly is not null && !IsSafeRelativePath(assembly))
        {
            ctx.Error(node, "entry", $"'{assembly}' must be a relative path inside the plugin folder");
            return (null, null);
        }

        if (assembly is not null && !assembly.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            ctx.Error(node, "entry", $"'{assembly}' must name a .dll built with 'dotnet publish'");
        }

        return (assembly, type);
    }

    private static List<HostCapability> ParseUses(YamlMappingNode root, ParseContext ctx)
    {
        var result = new List<HostCapability>();
        foreach (var (value, node) in ctx.StringListWithNodes(root, "uses"))
        {
            if (Enum.TryParse<HostCapability>(value, ignoreCase: true, out var capability) && !int.TryParse(value, out _))
            {
                result.Add(capability);
            }
            else
            {
                ctx.Error(node, "uses", $"'{value}' is not a host capability; use processes, network or files");
            }
        }

        return result;
    }

    private static List<string> ParseRelativePaths(YamlMappingNode root, ParseContext ctx, string key, string kind)
    {
        var result = new List<string>();
        foreach (var (value, node) in ctx.StringListWithNodes(root, key))
        {
            if (IsSafeRelativePath(value))
            {
                result.Add(value.TrimEnd('/', '\\'));
            }
            else
            {
                ctx.Error(node, key, $"'{value}' must be a relative {kind} inside the plugin");
            }
        }

        return result;
    }

    private static YamlNode ValueNode(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : map;

    internal static bool IsSafeRelativePath(string path) =>
        !string.IsNullOrWhiteSpace(path)
        && !Path.IsPathRooted(path)
        && !path.Replace('\\', '/').Split('/').Contains("..", StringComparer.Ordinal);

    /// <summary>A YAML value as JSON text (scalars as strings), written without the reflection serializer.</summary>
    internal static string? ToJson(YamlNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } value }:
                writer.WriteStringValue(value);
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var (key, value) in map.Children)
                {
                    writer.WritePropertyName((key as YamlScalarNode)?.Value ?? string.Empty);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*$")]
    private static partial Regex IdRegex();

    private static Regex IdPattern() => IdRegex();
}
