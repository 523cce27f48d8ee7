using System.ComponentModel;
using AgentHost.Sdk;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files;

/// <summary>Registers <c>view</c> and the write tools (<c>write</c>, <c>edit</c>, <c>multi_edit</c>, <c>move</c>, <c>delete</c>).</summary>
internal static class FileTools
{
    private const string DryRunHelp = "When true, only report what would change (the diff or plan); nothing is touched. Default: the session's dry-run setting, else false.";

    public static IPluginBuilder AddViewAndWriteTools(this IPluginBuilder builder, ReadLedger ledger)
    {
        var mustView = ledger.Enabled ? " The file must have been viewed in this session and not changed on disk since." : string.Empty;
        builder.AddTool(
            "view",
            "Shows a text file with line numbers. Use offset and limit to page through long files." +
            (ledger.Enabled ? " Viewing a file (any part of it) is what allows the write tools to change it later in this session." : string.Empty),
            ToolEffect.Read,
            ([Description("File path relative to the project root.")] string path,
             [Description("First line to show, 1-based (default 1).")] int? offset = null,
             [Description("How many lines to show (default 200, at most 2000).")] int? limit = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                ViewTool.Run(FileToolCall.From(arguments, ledger), path, offset ?? 1, limit ?? 200, cancellationToken),
            args => new ToolCallDescription("read", args.GetOptionalString("path") is { Length: > 0 } p ? p : "."));
        builder.AddTool(
            "write",
            "Creates a file or replaces all of its content, creating parent directories. An existing file keeps its line-ending style " +
            "and byte order mark." +
            (ledger.Enabled ? " Replacing an existing file requires having viewed it in this session, unchanged on disk since; a new file needs no view." : string.Empty) +
            " Returns a diff of the change. To change part of a file, prefer edit.",
            new ToolMetadata(ToolEffect.Write) { DescribeCall = CallDescriptions.Write, DescribeCallAsync = CallDescriptions.WriteAsync },
            ([Description("File path relative to the project root.")] string path,
             [Description("The complete new content of the file.")] string content,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!) => WriteTool.Run(FileToolCall.From(arguments, ledger, dry_run), path, content));
        builder.AddTool(
            "edit",
            "Replaces exact text in a file: old_string must match once (including whitespace and indentation) unless replace_all is set. " +
            "The file keeps its encoding and line endings." + mustView + " Returns a diff of the change.",
            new ToolMetadata(ToolEffect.Write) { DescribeCall = CallDescriptions.Edit, DescribeCallAsync = CallDescriptions.EditAsync },
            ([Description("File path relative to the project root.")] string path,
             [Description("The exact text to replace, with enough surrounding lines to be unique.")] string old_string,
             [Description("The text to put in its place (may be empty to delete).")] string new_string,
             [Description("When true, replace every occurrence instead of requiring exactly one.")] bool replace_all = false,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!) =>
                EditTool.Run(FileToolCall.From(arguments, ledger, dry_run), path, old_string, new_string, replace_all));
        builder.AddTool(
            "multi_edit",
            "Makes several replacements in one file, in order: each edit works on the result of the edits before it, and each " +
            "old_string must match once unless its replace_all is set. All or nothing: if any edit fails, nothing is written and the " +
            "error names the edit." + mustView + " Returns one diff of the whole change.",
            ToolEffect.Write,
            ([Description("File path relative to the project root.")] string path,
             [Description("The replacements, applied in order.")] EditOperation[] edits,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!) => MultiEditTool.Run(FileToolCall.From(arguments, ledger, dry_run), path, edits),
            CallDescriptions.MultiEdit);
        builder.AddTool(
            "move",
            "Moves or renames a file, folder or symbolic link inside the project, creating missing parent folders. A destination ending " +
            "in '/' means into that folder. Never replaces a folder; replaces an existing file only with overwrite." +
            (ledger.Enabled ? " A moved or replaced file must have been viewed in this session." : string.Empty),
            ToolEffect.Write,
            ([Description("The file or folder to move, relative to the project root.")] string source,
             [Description("The new path, relative to the project root (or an existing folder ending in '/').")] string destination,
             [Description("When true, an existing destination file is replaced.")] bool overwrite = false,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                MoveTool.Run(FileToolCall.From(arguments, ledger, dry_run), source, destination, overwrite, cancellationToken),
            CallDescriptions.Move);
        builder.AddTool(
            "delete",
            "Deletes a file, a symbolic link (not what it points to) or, with recursive, a folder and everything in it. Never deletes " +
            "the project root, .git or a folder holding a git repository." +
            (ledger.Enabled ? " A deleted file must have been viewed in this session." : string.Empty) +
            " Returns what was deleted (the removed lines of a text file, the entries of a folder).",
            ToolEffect.Write,
            ([Description("The file or folder to delete, relative to the project root.")] string path,
             [Description("When true, a folder is deleted with everything in it; required for folders.")] bool recursive = false,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                DeleteTool.Run(FileToolCall.From(arguments, ledger, dry_run), path, recursive, cancellationToken),
            CallDescriptions.Delete);
        return builder;
    }
}
