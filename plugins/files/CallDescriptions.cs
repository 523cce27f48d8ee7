using System.Text.Json;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files;

/// <summary>
/// Permission-prompt descriptions of <c>write</c> and <c>edit</c> calls: the target path (relative to the workspace root,
/// or absolute when outside it so the permission engine sees that) and a preview of the diff. Never throws, never writes.
/// </summary>
internal static class CallDescriptions
{
    public static ToolCallDescription Write(AIFunctionArguments args) =>
        Describe("write", args, (paths, path) => WriteTool.Plan(paths, path, String(args, "content") ?? string.Empty));

    public static ToolCallDescription Edit(AIFunctionArguments args) =>
        Describe("edit", args, (paths, path) => EditTool.Plan(
            paths, path, String(args, "old_string") ?? string.Empty, String(args, "new_string") ?? string.Empty, Bool(args, "replace_all")).Change);

    /// <summary>A string argument, whether it arrived as JSON (from the host) or as a CLR string (from a test or another tool).</summary>
    public static string? String(AIFunctionArguments args, string name) =>
        args.TryGetValue(name, out var value)
            ? value switch
            {
                JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
                JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
                _ => value?.ToString(),
            }
            : null;

    private static bool Bool(AIFunctionArguments args, string name) =>
        args.TryGetValue(name, out var value) && value is true or JsonElement { ValueKind: JsonValueKind.True };

    private static ToolCallDescription Describe(string action, AIFunctionArguments args, Func<WorkspacePaths, string, FileChange> plan)
    {
        var path = String(args, "path") ?? string.Empty;
        var subject = path.Replace('\\', '/');
        if (args.Context?.TryGetValue(ToolContext.WorkspaceRootKey, out var root) != true || root is not string { Length: > 0 } rootPath)
        {
            return new ToolCallDescription(action, subject);
        }

        try
        {
            var paths = new WorkspacePaths(rootPath);
            var full = paths.Resolve(path);
            if (full is null)
            {
                return new ToolCallDescription(action, WorkspacePaths.RealPath(Path.GetFullPath(path, paths.Root)));
            }

            subject = paths.Relative(full);
            var change = plan(paths, path);
            return new ToolCallDescription(action, subject) { Details = change.Diff.IsEmpty ? null : change.Diff.Text };
        }
        catch (Exception ex) when (ex is ToolFailure or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException
                                       or System.Security.SecurityException or InvalidOperationException)
        {
            // A description is best effort: the call itself reports the problem.
            return new ToolCallDescription(action, subject);
        }
    }
}
