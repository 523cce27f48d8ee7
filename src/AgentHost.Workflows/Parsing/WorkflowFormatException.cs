using AgentHost.Hosting;

namespace AgentHost.Workflows.Parsing;

/// <summary>
/// A workflow file (or a plugin's built workflow) is invalid: every problem found, each as
/// <c>file:line: field 'x': what is wrong. How to fix.</c> (<see cref="ErrorKind.Configuration"/>, exit code 3).
/// </summary>
public sealed class WorkflowFormatException : AgentHostException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file or plugin, for the first line of the message.</param>
    /// <param name="problems">The problems, one a line.</param>
    public WorkflowFormatException(string source, IReadOnlyList<string> problems)
        : base(ErrorKind.Configuration, Describe(source, problems)) => Problems = problems;

    /// <summary>The problems, each with its location.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(string source, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var count = problems.Count == 1 ? "1 problem" : $"{problems.Count} problems";
        return $"invalid workflow {source} ({count}):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", problems)}";
    }
}
