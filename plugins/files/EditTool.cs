using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>The <c>edit</c> tool: replaces exact text in a file, keeping its encoding and line endings.</summary>
internal static class EditTool
{
    private const int MaxListedLines = 20;

    public static string Run(WorkspacePaths paths, string path, string oldString, string newString, bool replaceAll, bool dryRun)
    {
        var (change, what) = Plan(paths, path, oldString, newString, replaceAll);
        var target = change.RelativePath;
        if (dryRun)
        {
            return change.Report($"Dry run: would edit '{target}': {what} ({change.Diff.Counts}). Nothing was written.");
        }

        if (!change.Unchanged)
        {
            change.Commit();
        }

        return change.Report($"Edited '{target}': {what} ({change.Diff.Counts}).");
    }

    /// <summary>Works out the edit without writing it.</summary>
    /// <returns>The change and what was replaced, for the summary.</returns>
    public static (FileChange Change, string What) Plan(WorkspacePaths paths, string path, string oldString, string newString, bool replaceAll)
    {
        if (oldString.Length == 0)
        {
            throw new ToolFailure("old_string is empty; give the exact text to replace. To create a file or replace all of it, use write.");
        }

        var oldText = TextFile.Normalise(oldString);
        var newText = TextFile.Normalise(newString);
        if (oldText.Equals(newText, StringComparison.Ordinal))
        {
            throw new ToolFailure("old_string and new_string are the same, so the edit would change nothing; give the new text in new_string.");
        }

        var full = FileChange.Resolve(paths, path);
        if (!File.Exists(full))
        {
            throw new ToolFailure($"no file '{path}' in the project; use write to create it.");
        }

        var file = TextFile.Read(full, path);
        var (updated, what) = Replace(file.Text, oldText, newText, replaceAll, path);
        var relative = paths.Relative(full);
        var bytes = file.Encode(updated, TextFile.DominantNewLine(newString));
        var change = new FileChange(full, relative, bytes, UnifiedDiff.Create(file.Text, updated, relative))
        {
            Unchanged = file.IsSameAs(bytes),
            Note = file.HasMixedLineEndings ? $"The file mixed LF and CRLF line endings; all are now {file.NewLineName}." : null,
        };
        return (change, what);
    }

    private static (string Text, string What) Replace(string text, string oldText, string newText, bool replaceAll, string path)
    {
        var matches = new List<int>();
        for (var at = text.IndexOf(oldText, StringComparison.Ordinal); at >= 0; at = text.IndexOf(oldText, at + oldText.Length, StringComparison.Ordinal))
        {
            matches.Add(at);
        }

        if (matches.Count == 0)
        {
            return LooseMatch.Replace(text, oldText, newText, replaceAll, path);
        }

        if (matches.Count > 1 && !replaceAll)
        {
            throw new ToolFailure(
                $"old_string occurs {matches.Count} times in '{path}' (at lines {ListLines(LineNumbers(text, matches))}). Include more surrounding " +
                "lines in old_string so that it matches exactly once, or set replace_all to true to change every occurrence.");
        }

        var builder = new StringBuilder(text.Length + (matches.Count * (newText.Length - oldText.Length)));
        var next = 0;
        foreach (var at in matches)
        {
            builder.Append(text, next, at - next).Append(newText);
            next = at + oldText.Length;
        }

        builder.Append(text, next, text.Length - next);
        return (builder.ToString(), matches.Count == 1 ? "replaced 1 occurrence" : $"replaced {matches.Count} occurrences");
    }

    /// <summary>Lists line numbers for a message, at most <see cref="MaxListedLines"/> of them.</summary>
    public static string ListLines(IReadOnlyList<int> lines) =>
        string.Join(", ", lines.Take(MaxListedLines).Select(n => n.ToString(CultureInfo.InvariantCulture)))
        + (lines.Count > MaxListedLines ? ", …" : string.Empty);

    private static List<int> LineNumbers(string text, List<int> offsets)
    {
        var numbers = new List<int>(offsets.Count);
        int line = 1, position = 0;
        foreach (var offset in offsets)
        {
            for (; position < offset; position++)
            {
                line += text[position] == '\n' ? 1 : 0;
            }

            numbers.Add(line);
        }

        return numbers;
    }
}
