using AgentHost.Hosting.Configuration;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows.Parsing;

/// <summary>
/// Collects the problems of one workflow while it is read, each as <c>file:line: field 'x': what. Fix.</c>
/// (without the line for a document that has no file, such as a plugin's built workflow).
/// </summary>
/// <param name="location">The file path, or the plugin's description for a built workflow.</param>
/// <param name="withLines">Whether to add the YAML line to the location.</param>
internal sealed class WorkflowProblems(string location, bool withLines)
{
    private readonly List<(int Line, string Text)> _problems = [];

    /// <summary>The file or plugin the problems are about.</summary>
    public string Location { get; } = location;

    /// <summary>The problems so far, in line order (problems of one line in the order found).</summary>
    public IReadOnlyList<string> All => _problems.OrderBy(p => p.Line).Select(p => p.Text).ToList();

    /// <summary>Adds a problem about a field.</summary>
    /// <param name="node">Where (its line is used).</param>
    /// <param name="field">The field's dotted name (<c>verify.max_iterations</c>); null for the file as a whole.</param>
    /// <param name="what">What is wrong.</param>
    /// <param name="fix">How to fix it.</param>
    public void Add(YamlNode? node, string? field, string what, string fix) => Add(node is null ? 0 : (int)node.Start.Line, field, what, fix);

    /// <summary>Adds a problem about a field at a line.</summary>
    /// <param name="line">The 1-based line; 0 when unknown.</param>
    /// <param name="field">The field's dotted name; null for the file as a whole.</param>
    /// <param name="what">What is wrong.</param>
    /// <param name="fix">How to fix it.</param>
    public void Add(int line, string? field, string what, string fix)
    {
        var where = withLines && line > 0 ? $"{Location}:{line}" : Location;
        var subject = field is null ? string.Empty : $"field '{field}': ";
        _problems.Add((line, $"{where}: {subject}{what}. {Capitalise(fix)}{(fix.EndsWith('.') || fix.EndsWith('?') ? string.Empty : ".")}"));
    }

    /// <summary>Throws <see cref="WorkflowFormatException"/> when any problem was found.</summary>
    /// <exception cref="WorkflowFormatException">There are problems.</exception>
    public void ThrowIfAny()
    {
        if (_problems.Count > 0)
        {
            throw new WorkflowFormatException(Location, All);
        }
    }

    /// <summary>The "did you mean" suffix for a misspelt name, or nothing.</summary>
    /// <param name="input">What was written.</param>
    /// <param name="candidates">The valid names.</param>
    /// <returns><c>did you mean 'x'? </c> (to start a fix) or empty.</returns>
    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Suggestions.Closest(input, candidates) is { } close ? $"did you mean '{close}'? " : string.Empty;

    private static string Capitalise(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var result = char.ToUpperInvariant(text[0]) + text[1..];
        var question = result.StartsWith("Did you mean", StringComparison.Ordinal) ? result.IndexOf("? ", StringComparison.Ordinal) : -1;
        return question > 0 && question + 2 < result.Length
            ? result[..(question + 2)] + char.ToUpperInvariant(result[question + 2]) + result[(question + 3)..]
            : result;
    }
}
