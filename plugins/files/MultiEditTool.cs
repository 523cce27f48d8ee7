using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Serialization;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>One replacement of a <c>multi_edit</c> call.</summary>
internal sealed class EditOperation
{
    [JsonPropertyName("old_string")]
    [Description("The exact text to replace, unique in the file.")]
    public required string OldString { get; init; }

    [JsonPropertyName("new_string")]
    [Description("The replacement (may be empty).")]
    public required string NewString { get; init; }

    [JsonPropertyName("replace_all")]
    [Description("Replace every occurrence.")]
    public bool? ReplaceAll { get; init; }
}

/// <summary>
/// The <c>multi_edit</c> tool: several replacements in one file, applied in order, each to the result of the one before;
/// all or nothing, with one diff.
/// </summary>
internal static class MultiEditTool
{
    /// <summary>The most edits in one call.</summary>
    public const int MaxEdits = 100;

    public static async Task<string> RunAsync(FileToolCall call, string path, IReadOnlyList<EditOperation>? edits, CancellationToken cancellationToken)
    {
        var buffer = await EditTool.BufferAsync(call, path, cancellationToken).ConfigureAwait(false);
        var (change, what) = Plan(call.Paths, path, edits, call.CheckCanChange, buffer);
        var target = change.RelativePath;
        if (call.DryRun)
        {
            return change.Report($"Dry run: would edit '{target}' with {what} ({change.Diff.Counts}). Nothing was written.{call.LedgerNote}");
        }

        if (!change.Unchanged)
        {
            await change.CommitAsync(call, cancellationToken).ConfigureAwait(false);
        }

        return change.Report($"Edited '{target}' with {what} ({change.Diff.Counts}).");
    }

    /// <summary>Works out the edits without writing them.</summary>
    /// <param name="paths">The workspace.</param>
    /// <param name="path">The path as the model wrote it.</param>
    /// <param name="edits">The edits, in order.</param>
    /// <param name="check">Checks the file before planning (the read ledger); <see langword="null"/> for a preview.</param>
    /// <returns>The change and a summary of the edits.</returns>
    /// <param name="buffer">The file as the editor has it, read instead of the disk; <see langword="null"/> for the disk.</param>
    /// <exception cref="ToolException">An argument is missing or an edit fails; the message names the edit.</exception>
    public static (FileChange Change, string What) Plan(WorkspacePaths paths, string path, IReadOnlyList<EditOperation>? edits, FileCheck? check = null, EditorBuffer? buffer = null)
    {
        if (edits is null || edits.Count == 0)
        {
            throw new ToolException("edits is empty; give at least one {old_string, new_string} object. For a single replacement, edit is simpler.");
        }

        if (edits.Count > MaxEdits)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"edits has {edits.Count} entries, more than {MaxEdits}; split them over several calls, or use write to replace the whole file."));
        }

        for (var i = 0; i < edits.Count; i++)
        {
            var edit = edits[i] ?? throw new ToolException($"{Field(i)} is null; each edit is an object with old_string and new_string.");
            if (edit.OldString is null || edit.NewString is null)
            {
                throw new ToolException($"{Field(i)} has no {(edit.OldString is null ? "old_string" : "new_string")}; each edit needs old_string and new_string.");
            }

            EditTool.CheckArguments(edit.OldString, edit.NewString, Field(i) + ".");
        }

        var file = EditTool.ReadExisting(paths, path, check, out var full, out var relative, buffer);
        var text = file.Text;
        var replaced = 0;
        var loose = new List<int>();
        for (var i = 0; i < edits.Count; i++)
        {
            var edit = edits[i];
            Replacement result;
            try
            {
                result = EditTool.Apply(text, edit.OldString, edit.NewString, edit.ReplaceAll == true, path);
            }
            catch (ToolException failure)
            {
                var earlier = i switch
                {
                    0 => string.Empty,
                    1 => " (matched against the text after edits[0]; line numbers are of that text)",
                    _ => string.Create(CultureInfo.InvariantCulture, $" (matched against the text after edits[0] to edits[{i - 1}]; line numbers are of that text)"),
                };
                throw new ToolException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{Field(i)} (edit {i + 1} of {edits.Count}) failed{earlier}: {failure.Message} Nothing was written; fix that edit and send all the edits again."));
            }

            text = result.Text;
            replaced += result.Count;
            if (result.Loose)
            {
                loose.Add(i);
            }
        }

        var newLine = TextFile.DominantNewLine(string.Concat(edits.Select(e => e.NewString)));
        var bytes = file.Encode(text, newLine);
        var summary = string.Create(CultureInfo.InvariantCulture, $"{edits.Count} edit{(edits.Count == 1 ? string.Empty : "s")}, {replaced} replacement{(replaced == 1 ? string.Empty : "s")}")
            + (loose.Count == 0 ? string.Empty : $"; {string.Join(", ", loose.Select(Field))} did not match exactly and used the whitespace-insensitive match, re-indented");
        return (EditTool.Change(file, full, relative, text, bytes), summary);
    }

    private static string Field(int index) => string.Create(CultureInfo.InvariantCulture, $"edits[{index}]");
}
