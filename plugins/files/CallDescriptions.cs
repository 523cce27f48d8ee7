using System.Text.Json;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files;

/// <summary>
/// Permission-prompt descriptions of the write tools' calls: the target path (relative to the workspace root, or
/// absolute when outside it so the permission engine sees that) and a preview — the diff, or the plan of a move or
/// delete. Never throws, never writes, never records anything in the read ledger and never consults it.
/// </summary>
internal static class CallDescriptions
{
    public static ToolCallDescription Write(AIFunctionArguments args) =>
        Describe("write", args, (paths, path) => WriteTool.Plan(paths, path, args.GetOptionalString("content") ?? string.Empty).Diff.Text);

    public static ToolCallDescription Edit(AIFunctionArguments args) =>
        Describe("edit", args, (paths, path) => EditTool.Plan(
            paths, path, args.GetOptionalString("old_string") ?? string.Empty, args.GetOptionalString("new_string") ?? string.Empty, (args.GetOptionalBoolean("replace_all") ?? false)).Change.Diff.Text);

    /// <summary>
    /// <see cref="Write"/> for the pipeline: the preview reads and diffs the file off the caller's thread and gives up
    /// when the call is cancelled, so a large file's diff never holds the permission prompt past Ctrl+C.
    /// </summary>
    public static ValueTask<ToolCallDescription> WriteAsync(AIFunctionArguments args, CancellationToken cancellationToken) =>
        OffThread(Write, args, cancellationToken);

    /// <summary><see cref="Edit"/> for the pipeline, like <see cref="WriteAsync"/>.</summary>
    public static ValueTask<ToolCallDescription> EditAsync(AIFunctionArguments args, CancellationToken cancellationToken) =>
        OffThread(Edit, args, cancellationToken);

    public static ToolCallDescription MultiEdit(AIFunctionArguments args) =>
        Describe("write", args, (paths, path) => MultiEditTool.Plan(paths, path, Edits(args)).Change.Diff.Text);

    public static ToolCallDescription Delete(AIFunctionArguments args) =>
        Describe("write", args, (paths, path) =>
        {
            var plan = DeleteTool.Plan(Preview(paths), path, (args.GetOptionalBoolean("recursive") ?? false));
            return plan.Details is null ? $"delete {plan.What}" : $"delete {plan.What}\n\n{plan.Details}";
        }, entry: true);

    /// <summary>
    /// A move writes (removes) its source and writes its destination: the source is the subject and the destination
    /// a declared path, so the permission engine decides both (a move over a protected or denied path is stopped).
    /// </summary>
    public static ToolCallDescription Move(AIFunctionArguments args) =>
        Describe("write", args, (paths, source) =>
        {
            var plan = MoveTool.Plan(Preview(paths), source, args.GetOptionalString("destination") ?? string.Empty, (args.GetOptionalBoolean("overwrite") ?? false));
            return string.Join("\n", [$"move {plan.What}", .. plan.Notes]);
        }, entry: true, pathKey: "source") with
        {
            Paths = [new ToolCallPath(MoveDestination(args), ToolEffect.Write)],
        };



    private static List<EditOperation>? Edits(AIFunctionArguments args) =>
        args.TryGetValue("edits", out var value) && value is not null
            ? (value is JsonElement element ? element : JsonSerializer.SerializeToElement(value)).Deserialize<List<EditOperation>>()
            : null;

    private static async ValueTask<ToolCallDescription> OffThread(
        Func<AIFunctionArguments, ToolCallDescription> describe, AIFunctionArguments args, CancellationToken cancellationToken) =>
        await Task.Run(() => describe(args), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>A call for previews: no session, so the read ledger neither refuses nor records.</summary>
    private static FileToolCall Preview(WorkspacePaths paths) => new(paths, new ReadLedger(enabled: false, TimeProvider.System), sessionId: null, dryRun: true);

    private static ToolCallDescription Describe(
        string action, AIFunctionArguments args, Func<WorkspacePaths, string, string> preview, bool entry = false, string pathKey = "path")
    {
        var path = args.GetOptionalString(pathKey) ?? string.Empty;
        var subject = path.Replace('\\', '/');
        if (args.Context?.TryGetValue(ToolContext.WorkspaceRootKey, out var root) != true || root is not string { Length: > 0 } rootPath)
        {
            return new ToolCallDescription(action, subject);
        }

        try
        {
            var paths = new WorkspacePaths(rootPath);
            var full = entry ? EntryPath(paths, path) : paths.Resolve(path);
            if (full is null)
            {
                return new ToolCallDescription(action, WorkspacePaths.RealPath(Path.GetFullPath(path, paths.Root)));
            }

            subject = paths.Relative(full);
            var details = preview(paths, path);
            return new ToolCallDescription(action, subject) { Details = details.Length == 0 ? null : details };
        }
        catch (Exception ex) when (ex is ToolException or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException
                                       or System.Security.SecurityException or InvalidOperationException or JsonException)
        {
            // A description is best effort: the call itself reports the problem.
            return new ToolCallDescription(action, subject);
        }
    }

    /// <summary>The destination as the move tool reads it: ending in <c>/</c>, it means the source's name inside that folder.</summary>
    private static string MoveDestination(AIFunctionArguments args)
    {
        var destination = args.GetOptionalString("destination") ?? string.Empty;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator((args.GetOptionalString("source") ?? string.Empty).Replace('\\', '/')));
        return name.Length > 0 && (destination.EndsWith('/') || destination.EndsWith('\\')) ? destination + name : destination;
    }

    /// <summary>The path <c>move</c>/<c>delete</c> act on (a final link is not followed), or <see langword="null"/> when outside the root.</summary>
    private static string? EntryPath(WorkspacePaths paths, string path)
    {
        var lexical = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, paths.Root));
        return Path.GetDirectoryName(lexical) is { } parent && paths.Resolve(parent) is { } real ? Path.Combine(real, Path.GetFileName(lexical)) : null;
    }
}
