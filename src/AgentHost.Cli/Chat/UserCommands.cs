using AgentHost.Hosting;
using AgentHost.Hosting.Trust;

namespace AgentHost.Cli.Chat;

/// <summary>A user-defined command: a Markdown file whose text becomes the prompt, <c>$ARGUMENTS</c> replaced by what follows the name.</summary>
internal sealed record UserCommand(string Name, string Description, string Body, string File)
{
    /// <summary>The prompt for <paramref name="arguments"/>: <c>$ARGUMENTS</c> replaced, or the arguments appended when the file has no placeholder.</summary>
    public string Expand(string arguments) =>
        Body.Contains("$ARGUMENTS", StringComparison.Ordinal) ? Body.Replace("$ARGUMENTS", arguments, StringComparison.Ordinal)
        : arguments.Length > 0 ? $"{Body.TrimEnd()}\n\n{arguments}"
        : Body;
}

/// <summary>
/// Loads user-defined commands: <c>*.md</c> in the user config folder's <c>commands/</c> and, when the project is
/// trusted, in the project's <c>.agent/commands/</c> (a project command of the same name wins). Optional YAML front
/// matter gives a <c>description:</c>.
/// </summary>
internal static class UserCommands
{
    public static IReadOnlyList<UserCommand> Load(AgentPaths paths, string projectRoot)
    {
        var commands = new Dictionary<string, UserCommand>(StringComparer.Ordinal);
        Add(commands, Path.Combine(paths.ConfigDirectory, "commands"));
        if (ProjectTrust.Load(paths).IsTrusted(projectRoot))
        {
            Add(commands, Path.Combine(projectRoot, ".agent", "commands"));
        }

        return [.. commands.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
    }

    /// <summary>Reads one command file.</summary>
    public static UserCommand Parse(string name, string text, string file)
    {
        text = text.ReplaceLineEndings("\n");
        var description = string.Empty;
        if (text.StartsWith("---\n", StringComparison.Ordinal) && text.IndexOf("\n---", 3, StringComparison.Ordinal) is var end and > 0)
        {
            foreach (var line in text[4..end].Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line[..colon].Trim() == "description")
                {
                    description = line[(colon + 1)..].Trim().Trim('"', '\'');
                }
            }

            var after = text.IndexOf('\n', end + 1);
            text = after < 0 ? string.Empty : text[(after + 1)..];
        }

        if (description.Length == 0)
        {
            description = text.Split('\n').Select(l => l.Trim().TrimStart('#').Trim()).FirstOrDefault(l => l.Length > 0) ?? name;
        }

        return new UserCommand(name, description, text.Trim('\n'), file);
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
