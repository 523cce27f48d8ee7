using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Cli.Commands;

/// <summary>
/// Edits one key of a config.yaml for <c>agent config set/unset</c> through YamlDotNet's representation model: the
/// other keys, their order and their values are kept; comments are not (the model has no place for them), so a file
/// with comments is first copied to <c>config.yaml.bak</c>. The edited text is validated with the rules of
/// <c>agent config validate</c> before it replaces the file.
/// </summary>
internal static class ConfigYamlEditor
{
    /// <summary>The target file: the user's config.yaml, or the project's with <c>--project</c>.</summary>
    public static string TargetFile(CliContext context, System.CommandLine.ParseResult parseResult, bool project) =>
        project ? context.Configuration(parseResult).Project.ConfigFileOrDefault : context.Paths.GlobalConfigFile;

    /// <summary>The key's segments; a key is dotted names such as <c>providers.openai.base_url</c>.</summary>
    public static string[] Segments(string key)
    {
        var segments = key.Trim().Split('.');
        return segments.Length > 0 && segments.All(s => s.Length > 0 && !s.Any(char.IsWhiteSpace))
            ? segments
            : throw new AgentHostException(ErrorKind.Usage, $"'{key}' is not a configuration key; write dotted names such as log_level or providers.openai.base_url ('agent config show' lists them).");
    }

    /// <summary>Reads the file's top-level mapping (empty when the file is missing or empty).</summary>
    public static YamlMappingNode Load(string file)
    {
        if (!File.Exists(file) || File.ReadAllText(file).Trim().Length == 0)
        {
            return [];
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(file)));
        }
        catch (YamlException ex)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{file} is not valid YAML (line {ex.Start.Line}: {ex.Message}); fix it first ('agent config validate').", ex);
        }

        return stream.Documents.Count == 0 ? []
            : stream.Documents[0].RootNode as YamlMappingNode
              ?? throw new AgentHostException(ErrorKind.Configuration, $"{file} does not hold a mapping of keys at its top level; fix it first ('agent config validate').");
    }

    /// <summary>The value as YAML: a flow list or mapping (<c>[a, b]</c>, <c>{k: v}</c>) stays one; anything else is a scalar.</summary>
    public static YamlNode ParseValue(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
        {
            try
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(trimmed));
                return stream.Documents[0].RootNode;
            }
            catch (YamlException ex)
            {
                throw new AgentHostException(ErrorKind.Usage, $"'{text}' is not a valid YAML list or mapping ({ex.Message}); write it like [a, b] or {{key: value}}.", ex);
            }
        }

        return new YamlScalarNode(text);
    }

    /// <summary>Sets the value, creating the mappings on the way.</summary>
    public static void Set(YamlMappingNode root, IReadOnlyList<string> segments, YamlNode value)
    {
        var node = root;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            var name = new YamlScalarNode(segments[i]);
            if (!node.Children.TryGetValue(name, out var child) || child is not YamlMappingNode mapping)
            {
                mapping = [];
                node.Children[name] = mapping;
            }

            node = mapping;
        }

        node.Children[new YamlScalarNode(segments[^1])] = value;
    }

    /// <summary>Removes the key and the mappings it leaves empty; false when it was not set.</summary>
    public static bool Unset(YamlMappingNode root, IReadOnlyList<string> segments)
    {
        var name = new YamlScalarNode(segments[0]);
        if (!root.Children.TryGetValue(name, out var child))
        {
            return false;
        }

        if (segments.Count == 1)
        {
            root.Children.Remove(name);
            return true;
        }

        if (child is not YamlMappingNode mapping || !Unset(mapping, segments.Skip(1).ToList()))
        {
            return false;
        }

        if (mapping.Children.Count == 0)
        {
            root.Children.Remove(name);
        }

        return true;
    }

    /// <summary>
    /// Validates the edited configuration and, when the edited key has no error, writes it over the file (a file with
    /// comments is copied to <c>.bak</c> first). Returns the errors about the key; nothing is written when there are any.
    /// </summary>
    public static IReadOnlyList<ConfigProblem> Write(string file, YamlMappingNode root, string key, HostEnvironment environment, Action<string> note)
    {
        var directory = Path.GetDirectoryName(file)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, Text(root));
        try
        {
            var errors = ConfigurationResolver.ValidateFile(temp, environment).Where(p => p.IsError && Concerns(p, key)).ToList();
            if (errors.Count > 0)
            {
                return errors;
            }

            var original = File.Exists(file) ? File.ReadAllText(file) : string.Empty;
            var modeline = ConfigSchemaFiles.HasModeline(original) ? original.TrimStart('\uFEFF').Split('\n')[0].TrimEnd('\r') : null;
            if (HasComments(modeline is null ? original : original.TrimStart('\uFEFF')[modeline.Length..]))
            {
                File.Copy(file, file + ".bak", overwrite: true);
                note($"note: {file} had comments, which this edit does not keep (YamlDotNet's model has no place for them); the previous file is {file}.bak.");
            }

            if (modeline is not null)
            {
                // The editor's schema line is kept: it is not a comment about the settings.
                File.WriteAllText(temp, modeline + "\n" + File.ReadAllText(temp));
            }

            File.Move(temp, file, overwrite: true);
            return [];
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Whether the key is a known one (for unset of a key that is not set): the schema's unknown-key error, else none.</summary>
    public static IReadOnlyList<ConfigProblem> CheckKnown(string key, HostEnvironment environment)
    {
        var root = new YamlMappingNode();
        Set(root, Segments(key), new YamlScalarNode("x"));
        var temp = Path.Combine(Path.GetTempPath(), $"agent-config-key-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(temp, Text(root));
        try
        {
            return [.. ConfigurationResolver.ValidateFile(temp, environment).Where(p => p.IsError && Concerns(p, key) && p.Message.Contains("unknown key", StringComparison.Ordinal))];
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Prints the errors about the key (<c>error: key: message</c>) and that the file was not changed (<c>agent config set/unset</c>, <c>agent mcp add/remove</c>).</summary>
    public static int Refuse(CliContext context, IReadOnlyList<ConfigProblem> errors, string file)
    {
        foreach (var error in errors)
        {
            context.Console.WriteError(error.Message);
        }

        context.Console.WriteInfo($"{file} was not changed.");
        return ExitCodes.Usage;
    }

    private static bool Concerns(ConfigProblem problem, string key) =>
        problem.Key is { } k && (k.Equals(key, StringComparison.OrdinalIgnoreCase) || k.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase) || key.StartsWith(k + ".", StringComparison.OrdinalIgnoreCase));

    private static bool HasComments(string text) =>
        text.Split('\n').Any(line => line.TrimStart().StartsWith('#') || line.Contains(" #", StringComparison.Ordinal));

    private static string Text(YamlMappingNode root)
    {
        if (root.Children.Count == 0)
        {
            return string.Empty;
        }

        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString().ReplaceLineEndings("\n");
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }
}
