using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>The result of one replacement.</summary>
/// <param name="Text">The new text.</param>
/// <param name="What">What was replaced, for the summary.</param>
/// <param name="Count">How many places were replaced.</param>
/// <param name="Loose">Whether the whitespace-insensitive fallback was used.</param>
internal readonly record struct Replacement(string Text, string What, int Count, bool Loose);

/// <summary>The <c>edit</c> tool: replaces exact text in a file, keeping its encoding and line endings.</summary>
internal static class EditTool
{
    private const int MaxListedLines = 20;

    public static async Task<string> RunAsync(FileToolCall call, string path, string oldString, string newString, bool replaceAll, CancellationToken cancellationToken)
    {
        var buffer = await BufferAsync(call, path, cancellationToken).ConfigureAwait(false);
        var (change, what) = Plan(call.Paths, path, oldString, newString, replaceAll, call.CheckCanChange, buffer);
        var target = change.RelativePath;
        if (call.DryRun)
        {
            return change.Report($"Dry run: would edit '{target}': {what} ({change.Diff.Counts}). Nothing was written.{call.LedgerNote}");
        }

        if (!change.Unchanged)
        {
            await change.CommitAsync(call, cancellationToken).ConfigureAwait(false);
        }

        return change.Report($"Edited '{target}': {what} ({change.Diff.Counts}).");
    }

    /// <summary>The editor's buffer of the file to edit (<see cref="EditorBuffer.ReadAsync"/>), after its path is checked.</summary>
    public static Task<EditorBuffer?> BufferAsync(FileToolCall call, string path, CancellationToken cancellationToken) =>
        EditorBuffer.ReadAsync(call, FileChange.Resolve(call.Paths, path), path, cancellationToken);

    /// <summary>Works out the edit without writing it.</summary>
    /// <param name="paths">The workspace.</param>
    /// <param name="path">The path as the model wrote it.</param>
    /// <param name="oldString">The text to replace.</param>
    /// <param name="newString">The replacement.</param>
    /// <param name="replaceAll">Whether to replace every occurrence.</param>
    /// <param name="check">Checks the file before planning (the read ledger); <see langword="null"/> for a preview.</param>
    /// <param name="buffer">The file as the editor has it, read instead of the disk; <see langword="null"/> for the disk.</param>
    /// <returns>The change and what was replaced, for the summary.</returns>
    public static (FileChange Change, string What) Plan(
        WorkspacePaths paths, string path, string oldString, string newString, bool replaceAll, FileCheck? check = null, EditorBuffer? buffer = null)
    {
        CheckArguments(oldString, newString, string.Empty);
        var file = ReadExisting(paths, path, check, out var full, out var relative, buffer);
        var (updated, what, _, _) = Apply(file.Text, oldString, newString, replaceAll, path);
        var bytes = file.Encode(updated, TextFile.DominantNewLine(newString));
        return (Change(file, full, relative, updated, bytes), what);
    }

    /// <summary>Reads an existing text file for editing and runs the check on it.</summary>
    /// <exception cref="ToolException">The path is bad, the file is missing or not editable text, or the check refuses.</exception>
    public static TextFile ReadExisting(WorkspacePaths paths, string path, FileCheck? check, out string full, out string relative, EditorBuffer? buffer = null)
    {
        full = FileChange.Resolve(paths, path);
        if (!File.Exists(full))
        {
            throw new ToolException($"no file '{path}' in the project; use write to create it.{NearbyNames.DidYouMean(paths, full)}");
        }

        relative = paths.Relative(full);
        var file = TextFile.Read(paths, full, path, buffer?.FullPath == full ? buffer : null);
        check?.Invoke(full, relative, file.Stamp);
        return file;
    }

    /// <summary>The planned change of an edited file.</summary>
    public static FileChange Change(TextFile file, string full, string relative, string updated, byte[] bytes) =>
        new(full, relative, bytes, UnifiedDiff.Create(file.Text, updated, relative))
        {
            Unchanged = file.IsSameAs(bytes),
            Note = file.HasMixedLineEndings ? $"The file mixed LF and CRLF line endings; all are now {file.NewLineName}." : null,
        };

    /// <summary>Rejects an empty <paramref name="oldString"/> and a replacement that changes nothing.</summary>
    /// <param name="oldString">The text to replace.</param>
    /// <param name="newString">The replacement.</param>
    /// <param name="field">A prefix naming the edit in a list (such as <c>edits[2].</c>), or empty.</param>
    /// <exception cref="ToolException">The arguments are pointless.</exception>
    public static void CheckArguments(string oldString, string newString, string field)
    {
        if (oldString.Length == 0)
        {
            throw new ToolException($"{field}old_string is empty; give the exact text to replace. To create a file or replace all of it, use write.");
        }

        if (TextFile.Normalise(oldString).Equals(TextFile.Normalise(newString), StringComparison.Ordinal))
        {
            throw new ToolException($"{field}old_string and {field}new_string are the same, so the edit would change nothing; give the new text in {field}new_string.");
        }
    }

    /// <summary>Applies one replacement to normalised text: exactly, else with the whitespace-insensitive fallback.</summary>
    /// <param name="text">The text, with <c>\n</c> line endings.</param>
    /// <param name="oldString">The text to replace (either line ending).</param>
    /// <param name="newString">The replacement (either line ending).</param>
    /// <param name="replaceAll">Whether to replace every occurrence.</param>
    /// <param name="path">The path for messages.</param>
    /// <returns>The new text and what was replaced.</returns>
    /// <exception cref="ToolException">No match, or several and not <paramref name="replaceAll"/>.</exception>
    public static Replacement Apply(string text, string oldString, string newString, bool replaceAll, string path) =>
        Replace(text, TextFile.Normalise(oldString), TextFile.Normalise(newString), replaceAll, path);

    private static Replacement Replace(string text, string oldText, string newText, bool replaceAll, string path)
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
            throw new ToolException(
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
        return new Replacement(builder.ToString(), matches.Count == 1 ? "replaced 1 occurrence" : $"replaced {matches.Count} occurrences", matches.Count, Loose: false);
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
