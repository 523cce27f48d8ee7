using System.Text.RegularExpressions;

namespace AgentHost.Cli.Commands.Init;

/// <summary>Inspects a repository's files for <c>agent init</c>: languages, layout, commands and conventions. Offline and deterministic.</summary>
internal static partial class InitInspector
{
    private static readonly Dictionary<string, string> LanguageByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".cs"] = "C#", [".fs"] = "F#", [".vb"] = "Visual Basic", [".ts"] = "TypeScript", [".tsx"] = "TypeScript",
        [".js"] = "JavaScript", [".jsx"] = "JavaScript", [".mjs"] = "JavaScript", [".cjs"] = "JavaScript", [".py"] = "Python",
        [".go"] = "Go", [".rs"] = "Rust", [".java"] = "Java", [".kt"] = "Kotlin", [".kts"] = "Kotlin", [".rb"] = "Ruby",
        [".php"] = "PHP", [".swift"] = "Swift", [".c"] = "C", [".h"] = "C/C++ headers", [".cpp"] = "C++", [".cc"] = "C++",
        [".hpp"] = "C++", [".sh"] = "Shell", [".bash"] = "Shell", [".ps1"] = "PowerShell", [".tf"] = "Terraform", [".scala"] = "Scala",
        [".lua"] = "Lua", [".dart"] = "Dart", [".ex"] = "Elixir", [".exs"] = "Elixir", [".zig"] = "Zig", [".vue"] = "Vue",
        [".svelte"] = "Svelte", [".sql"] = "SQL",
    };

    /// <summary>Inspects the repository at <paramref name="root"/>.</summary>
    /// <param name="root">The repository root.</param>
    /// <param name="files">Its files, relative, <c>/</c> separators, sorted.</param>
    /// <param name="fromGit">Whether git listed them.</param>
    /// <returns>The facts.</returns>
    public static InitFacts Inspect(string root, IReadOnlyList<string> files, bool fromGit)
    {
        var commands = new List<InitFoundCommand>();
        InitBuildFiles.Collect(root, files, commands);
        return new InitFacts
        {
            Name = new DirectoryInfo(root).Name,
            Summary = ReadmeSummary(root, files),
            Languages = Languages(files),
            Folders = Folders(files),
            Commands = commands.DistinctBy(c => c.Command, StringComparer.Ordinal).ToList(),
            Workflows = InitBuildFiles.Workflows(root, files),
            Conventions = InitConventions.Find(root, files),
            FromGit = fromGit,
        };
    }

    private static List<(string, int)> Languages(IReadOnlyList<string> files) =>
        [.. files.Select(f => LanguageByExtension.GetValueOrDefault(Path.GetExtension(f)))
            .OfType<string>()
            .GroupBy(language => language, StringComparer.Ordinal)
            .Select(group => (group.Key, group.Count()))
            .OrderByDescending(pair => pair.Item2)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(8)];

    private static List<(string, int)> Folders(IReadOnlyList<string> files) =>
        [.. files.Where(f => f.Contains('/', StringComparison.Ordinal))
            .GroupBy(f => f[..f.IndexOf('/', StringComparison.Ordinal)], StringComparer.Ordinal)
            .Where(group => !group.Key.StartsWith('.') || group.Key is ".github" or ".ci")
            .Select(group => (group.Key, group.Count()))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(30)];

    /// <summary>The README's first paragraph of prose (headings, badges and HTML skipped), at most 400 characters.</summary>
    private static string? ReadmeSummary(string root, IReadOnlyList<string> files)
    {
        var readme = files.FirstOrDefault(f => !f.Contains('/', StringComparison.Ordinal) && f.StartsWith("README", StringComparison.OrdinalIgnoreCase));
        if (readme is null)
        {
            return null;
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(root, readme));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var paragraph = new List<string>();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                if (paragraph.Count > 0)
                {
                    break;
                }

                continue;
            }

            if (paragraph.Count == 0 && (line.StartsWith('#') || line.StartsWith('<') || line.StartsWith("[!", StringComparison.Ordinal)
                || line.StartsWith("![", StringComparison.Ordinal) || line.StartsWith("```", StringComparison.Ordinal) || line.StartsWith('=') || line.StartsWith('-')))
            {
                continue;
            }

            paragraph.Add(line);
        }

        if (paragraph.Count == 0)
        {
            return null;
        }

        var text = Spaces().Replace(string.Join(' ', paragraph), " ");
        return text.Length <= 400 ? text : text[..397].TrimEnd() + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
