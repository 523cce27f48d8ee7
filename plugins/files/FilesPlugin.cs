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
            "Lists a directory of the project as a tree (directories end with '/'), skipping .git, node_modules, bin, obj and what " +
            ".gitignore/.ignore exclude. At most limit entries are shown; a last line says how many more there are.",
            ToolEffect.Read,
            ([Description("Directory relative to the project root; '.' for the root.")] string? path = null,
             [Description("How many levels to descend (1-10, default 2).")] int? depth = null,
             [Description("Glob patterns of entries to leave out, e.g. ['*.log', 'test/**', 'dist/'] (a pattern without '/' matches names at any depth).")] string[]? ignore = null,
             [Description("Most entries to show (1-2000, default 500).")] int? limit = null,
             AIFunctionArguments arguments = null!) => ListTool.Run(arguments.GetWorkspacePaths(), path ?? ".", depth ?? 2, ignore, limit),
            args => new ToolCallDescription("read", Path(args)));
        var settings = FilesSettings.Parse(builder.Context.Settings);
        builder.AddViewAndWriteTools(new ReadLedger(settings.ReadBeforeEdit, TimeProvider.System));
        builder.AddSearchTools(settings.SearchThreads);
    }

    private static string Path(AIFunctionArguments args) => args.TryGetValue("path", out var p) && p?.ToString() is { Length: > 0 } text ? text : ".";
}
