using System.ComponentModel;
using AgentHost.Sdk;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files;

/// <summary>Registers the file tools: <c>ls</c> and <c>view</c> read, <c>write</c> and <c>edit</c> change files.</summary>
public sealed class FilesPlugin : AgentPlugin
{
    protected override void RegisterCore(IPluginBuilder builder)
    {
        builder.AddTool(
            "ls",
            "Lists a directory of the project as a tree (directories end with '/'), skipping .git, node_modules, bin, obj and what " +
            ".gitignore/.ignore exclude. At most limit entries are shown; a last line says how many more there are.",
            ToolEffect.Read,
            ([Description("Directory relative to the project root; '.' for the root.")] string? path = null,
             [Description("How many levels to descend (1-10, default 2).")] int? depth = null,
             [Description("Glob patterns of entries to leave out, e.g. ['*.log', 'test/**', 'dist/'] (a pattern without '/' matches names at any depth).")] string[]? ignore = null,
             [Description("Most entries to show (1-2000, default 500).")] int? limit = null,
             AIFunctionArguments arguments = null!) => ListTool.Run(arguments.GetWorkspacePaths(), path ?? ".", depth ?? 2, ignore, limit),
            args => new ToolCallDescription("read", Path(args)));
        builder.AddTool(
            "view",
            "Shows a text file with line numbers. Use offset and limit to page through long files.",
            ToolEffect.Read,
            ([Description("File path relative to the project root.")] string path,
             [Description("First line to show, 1-based (default 1).")] int? offset = null,
             [Description("How many lines to show (default 200, at most 2000).")] int? limit = null,
             AIFunctionArguments arguments = null!) => ViewTool.Run(arguments.GetWorkspacePaths(), path, offset ?? 1, limit ?? 200),
            args => new ToolCallDescription("read", Path(args)));
        builder.AddTool(
            "write",
            "Creates a file or replaces all of its content, creating parent directories. An existing file keeps its line-ending style " +
            "and byte order mark. Returns a diff of the change. To change part of a file, prefer edit.",
            ToolEffect.Write,
            ([Description("File path relative to the project root.")] string path,
             [Description("The complete new content of the file.")] string content,
             [Description("When true, only show the diff; nothing is written.")] bool dry_run = false,
             AIFunctionArguments arguments = null!) => WriteTool.Run(arguments.GetWorkspacePaths(), path, content, dry_run),
            CallDescriptions.Write);
        builder.AddTool(
            "edit",
            "Replaces exact text in a file: old_string must match once (including whitespace and indentation) unless replace_all is set. " +
            "The file keeps its encoding and line endings. Returns a diff of the change.",
            ToolEffect.Write,
            ([Description("File path relative to the project root.")] string path,
             [Description("The exact text to replace, with enough surrounding lines to be unique.")] string old_string,
             [Description("The text to put in its place (may be empty to delete).")] string new_string,
             [Description("When true, replace every occurrence instead of requiring exactly one.")] bool replace_all = false,
             [Description("When true, only show the diff; nothing is written.")] bool dry_run = false,
             AIFunctionArguments arguments = null!) => EditTool.Run(arguments.GetWorkspacePaths(), path, old_string, new_string, replace_all, dry_run),
            CallDescriptions.Edit);
        builder.AddSearchTools();
    }

    private static string Path(AIFunctionArguments args) => args.TryGetValue("path", out var p) && p?.ToString() is { Length: > 0 } text ? text : ".";
}
