namespace AgentHost.Tests.Skills;

/// <summary>The skill corpus in the repository and helpers that write skills into temp folders.</summary>
public static class SkillFiles
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Corpus => Path.Combine(RepositoryRoot, "tests", "AgentHost.Agent.Tests", "Skills", "Corpus");

    public static string CorpusFile(string folder) => Path.Combine(Corpus, folder, "SKILL.md");

    /// <summary>Writes <c>&lt;parent&gt;/&lt;folder&gt;/SKILL.md</c> with a name (the folder name by default) and description.</summary>
    public static string Write(string parent, string folder, string? description = null, string? name = null, string extra = "", string body = "Do the thing.\n")
    {
        var directory = Path.Combine(parent, folder);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "SKILL.md");
        File.WriteAllText(file, $"---\nname: {name ?? folder}\ndescription: {description ?? $"The {folder} skill."}\n{extra}---\n\n{body}");
        return file;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Host.sln) not found above " + AppContext.BaseDirectory);
    }
}
