using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace Company.PluginName;

/// <summary>The example tool: counts the lines, words and characters of a text file in the workspace.</summary>
public static partial class TextStatsTool
{
    /// <summary>The tool name the model sees.</summary>
    public const string Name = "text_stats";

    /// <summary>The description the model sees: say what the tool does and when to use it.</summary>
    public const string Description =
        "Counts the lines, words and characters of a text file in the workspace and lists its most frequent words. " +
        "Use it to size up a document before reading it.";

    private const long MaxBytes = 10 * 1024 * 1024;

    /// <summary>Runs the tool. Parameters with [Description] become the JSON schema the model fills in.</summary>
    /// <param name="path">The file, relative to the workspace root.</param>
    /// <param name="top">How many frequent words to list.</param>
    /// <param name="arguments">The host's invocation context (workspace root); not part of the schema.</param>
    /// <param name="cancellationToken">Cancelled when the run is cancelled or the tool times out.</param>
    /// <returns>One line of counts and one line of frequent words.</returns>
    public static async Task<string> RunAsync(
        [Description("Path of the text file, relative to the workspace root, e.g. README.md.")] string path,
        [Description("How many of the most frequent words (of 4 or more letters) to list, 0 to 20.")] int top = 5,
        AIFunctionArguments? arguments = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (top is < 0 or > 20)
        {
            // An expected failure: the model sees this message and can fix its call. Any other exception is a bug.
            throw new ToolException($"top must be from 0 to 20, not {top}.");
        }

        // Confinement: resolve the path against the workspace root (.., absolute paths and links included).
        var workspace = arguments.GetWorkspacePaths();
        var file = workspace.Resolve(path)
            ?? throw new ToolException($"'{path}' is outside the workspace {workspace.Root}; give a path inside it.");
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            throw new ToolException($"'{path}' does not exist in the workspace; check the path (relative to {workspace.Root}).");
        }

        if (info.Length > MaxBytes)
        {
            throw new ToolException($"'{path}' has {info.Length:N0} bytes; text_stats reads files up to {MaxBytes:N0} bytes.");
        }

        var text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        var lines = text.Length == 0 ? 0 : text.Split('\n').Length - (text.EndsWith('\n') ? 1 : 0);
        var words = WordPattern().Matches(text).Select(m => m.Value.ToLowerInvariant()).ToList();
        var frequent = words
            .Where(w => w.Length >= 4)
            .GroupBy(w => w, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(top)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} ({g.Count()})"));

        var relative = workspace.Relative(file);
        var counts = string.Create(CultureInfo.InvariantCulture, $"{relative}: {lines} lines, {words.Count} words, {text.Length} characters.");
        return top == 0 ? counts : $"{counts}\nMost frequent words: {string.Join(", ", frequent)}";
    }

    [GeneratedRegex(@"\p{L}[\p{L}\p{N}'-]*", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();
}
