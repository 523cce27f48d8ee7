using System.Globalization;

namespace AgentHost.Agent.Skills;

/// <summary>How serious a skill problem is.</summary>
public enum SkillSeverity
{
    /// <summary>The skill loads; the author should fix it.</summary>
    Warning,

    /// <summary>The skill cannot be used and is skipped.</summary>
    Error,
}

/// <summary>One problem found in a <c>SKILL.md</c>, with the file and line it is on.</summary>
/// <param name="Severity">Warning (loads) or error (skipped).</param>
/// <param name="File">The <c>SKILL.md</c> path.</param>
/// <param name="Line">The 1-based line, when known.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record SkillProblem(SkillSeverity Severity, string File, int? Line, string Message)
{
    /// <summary>Whether this is an error.</summary>
    public bool IsError => Severity == SkillSeverity.Error;

    /// <summary><c>warning</c> or <c>error</c>.</summary>
    public string SeverityName => IsError ? "error" : "warning";

    /// <inheritdoc />
    public override string ToString() => Line is { } line
        ? string.Create(CultureInfo.InvariantCulture, $"{File}:{line}: {SeverityName}: {Message}")
        : $"{File}: {SeverityName}: {Message}";
}
