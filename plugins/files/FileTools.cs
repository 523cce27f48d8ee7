using System.ComponentModel;
using AgentHost.Sdk;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files;

/// <summary>Registers <c>view</c> and the write tools (<c>write</c>, <c>edit</c>, <c>multi_edit</c>, <c>move</c>, <c>delete</c>).</summary>
internal static class FileTools
{
    private const string DryRunHelp = "Only report what would change; nothing is touched.";
    private const string PathHelp = "Path relative to the project root.";

    public static IPluginBuilder AddViewAndWriteTools(this IPluginBuilder builder, ReadLedger ledger)
    {
        var mustView = ledger.Enabled ? " The file must have been viewed first." : string.Empty;
        builder.AddTool(
            "view",
            "Shows a text file with line numbers, paged by offset and limit." +
            (ledger.Enabled ? " Viewing a file lets the write tools change it." : string.Empty),
            new ToolMetadata(ToolEffect.Read) { DescribeCall = args => new ToolCallDescription("read", args.GetOptionalString("path") is { Length: > 0 } p ? p : "."), Deferred = false },
            ([Description(PathHelp)] string path,
             [Description("First line, 1-based (default 1).")] int? offset = null,
             [Description("Lines to show (default 200, at most 2000).")] int? limit = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                ViewTool.RunAsync(FileToolCall.From(arguments, ledger), path, offset ?? 1, limit ?? 200, cancellationToken));
        builder.AddTool(
            "write",
            "Creates a file, or replaces all of it (keeping its line endings)." +
            (ledger.Enabled ? " Replacing needs a view of the file first." : string.Empty) +
            " Returns a diff. For part of a file use edit.",
            new ToolMetadata(ToolEffect.Write) { DescribeCall = CallDescriptions.Write, DescribeCallAsync = CallDescriptions.WriteAsync, Deferred = false },
            ([Description(PathHelp)] string path,
             [Description("The whole new content.")] string content,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) => WriteTool.RunAsync(FileToolCall.From(arguments, ledger, dry_run), path, content, cancellationToken));
        builder.AddTool(
            "edit",
            "Replaces exact text in a file: old_string (whitespace included) must match once unless replace_all." + mustView + " Returns a diff.",
            new ToolMetadata(ToolEffect.Write) { DescribeCall = CallDescriptions.Edit, DescribeCallAsync = CallDescriptions.EditAsync, Deferred = false },
            ([Description(PathHelp)] string path,
             [Description("The exact text to replace, unique in the file.")] string old_string,
             [Description("The replacement (may be empty).")] string new_string,
             [Description("Replace every occurrence.")] bool replace_all = false,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                EditTool.RunAsync(FileToolCall.From(arguments, ledger, dry_run), path, old_string, new_string, replace_all, cancellationToken));
        builder.AddTool(
            "multi_edit",
            "Applies several edits to one file in order, all or nothing (each as edit does, on the result of the ones before)." + mustView + " Returns a diff.",
            new ToolMetadata(ToolEffect.Write) { DescribeCall = CallDescriptions.MultiEdit, Deferred = false },
            ([Description(PathHelp)] string path,
             [Description("The edits, in order.")] EditOperation[] edits,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) => MultiEditTool.RunAsync(FileToolCall.From(arguments, ledger, dry_run), path, edits, cancellationToken));
        builder.AddTool(
            "move",
            "Moves or renames a file or folder ('dir/' as destination: into it). Replaces a file only with overwrite." +
            (ledger.Enabled ? " A moved or replaced file must have been viewed first." : string.Empty),
            new ToolMetadata(ToolEffect.Write) { DescribeCall = CallDescriptions.Move, Deferred = false },
            ([Description(PathHelp)] string source,
             [Description("The new path.")] string destination,
             [Description("Replace an existing file.")] bool overwrite = false,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                MoveTool.Run(FileToolCall.From(arguments, ledger, dry_run), source, destination, overwrite, cancellationToken));
        builder.AddTool(
            "delete",
            "Deletes a file, or a folder with recursive (never .git or a repository)." +
            (ledger.Enabled ? " A deleted file must have been viewed first." : string.Empty) + " Returns what was deleted.",
            new ToolMetadata(ToolEffect.Write) { DescribeCall = CallDescriptions.Delete, Deferred = false },
            ([Description(PathHelp)] string path,
             [Description("Delete a folder with everything in it.")] bool recursive = false,
             [Description(DryRunHelp)] bool? dry_run = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                DeleteTool.Run(FileToolCall.From(arguments, ledger, dry_run), path, recursive, cancellationToken));
        return builder;
    }
}
