using System.ComponentModel;
using AgentHost.Sdk;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files;

/// <summary>
/// Registers the file tools: <c>ls</c>, <c>view</c>, <c>glob</c> and <c>grep</c> read; <c>write</c>, <c>edit</c>,
/// <c>multi_edit</c>, <c>move</c> and <c>delete</c> change files (see <see cref="FileTools"/>).
/// </summary>
public sealed class FilesPlugin : AgentPlugin
{
    protected override void RegisterCore(IPluginBuilder builder)
    {
        builder.AddTool(
            "ls",
            "Lists a folder as a tree (folders end with '/'), skipping .git, node_modules, bin, obj and ignored entries.",
            new ToolMetadata(ToolEffect.Read) { DescribeCall = args => new ToolCallDescription("read", Path(args)), Deferred = false },
            ([Description("Folder relative to the project root (default '.').")] string? path = null,
             [Description("Levels to descend (1-10, default 2).")] int? depth = null,
             [Description("Globs to leave out, e.g. ['*.log'].")] string[]? ignore = null,
             [Description("Most entries (1-2000, default 500).")] int? limit = null,
             AIFunctionArguments arguments = null!) => ListTool.Run(arguments.GetWorkspacePaths(), path ?? ".", depth ?? 2, ignore, limit));
        var settings = FilesSettings.Parse(builder.Context.Settings);
        builder.AddViewAndWriteTools(new ReadLedger(settings.ReadBeforeEdit, TimeProvider.System));
        builder.AddSearchTools(settings.SearchThreads);
    }

    private static string Path(AIFunctionArguments args) => args.TryGetValue("path", out var p) && p?.ToString() is { Length: > 0 } text ? text : ".";
}
