using System.Globalization;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// The <c>move</c> tool: renames or moves a file, folder or symbolic link inside the workspace, creating missing parent
/// folders. Never replaces a folder, and replaces an existing file only with <c>overwrite</c>.
/// </summary>
internal static class MoveTool
{
    public static string Run(FileToolCall call, string source, string destination, bool overwrite, CancellationToken cancellationToken = default)
    {
        var plan = Plan(call, source, destination, overwrite, cancellationToken);
        if (call.DryRun)
        {
            return Report($"Dry run: would move {plan.What}. Nothing was moved.{call.LedgerNote}", plan);
        }

        var (from, to) = (plan.Source, plan.Destination);
        try
        {
            // Folders created and checked level by level, both parents checked right before the move and the moved
            // entry right after it (see WorkspacePaths.Move).
            call.Paths.Move(from.FullPath, to.FullPath, overwrite: to.Kind != EntryKind.Missing);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"could not move '{from.Display}' to '{to.RelativePath}': {ex.Message}");
        }

        call.RecordDeleted(to.FullPath);
        call.RecordMoved(from.FullPath, to.FullPath);
        return Report($"Moved {plan.What}.", plan);
    }

    /// <summary>Works out a move without moving anything.</summary>
    /// <param name="call">The call (the read ledger is checked for files).</param>
    /// <param name="source">The source path as the model wrote it.</param>
    /// <param name="destination">The destination path as the model wrote it.</param>
    /// <param name="overwrite">Whether an existing destination file may be replaced.</param>
    /// <param name="cancellationToken">Stops the walk of a folder.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ToolException">The move is not allowed.</exception>
    public static MovePlan Plan(FileToolCall call, string source, string destination, bool overwrite, CancellationToken cancellationToken = default)
    {
        var paths = call.Paths;
        var from = Entry.Resolve(paths, source, "source", "moved");
        if (destination.EndsWith('/') || destination.EndsWith('\\'))
        {
            // "into this folder": keep the source's name.
            destination += Path.GetFileName(from.FullPath);
        }

        var to = Entry.Resolve(paths, destination, "destination", "moved");
        if (from.Kind == EntryKind.Missing)
        {
            throw new ToolException($"no file or folder '{source}' in the project; nothing to move.{NearbyNames.DidYouMean(paths, from.FullPath, cancellationToken)}");
        }

        if (from.FullPath.Equals(to.FullPath, StringComparison.Ordinal))
        {
            throw new ToolException($"source and destination are the same path ('{from.RelativePath}'); give a different destination.");
        }

        if (from.Kind == EntryKind.Folder && Entry.IsInside(to.FullPath, from.FullPath))
        {
            throw new ToolException($"destination '{to.RelativePath}' is inside the folder being moved ('{from.Display}'); a folder cannot be moved into itself.");
        }

        // A rename that only changes case, where the file system ignores case, names the same entry: not a replacement.
        var caseRename = Entry.SamePath(from.FullPath, to.FullPath);
        if (caseRename)
        {
            to = to with { Kind = EntryKind.Missing };
        }

        var notes = new List<string>();
        if (to.Kind != EntryKind.Missing)
        {
            CheckReplace(from, to, overwrite);
            if (to.Kind == EntryKind.File)
            {
                call.CheckCanChange(to.FullPath, to.RelativePath, FileStamp.Read(to.FullPath));
            }

            notes.Add($"replacing the existing {(to.Kind == EntryKind.Link ? "symbolic link" : "file")} '{to.RelativePath}'");
        }

        if (MissingFolders(paths, to.FullPath) is { Count: > 0 } created)
        {
            notes.Add($"creating the folder{(created.Count == 1 ? string.Empty : "s")} {string.Join(", ", created.Select(f => $"'{f}/'"))}");
        }

        string size;
        if (from.Kind == EntryKind.Folder)
        {
            var inventory = FolderInventory.Take(paths, from.FullPath, cancellationToken);
            size = inventory.Counts;
        }
        else if (from.Kind == EntryKind.Link)
        {
            size = $"a symbolic link to '{new FileInfo(from.FullPath).LinkTarget}'";
        }
        else
        {
            var stamp = FileStamp.Read(from.FullPath);
            call.CheckCanChange(from.FullPath, from.RelativePath, stamp);
            size = DeleteTool.Plural(stamp.Length, "byte");
        }

        var what = $"'{from.Display}' ({size}) to '{to.RelativePath}{(from.Kind == EntryKind.Folder ? "/" : string.Empty)}'";
        return new MovePlan(from, to, what, notes);
    }

    private static void CheckReplace(Entry from, Entry to, bool overwrite)
    {
        if (to.Kind == EntryKind.Folder)
        {
            throw new ToolException(
                $"destination '{to.Display}' is an existing folder, and move never replaces a folder. To move into it, give the full new path " +
                $"(for example '{to.RelativePath}/{Path.GetFileName(from.FullPath)}').");
        }

        if (!overwrite)
        {
            throw new ToolException($"destination '{to.RelativePath}' already exists; set overwrite to true to replace it, or choose another destination.");
        }

        if (from.Kind == EntryKind.Folder)
        {
            throw new ToolException($"destination '{to.RelativePath}' is an existing file and the source is a folder; a file is only replaced by a file. Choose another destination.");
        }
    }

    /// <summary>The folders (relative) that must be created for <paramref name="fullPath"/>, outermost first.</summary>
    private static List<string> MissingFolders(AgentHost.Sdk.Tools.WorkspacePaths paths, string fullPath)
    {
        var missing = new List<string>();
        for (var folder = Path.GetDirectoryName(fullPath); folder is not null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(folder))
            {
                throw new ToolException($"cannot create the folder '{paths.Relative(folder)}/' for the destination: a file has that name.");
            }

            missing.Insert(0, paths.Relative(folder));
        }

        return missing;
    }

    private static string Report(string summary, MovePlan plan) =>
        plan.Notes.Count == 0 ? summary : $"{summary}\n{string.Join("\n", plan.Notes.Select(n => char.ToUpperInvariant(n[0]) + n[1..] + "."))}";
}

/// <summary>What a move would do.</summary>
/// <param name="Source">What is moved.</param>
/// <param name="Destination">Where it goes (its kind is what is there now; missing for a case-only rename).</param>
/// <param name="What">A description for the summary.</param>
/// <param name="Notes">What else happens: a file replaced, folders created.</param>
internal sealed record MovePlan(Entry Source, Entry Destination, string What, IReadOnlyList<string> Notes);
