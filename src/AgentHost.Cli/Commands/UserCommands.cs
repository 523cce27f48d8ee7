using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Cli.Commands;

/// <summary>
/// A prompt command: a Markdown file whose text becomes the prompt — a user-defined one, or a plugin's. <c>$ARGUMENTS</c>
/// is replaced by what follows the name, <c>$1</c>…<c>$9</c> by its words (quotes group words), as in Claude Code.
/// </summary>
internal sealed partial record UserCommand(string Name, string Description, string Body, string File)
{
    /// <summary>The front matter's <c>argument-hint</c> (e.g. <c>[file] [focus]</c>), shown in the usage.</summary>
    public string? ArgumentHint { get; init; }

    /// <summary>The plugin the command comes from, or <see langword="null"/> for the user's and the project's own.</summary>
    public string? PluginId { get; init; }

    /// <summary>The usage line: <c>/name hint</c>.</summary>
    public string Usage => $"/{Name} {ArgumentHint ?? "[arguments]"}";

    /// <summary>
    /// The prompt for <paramref name="arguments"/>: <c>$ARGUMENTS</c> and <c>$1</c>…<c>$9</c> replaced (a missing word
    /// by nothing), or the arguments appended when the file has no placeholder.
    /// </summary>
    public string Expand(string arguments)
    {
        var hasAll = Body.Contains("$ARGUMENTS", StringComparison.Ordinal);
        var hasPositional = Positional().IsMatch(Body);
        if (!hasAll && !hasPositional)
        {
            return arguments.Length > 0 ? $"{Body.TrimEnd()}\n\n{arguments}" : Body;
        }

        var words = Words(arguments);
        var text = hasPositional ? Positional().Replace(Body, m => words.ElementAtOrDefault(m.Groups[1].Value[0] - '1') ?? string.Empty) : Body;
        return text.Replace("$ARGUMENTS", arguments, StringComparison.Ordinal);
    }

    /// <summary>The words of an argument line; single or double quotes group words.</summary>
    internal static List<string> Words(string arguments)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var (quote, inWord) = ('\0', false);
        foreach (var c in arguments)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                (quote, inWord) = (c, true);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    (current, inWord) = (new System.Text.StringBuilder(), false);
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\$([1-9])(?![0-9])")]
    private static partial System.Text.RegularExpressions.Regex Positional();
}

/// <summary>
/// Loads user-defined commands: <c>*.md</c> in the user config folder's <c>commands/</c> and, when the project is
/// trusted, in the project's <c>.agent/commands/</c> (a project command of the same name wins). Optional YAML front
/// matter gives a <c>description:</c>.
/// </summary>
internal static class UserCommands
{
    public static IReadOnlyList<UserCommand> Load(AgentPaths paths, ConfigurationSnapshot configuration)
    {
        var projectRoot = configuration.ProjectRoot;
        var commands = new Dictionary<string, UserCommand>(StringComparer.Ordinal);
        Add(commands, Path.Combine(paths.ConfigDirectory, "commands"));
        if (configuration.Trusts(projectRoot, paths))
        {
            Add(commands, Path.Combine(projectRoot, ".agent", "commands"));
        }

        return [.. commands.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
    }

    /// <summary>Reads one command file; front matter gives <c>description</c> and <c>argument-hint</c>.</summary>
    public static UserCommand Parse(string name, string text, string file)
    {
        text = text.ReplaceLineEndings("\n");
        var description = string.Empty;
        string? hint = null;
        if (text.StartsWith("---\n", StringComparison.Ordinal) && text.IndexOf("\n---", 3, StringComparison.Ordinal) is var end and > 0)
        {
            foreach (var line in text[4..end].Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var (key, value) = colon > 0 ? (line[..colon].Trim(), line[(colon + 1)..].Trim().Trim('"', '\'')) : (string.Empty, string.Empty);
                if (key == "description")
                {
                    description = value;
                }
                else if (key == "argument-hint" && value.Length > 0)
                {
                    hint = value;
                }
            }

            var after = text.IndexOf('\n', end + 1);
            text = after < 0 ? string.Empty : text[(after + 1)..];
        }

        if (description.Length == 0)
        {
            description = text.Split('\n').Select(l => l.Trim().TrimStart('#').Trim()).FirstOrDefault(l => l.Length > 0) ?? name;
        }

        return new UserCommand(name, description, text.Trim('\n'), file) { ArgumentHint = hint };
    }

    /// <summary>
    /// The prompt commands of loaded plugins (<see cref="PluginManifest.CommandDirectories"/>): each as
    /// <c>plugin:command</c>, as Claude Code names them, and also as plain <c>command</c> when no other plugin has one of
    /// that name (a user's or project's command, and a built-in, still win the plain name).
    /// </summary>
    public static IReadOnlyList<UserCommand> FromPlugins(IEnumerable<PluginManifest> manifests)
    {
        var files = manifests.OrderBy(m => m.Id, StringComparer.Ordinal).SelectMany(PluginCommandFiles.Find).ToList();
        var result = new List<UserCommand>();
        foreach (var file in files)
        {
            UserCommand command;
            try
            {
                // Two loaded plugins of one name (from two marketplaces) are told apart by their whole ids.
                var qualified = files.Any(f => f.PluginId != file.PluginId && f.QualifiedName == file.QualifiedName) ? file.FullyQualifiedName : file.QualifiedName;
                command = Parse(qualified, File.ReadAllText(file.File), file.File) with { PluginId = file.PluginId };
            }
            catch (IOException)
            {
                continue; // unreadable: left out
            }

            result.Add(command with { Description = $"{command.Description} (plugin {file.PluginId})" });
            if (files.Count(f => f.Name == file.Name) == 1)
            {
                result.Add(command with { Name = file.Name, Description = $"{command.Description} (plugin {file.PluginId}; also /{command.Name})" });
            }
        }

        return result;
    }

    /// <summary>
    /// The prompt a line starting with <c>/NAME</c> expands to when NAME is one of <paramref name="commands"/>, else
    /// <see langword="null"/> (headless <c>agent run "/plugin:command args"</c>).
    /// </summary>
    public static string? TryExpand(string line, IReadOnlyList<UserCommand> commands)
    {
        if (!line.StartsWith('/'))
        {
            return null;
        }

        var space = line.IndexOfAny([' ', '\t', '\n']);
        var name = (space < 0 ? line : line[..space])[1..];
        var args = space < 0 ? string.Empty : line[(space + 1)..].Trim();
        return commands.FirstOrDefault(c => c.Name == name)?.Expand(args);
    }

    private static void Add(Dictionary<string, UserCommand> commands, string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.md"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.Length == 0 || name.Any(char.IsWhiteSpace))
            {
                continue;
            }

            try
            {
                commands[name] = Parse(name, File.ReadAllText(file), file);
            }
            catch (IOException)
            {
                // unreadable: left out
            }
        }
    }
}
