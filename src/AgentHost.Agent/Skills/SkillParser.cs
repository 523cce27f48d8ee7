using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Text;
using AgentHost.Permissions;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Agent.Skills;

/// <summary>
/// Parses and validates <c>SKILL.md</c> files (YAML frontmatter between <c>---</c> lines, then Markdown) per the Agent
/// Skills standard, plus <c>user-invocable</c> and <c>disable-model-invocation</c>.
/// </summary>
/// <remarks>
/// Hard errors (no frontmatter, YAML that cannot be read even leniently, a missing or empty description, a name that is
/// unusable and no usable folder name) make the skill unusable. Soft problems load with a warning: a name that differs
/// from its folder, unknown keys, over-long fields or bodies, invalid <c>allowed-tools</c> entries. A byte-order mark and
/// CRLF line endings are accepted. Every problem names the file and line. Stateless and thread-safe.
/// </remarks>
public static partial class SkillParser
{
    /// <summary>The file name of a skill.</summary>
    public const string FileName = "SKILL.md";

    /// <summary>The longest name the standard allows.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The longest description the standard allows.</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>The longest compatibility text the standard allows.</summary>
    public const int MaxCompatibilityLength = 500;

    /// <summary>Bodies longer than this many lines get a warning (the standard recommends splitting them into referenced files).</summary>
    public const int RecommendedMaxBodyLines = 500;

    /// <summary>The frontmatter keys this host reads.</summary>
    public static readonly IReadOnlyList<string> KnownKeys =
        ["name", "description", "license", "compatibility", "metadata", "allowed-tools", "user-invocable", "disable-model-invocation"];

    /// <summary>Reads and parses a <c>SKILL.md</c>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The skill and its problems.</returns>
    public static SkillParseResult ParseFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = TextFiles.Read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SkillParseResult(null, [new SkillProblem(SkillSeverity.Error, path, null, $"cannot be read: {ex.Message}")]);
        }

        return Parse(text, path, Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))));
    }

    /// <summary>Reads and parses a <c>SKILL.md</c> of a plugin: <c>${CLAUDE_PLUGIN_ROOT}</c> in its <c>allowed-tools</c> is the plugin's folder.</summary>
    /// <param name="path">The file.</param>
    /// <param name="pluginDirectory">The folder of the plugin that contributes the skill; <see langword="null"/> for a loose skill.</param>
    /// <returns>The skill and its problems.</returns>
    public static SkillParseResult ParseFile(string path, string? pluginDirectory) => ParseFile(path, pluginDirectory, out _);

    /// <summary>
    /// <see cref="ParseFile(string, string?)"/>, also returning the content hash of the exact bytes parsed
    /// (<see cref="SkillBaseline.HashFile"/>), so that a session's baseline need not read the file again.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="pluginDirectory">The folder of the plugin that contributes the skill; <see langword="null"/> for a loose skill.</param>
    /// <param name="contentHash">The hash of the bytes parsed, or <see langword="null"/> when the file could not be read.</param>
    /// <returns>The skill and its problems.</returns>
    internal static SkillParseResult ParseFile(string path, string? pluginDirectory, out string? contentHash)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        contentHash = null;
        string text;
        try
        {
            var bytes = File.ReadAllBytes(path);
            contentHash = SkillBaseline.HashFile(bytes);
            text = TextFiles.Decode(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SkillParseResult(null, [new SkillProblem(SkillSeverity.Error, path, null, $"cannot be read: {ex.Message}")]);
        }

        if (pluginDirectory is null)
        {
            return Parse(text, path, Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))));
        }

        var problems = new List<SkillProblem>();
        void Add(SkillSeverity severity, int? line, string message) => problems.Add(new SkillProblem(severity, path, line, message));
        var result = ParseCore(text, path, Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))), pluginDirectory, problems, Add);
        return result with { Problems = [.. problems.OrderBy(p => p.Line ?? 0)] };
    }

    /// <summary>Parses the text of a <c>SKILL.md</c>.</summary>
    /// <param name="text">The file content.</param>
    /// <param name="file">The file path (for messages).</param>
    /// <param name="directoryName">The name of the folder holding it (the name must equal it).</param>
    /// <returns>The skill and its problems.</returns>
    public static SkillParseResult Parse(string text, string file, string? directoryName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var problems = new List<SkillProblem>();
        void Add(SkillSeverity severity, int? line, string message) => problems.Add(new SkillProblem(severity, file, line, message));
        var result = ParseCore(text, file, directoryName, null, problems, Add);
        return result with { Problems = [.. problems.OrderBy(p => p.Line ?? 0)] };
    }

    private static SkillParseResult ParseCore(string text, string file, string? directoryName, string? pluginDirectory, List<SkillProblem> problems, Action<SkillSeverity, int?, string> add)
    {

        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        if (lines[0].TrimEnd() != "---")
        {
            add(SkillSeverity.Error, 1, "SKILL.md must start with YAML frontmatter: a '---' line, the fields (name: …, description: …), then a closing '---' line");
            return new SkillParseResult(null, problems);
        }

        var close = Array.FindIndex(lines, 1, line => line.TrimEnd() is "---" or "...");
        if (close < 0)
        {
            add(SkillSeverity.Error, 1, "the frontmatter opened on line 1 is never closed; add a '---' line after the last field");
            return new SkillParseResult(null, problems);
        }

        var yamlLines = lines[1..close];
        var root = LoadFrontmatter(yamlLines, add);
        if (root is null)
        {
            return new SkillParseResult(null, problems);
        }

        var bodyLines = lines[(close + 1)..];
        var leading = bodyLines.TakeWhile(string.IsNullOrWhiteSpace).Count();
        var body = string.Join('\n', bodyLines.Skip(leading)).TrimEnd();
        var document = ReadFields(root, directoryName, Path.GetDirectoryName(Path.GetFullPath(file)) ?? string.Empty, pluginDirectory, add);
        if (document is null || problems.Any(p => p.IsError))
        {
            return new SkillParseResult(null, problems);
        }

        var bodyLine = close + 2 + leading;
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var name in SkillPlaceholders.Unknown(lines[i]))
            {
                add(SkillSeverity.Warning, i + 1, $"placeholder ${{{name}}} is not expanded by this host (only {string.Join(" and ", SkillPlaceholders.Known.Select(k => "${" + k + "}"))}, which become the skill's folder, or for a plugin's skill ${{CLAUDE_PLUGIN_ROOT}} the plugin's); it stays as written");
            }
        }

        var bodyLineCount = body.Length == 0 ? 0 : body.Count(c => c == '\n') + 1;
        if (body.Length == 0)
        {
            add(SkillSeverity.Warning, close + 1, "the body is empty: write the instructions the agent follows when the skill is active below the frontmatter");
        }
        else if (bodyLineCount > RecommendedMaxBodyLines)
        {
            add(SkillSeverity.Warning, bodyLine, string.Create(CultureInfo.InvariantCulture,
                $"the body is {bodyLineCount} lines; the standard recommends under {RecommendedMaxBodyLines}: move detail into referenced files (e.g. references/*.md) the agent reads when needed"));
        }

        return new SkillParseResult(document with { Body = body, BodyLine = bodyLine }, problems);
    }

    /// <summary>Whether a name follows the standard: 1–64 characters of a–z, 0–9 and single inner hyphens.</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= MaxNameLength } && NamePattern().IsMatch(name);

    /// <summary>Why a name is not valid, for messages.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The reason.</returns>
    public static string NameProblem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length == 0 ? "it is empty"
            : name.Length > MaxNameLength ? string.Create(CultureInfo.InvariantCulture, $"it is {name.Length} characters (at most {MaxNameLength})")
            : name.Any(char.IsWhiteSpace) ? "it contains spaces"
            : name.Any(char.IsUpper) ? "it contains capital letters"
            : name.StartsWith('-') || name.EndsWith('-') ? "it starts or ends with '-'"
            : name.Contains("--", StringComparison.Ordinal) ? "it contains '--'"
            : "it may only contain a-z, 0-9 and '-'";
    }

    /// <summary>A valid name made from any text: lowercase, other characters as single hyphens (used to suggest a fix).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The suggestion (may be empty).</returns>
    public static string SuggestName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lowered = NonNameCharacters().Replace(text.Trim().ToLowerInvariant(), "-").Trim('-');
        return lowered.Length > MaxNameLength ? lowered[..MaxNameLength].TrimEnd('-') : lowered;
    }

    private static YamlMappingNode? LoadFrontmatter(string[] yamlLines, Action<SkillSeverity, int?, string> add)
    {
        YamlSyntaxError first;
        try
        {
            return ToMapping(Load(string.Join('\n', yamlLines)), add);
        }
        catch (YamlSyntaxException ex)
        {
            first = ex.Error;
        }

        // Lenient retry for the commonest slip: an unquoted value containing ': ' ("description: Use when: …").
        var fixedLines = (string[])yamlLines.Clone();
        var quoted = new List<(int Line, string Key)>();
        for (var i = 0; i < fixedLines.Length; i++)
        {
            var match = PlainField().Match(fixedLines[i]);
            if (match.Success && match.Groups["value"].Value is var value && value.Contains(": ", StringComparison.Ordinal) && value[0] is not ('"' or '\'' or '|' or '>' or '[' or '{'))
            {
                fixedLines[i] = $"{match.Groups["key"].Value}: \"{value.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
                quoted.Add((i + 2, match.Groups["key"].Value));
            }
        }

        if (quoted.Count > 0)
        {
            try
            {
                var root = ToMapping(Load(string.Join('\n', fixedLines)), add);
                foreach (var (line, key) in quoted)
                {
                    add(SkillSeverity.Warning, line, $"the value of '{key}' contains ': ' and is not quoted, which is not valid YAML; it was read as plain text. Quote it: {key}: \"…\"");
                }

                return root;
            }
            catch (YamlSyntaxException)
            {
                // Report the original problem below.
            }
        }

        // A construct left open is only noticed at the end: point at the last frontmatter line, not the closing '---'.
        var errorLine = Math.Min(first.Line, Math.Max(1, yamlLines.Length)) + 1;
        add(SkillSeverity.Error, errorLine, $"the frontmatter is not valid YAML: {FirstLine(first.Message)}");
        return null;
    }

    private static YamlNode? Load(string yaml)
    {
        var stream = YamlSyntax.Load(yaml);
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    private static YamlMappingNode? ToMapping(YamlNode? node, Action<SkillSeverity, int?, string> add)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        add(SkillSeverity.Error, node is null ? 2 : LineOf(node), "the frontmatter must be 'key: value' fields (name, description, …)");
        return null;
    }

    private static SkillDocument? ReadFields(YamlMappingNode root, string? directoryName, string skillDirectory, string? pluginDirectory, Action<SkillSeverity, int?, string> add)
    {
        var fields = new Dictionary<string, (YamlNode Key, YamlNode Value)>(StringComparer.Ordinal);
        foreach (var (key, value) in root.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!KnownKeys.Contains(name, StringComparer.Ordinal))
            {
                add(SkillSeverity.Warning, LineOf(key), $"unknown field '{name}' is ignored (this host reads {string.Join(", ", KnownKeys)})");
                continue;
            }

            fields[name] = (key, value);
        }

        var skillName = ReadName(root, fields, directoryName, add);
        var description = ReadDescription(root, fields, add);
        if (skillName is null || description is null)
        {
            return null;
        }

        return new SkillDocument(skillName, description, string.Empty)
        {
            License = OptionalText(fields, "license", add),
            Compatibility = ReadCompatibility(fields, add),
            Metadata = ReadMetadata(fields, add),
            AllowedTools = ReadAllowedTools(fields, skillDirectory, pluginDirectory, add),
            UserInvocable = ReadBoolean(fields, "user-invocable", true, add),
            DisableModelInvocation = ReadBoolean(fields, "disable-model-invocation", false, add),
        };
    }

    private static string? ReadName(YamlMappingNode root, Dictionary<string, (YamlNode Key, YamlNode Value)> fields, string? directoryName, Action<SkillSeverity, int?, string> add)
    {
        var folderFix = IsValidName(directoryName) ? $"name: {directoryName}" : "name: my-skill (and the same folder name)";
        if (!fields.TryGetValue("name", out var field))
        {
            add(SkillSeverity.Error, LineOf(root), $"field 'name' is required; add {folderFix}");
            return null;
        }

        if (field.Value is not YamlScalarNode { Value: { } declared } || declared.Trim().Length == 0)
        {
            add(SkillSeverity.Error, LineOf(field.Value), $"field 'name' must be a non-empty text value; write {folderFix}");
            return null;
        }

        declared = declared.Trim();
        if (!IsValidName(declared))
        {
            var rule = "use 1-64 characters of a-z, 0-9 and single hyphens, not at the start or end";
            if (IsValidName(directoryName))
            {
                add(SkillSeverity.Warning, LineOf(field.Value), $"name '{declared}' is not a valid skill name ({NameProblem(declared)}; {rule}); it was loaded as '{directoryName}', its folder name. Write name: {directoryName}");
                return directoryName;
            }

            var suggestion = SuggestName(declared);
            add(SkillSeverity.Error, LineOf(field.Value), $"name '{declared}' is not a valid skill name ({NameProblem(declared)}; {rule})" +
                (suggestion.Length > 0 ? $". Write name: {suggestion} and name the folder {suggestion}" : string.Empty));
            return null;
        }

        if (directoryName is not null && !string.Equals(declared, directoryName, StringComparison.Ordinal))
        {
            add(SkillSeverity.Warning, LineOf(field.Value), $"name '{declared}' does not match its folder '{directoryName}'; the standard requires them to be equal. Rename the folder to '{declared}' or write name: {(IsValidName(directoryName) ? directoryName : declared)}");
        }

        return declared;
    }

    private static string? ReadDescription(YamlMappingNode root, Dictionary<string, (YamlNode Key, YamlNode Value)> fields, Action<SkillSeverity, int?, string> add)
    {
        const string Fix = "say what the skill does and when to use it, in one to three sentences";
        if (!fields.TryGetValue("description", out var field))
        {
            add(SkillSeverity.Error, LineOf(root), $"field 'description' is required; {Fix}");
            return null;
        }

        if (field.Value is not YamlScalarNode { Value: { } text } || text.Trim().Length == 0)
        {
            add(SkillSeverity.Error, LineOf(field.Value), $"field 'description' must be non-empty text; {Fix} (quote it if it contains ': ')");
            return null;
        }

        text = text.Trim();
        if (text.Length > MaxDescriptionLength)
        {
            add(SkillSeverity.Warning, LineOf(field.Value), string.Create(CultureInfo.InvariantCulture,
                $"description is {text.Length} characters; the standard allows at most {MaxDescriptionLength} (the catalog shows the first {MaxDescriptionLength}). Shorten it and move detail into the body"));
        }

        return text;
    }

    private static string? ReadCompatibility(Dictionary<string, (YamlNode Key, YamlNode Value)> fields, Action<SkillSeverity, int?, string> add)
    {
        var text = OptionalText(fields, "compatibility", add);
        if (text is { Length: > MaxCompatibilityLength })
        {
            add(SkillSeverity.Warning, LineOf(fields["compatibility"].Value), string.Create(CultureInfo.InvariantCulture,
                $"compatibility is {text.Length} characters; the standard allows at most {MaxCompatibilityLength}"));
        }

        return text;
    }

    private static string? OptionalText(Dictionary<string, (YamlNode Key, YamlNode Value)> fields, string key, Action<SkillSeverity, int?, string> add)
    {
        if (!fields.TryGetValue(key, out var field))
        {
            return null;
        }

        if (field.Value is YamlScalarNode { Value: { Length: > 0 } text } && text.Trim().Length > 0)
        {
            return text.Trim();
        }

        add(SkillSeverity.Warning, LineOf(field.Value), $"field '{key}' must be non-empty text; it is ignored");
        return null;
    }

    private static Dictionary<string, string> ReadMetadata(Dictionary<string, (YamlNode Key, YamlNode Value)> fields, Action<SkillSeverity, int?, string> add)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!fields.TryGetValue("metadata", out var field))
        {
            return metadata;
        }

        if (field.Value is not YamlMappingNode map)
        {
            add(SkillSeverity.Warning, LineOf(field.Value), "field 'metadata' must be a mapping of names to text values (metadata:\\n  author: me); it is ignored");
            return metadata;
        }

        foreach (var (key, value) in map.Children)
        {
            if (key is YamlScalarNode { Value: { } k } && value is YamlScalarNode { Value: { } v })
            {
                metadata[k] = v;
            }
            else
            {
                add(SkillSeverity.Warning, LineOf(key), "metadata entries must be 'name: text' pairs; this one is ignored");
            }
        }

        return metadata;
    }

    private static List<string> ReadAllowedTools(Dictionary<string, (YamlNode Key, YamlNode Value)> fields, string skillDirectory, string? pluginDirectory, Action<SkillSeverity, int?, string> add)
    {
        var rules = new List<string>();
        if (!fields.TryGetValue("allowed-tools", out var field))
        {
            return rules;
        }

        var items = field.Value switch
        {
            YamlScalarNode { Value: { } text } => SplitAllowedTools(text).Select(item => (item, field.Value)).ToList(),
            YamlSequenceNode sequence => sequence.Children.Select(child => ((child as YamlScalarNode)?.Value ?? string.Empty, child)).ToList(),
            _ => null,
        };
        if (items is null)
        {
            add(SkillSeverity.Warning, LineOf(field.Value), "field 'allowed-tools' must be text (space-separated rules) or a list of rules; it is ignored");
            return rules;
        }

        foreach (var (item, node) in items)
        {
            if (PermissionRuleParser.TryParse(RuleList.Allow, SkillPlaceholders.ExpandRule(item, skillDirectory, pluginDirectory), out var rule, out var error))
            {
                rules.Add(rule!.Text);
            }
            else
            {
                add(SkillSeverity.Warning, LineOf(node), $"allowed-tools entry '{item}' is ignored: {error}");
            }
        }

        return rules;
    }

    /// <summary>Splits <c>allowed-tools</c> text on spaces and commas outside parentheses (<c>shell(git diff *) view</c>).</summary>
    /// <param name="text">The field text.</param>
    /// <returns>The entries.</returns>
    public static IReadOnlyList<string> SplitAllowedTools(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        foreach (var c in text)
        {
            depth += c == '(' ? 1 : c == ')' && depth > 0 ? -1 : 0;
            if (depth == 0 && (char.IsWhiteSpace(c) || c == ','))
            {
                Flush();
                continue;
            }

            current.Append(c);
        }

        Flush();
        return items;

        void Flush()
        {
            if (current.Length > 0)
            {
                items.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private static bool ReadBoolean(Dictionary<string, (YamlNode Key, YamlNode Value)> fields, string key, bool defaultValue, Action<SkillSeverity, int?, string> add)
    {
        if (!fields.TryGetValue(key, out var field))
        {
            return defaultValue;
        }

        if (field.Value is YamlScalarNode { Value: { } text } && bool.TryParse(text.Trim(), out var value))
        {
            return value;
        }

        add(SkillSeverity.Warning, LineOf(field.Value), $"field '{key}' must be true or false; the default ({(defaultValue ? "true" : "false")}) is used");
        return defaultValue;
    }

    /// <summary>The file line of a frontmatter node (the frontmatter starts on line 2).</summary>
    private static int LineOf(YamlNode node) => (int)node.Start.Line + 1;

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? text : text[..end]).Trim();
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonNameCharacters();

    [GeneratedRegex(@"^(?<key>[A-Za-z][A-Za-z0-9_-]*):[ \t]+(?<value>\S.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainField();
}
