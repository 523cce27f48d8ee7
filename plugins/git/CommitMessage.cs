using System.Text.RegularExpressions;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary>
/// Builds the commit message: the model's text, a <c>Generated with AgentHost</c> line in the body when
/// <c>generated_with</c> is on, and the configured attribution trailer.
/// </summary>
internal static partial class CommitMessage
{
    public const string Product = "AgentHost";

    /// <summary>The line <c>generated_with</c> adds to the body, as its own paragraph before the trailers.</summary>
    public const string GeneratedWithLine = "Generated with " + Product;

    /// <summary>The trailer line for the settings, or <see langword="null"/> for none.</summary>
    /// <param name="settings">The plugin settings.</param>
    /// <param name="model">The current model id, when known.</param>
    public static string? Trailer(GitSettings settings, string? model) => settings.Attribution switch
    {
        Attribution.AssistedBy => "Assisted-by: " + (string.IsNullOrWhiteSpace(model) ? Product : $"{Product}:{model.Trim()}"),
        Attribution.CoAuthoredBy => "Co-authored-by: " + settings.CoAuthor,
        _ => null,
    };

    /// <summary>
    /// Normalises the message, adds the <see cref="GeneratedWithLine"/> paragraph at the end of the body (before a trailer
    /// block the message already ends with) when <paramref name="generatedWith"/>, and appends the trailer (to an existing
    /// trailer block, or after a blank line).
    /// </summary>
    /// <param name="message">The model's message.</param>
    /// <param name="trailer">The trailer line, or <see langword="null"/>.</param>
    /// <param name="generatedWith">Whether to add the <see cref="GeneratedWithLine"/> (<c>plugins.settings.git.generated_with</c>).</param>
    /// <returns>The message to commit, ending with a newline.</returns>
    /// <exception cref="ToolException">The message is empty.</exception>
    public static string Compose(string? message, string? trailer, bool generatedWith)
    {
        var lines = (message ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n')
            .Select(line => line.TrimEnd())
            .ToList();
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        if (lines.Count == 0)
        {
            throw new ToolException("message is empty; pass the commit message: a short summary line, then a blank line and details if useful.");
        }

        if (generatedWith && !lines.Contains(GeneratedWithLine, StringComparer.OrdinalIgnoreCase))
        {
            // Into the body: before the message's own trailer block, if it ends with one, else at the end.
            var blank = lines.LastIndexOf(string.Empty);
            var at = blank > 0 && lines.Skip(blank + 1).All(line => TrailerLine().IsMatch(line)) ? blank : lines.Count;
            lines.InsertRange(at, [string.Empty, GeneratedWithLine]);
        }

        if (trailer is not null && !lines.Contains(trailer, StringComparer.OrdinalIgnoreCase))
        {
            // A last paragraph made only of "Key: value" lines (after a summary) is a trailer block: join it.
            var blank = lines.LastIndexOf(string.Empty);
            var inBlock = blank > 0 && lines.Skip(blank + 1).All(line => TrailerLine().IsMatch(line));
            if (!inBlock)
            {
                lines.Add(string.Empty);
            }

            lines.Add(trailer);
        }

        return string.Join('\n', lines) + "\n";
    }

    /// <summary>The first line of a message.</summary>
    public static string Summary(string message) => message.Split('\n', 2)[0];

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9-]*: \S", RegexOptions.CultureInvariant)]
    private static partial Regex TrailerLine();
}
