using System.ComponentModel;
using AgentHost.Sdk;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files;

/// <summary>Registers the read-only file tools.</summary>
public sealed class FilesPlugin : AgentPlugin
{
    protected override void RegisterCore(IPluginBuilder builder)
    {
        builder.AddTool(
            "ls",
            "Lists a directory of the project as a tree (directories end with '/'), skipping .git, node_modules, bin and obj.",
            ToolEffect.Read,
            ([Description("Directory relative to the project root; '.' for the root.")] string? path = null,
             [Description("How many levels to descend (1-10, default 2).")] int? depth = null,
             AIFunctionArguments arguments = null!) => ListTool.Run(arguments.GetWorkspacePaths(), path ?? ".", depth ?? 2),
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
    }

    private static string Path(AIFunctionArguments args) => args.TryGetValue("path", out var p) && p?.ToString() is { Length: > 0 } text ? text : ".";
}
