namespace AgentHost.Agent.Skills;

/// <summary>The result of linting: every skill checked and its problems.</summary>
/// <param name="Files">The <c>SKILL.md</c> files checked, in order.</param>
/// <param name="Problems">Every problem, in file order.</param>
public sealed record SkillLintResult(IReadOnlyList<string> Files, IReadOnlyList<SkillProblem> Problems)
{
    /// <summary>How many problems are errors.</summary>
    public int Errors => Problems.Count(p => p.IsError);

    /// <summary>How many problems are warnings.</summary>
    public int Warnings => Problems.Count(p => !p.IsError);
}

/// <summary>Checks skills the way the catalog reads them, for skill authors (<c>agent skill lint</c>).</summary>
public static class SkillLinter
{
    /// <summary>Lints a <c>SKILL.md</c>, a skill folder, or a folder of skills (searched like a skills root).</summary>
    /// <param name="path">The path.</param>
    /// <param name="limits">Search caps; the defaults when <see langword="null"/>.</param>
    /// <returns>The files and problems; two skills declaring one name are an error naming the one that wins (the first found), as the catalog decides.</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public static SkillLintResult Lint(string path, SkillScanLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var notes = new List<string>();
        List<string> files;
        if (File.Exists(full))
        {
            files = [full];
        }
        else if (Directory.Exists(full))
        {
            files = SkillScanner.Scan(full, limits ?? new SkillScanLimits(), notes).Select(s => s.Path).ToList();
        }
        else
        {
            throw new FileNotFoundException($"{full} does not exist; give a SKILL.md, a skill folder or a folder of skills", full);
        }

        var problems = new List<SkillProblem>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var result = SkillParser.ParseFile(file);
            problems.AddRange(result.Problems);
            if (result.Document is { } document)
            {
                if (names.TryGetValue(document.Name, out var first))
                {
                    // The same winner and words as the catalog ('agent skill list'): the first in search order wins.
                    problems.Add(SkillCatalog.Shadowed(SkillSeverity.Error, file, document.Name, first, "found first"));
                }
                else
                {
                    names[document.Name] = file;
                }
            }
        }

        problems.AddRange(notes.Select(note => new SkillProblem(SkillSeverity.Warning, full, null, note)));
        return new SkillLintResult(files, problems);
    }

    /// <summary>
    /// Lints every skill a run finds (<c>agent skill lint</c> without a path): the catalog's own problems, so duplicates
    /// across folders are the <c>shadowed</c> warnings <c>agent skill list</c> shows, naming the same winner.
    /// </summary>
    /// <param name="snapshot">The catalog's skills.</param>
    /// <returns>The files and problems, in precedence order.</returns>
    public static SkillLintResult Lint(SkillSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new SkillLintResult(
            [.. snapshot.All.Select(s => s.File)],
            [.. snapshot.All.SelectMany(s => s.Problems), .. snapshot.Notes.Select(note => new SkillProblem(SkillSeverity.Warning, "skills", null, note))]);
    }
}
