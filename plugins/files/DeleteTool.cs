using System.Globalization;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// The <c>delete</c> tool: a file, a symbolic link (never what it points to) or, with <c>recursive</c>, a folder and
/// everything in it. Refuses the workspace root, <c>.git</c> and folders holding a git repository.
/// </summary>
internal static class DeleteTool
{
    public static string Run(FileToolCall call, string path, bool recursive, CancellationToken cancellationToken = default)
    {
        var plan = Plan(call, path, recursive, cancellationToken);
        if (call.DryRun)
        {
            return Report($"Dry run: would delete {plan.What}. Nothing was deleted.{call.LedgerNote}", plan.Details);
        }

        var entry = plan.Entry;
        try
        {
            if (entry.Kind == EntryKind.Folder)
            {
                ClearReadOnly(entry.FullPath);
            }

            // Renamed aside, checked to be inside the workspace, then deleted: a folder swapped for a link meanwhile
            // makes the delete refuse instead of reaching outside (see WorkspacePaths.Delete).
            call.Paths.Delete(entry.FullPath, recursive: entry.Kind == EntryKind.Folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var left = Entry.KindOf(entry.FullPath) == EntryKind.Folder
                ? $" Part of it may be gone; view what is left with ls '{entry.RelativePath}'."
                : string.Empty;
            throw new ToolException($"could not delete '{entry.Display}': {ex.Message}.{left}");
        }
        finally
        {
            call.RecordDeleted(entry.FullPath);
        }

        return Report($"Deleted {plan.What}.", plan.Details);
    }

    /// <summary>Works out what a delete would remove, without removing anything.</summary>
    /// <param name="call">The call (the read ledger is checked for a file; a preview passes a call whose ledger allows everything).</param>
    /// <param name="path">The path as the model wrote it.</param>
    /// <param name="recursive">Whether a folder may be deleted.</param>
    /// <param name="cancellationToken">Stops the walk of a folder.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ToolException">The delete is not allowed or the path does not exist.</exception>
    public static DeletePlan Plan(FileToolCall call, string path, bool recursive, CancellationToken cancellationToken = default)
    {
        var entry = Entry.Resolve(call.Paths, path, "path", "deleted");
        switch (entry.Kind)
        {
            case EntryKind.Missing:
                throw new ToolException($"no file or folder '{path}' in the project; nothing to delete.{NearbyNames.DidYouMean(call.Paths, entry.FullPath, cancellationToken)}");
            case EntryKind.Link:
                return new DeletePlan(entry, $"the symbolic link '{entry.RelativePath}' (it points to '{new FileInfo(entry.FullPath).LinkTarget}', which is kept)", null);
            case EntryKind.Folder:
                var inventory = FolderInventory.Take(call.Paths, entry.FullPath, cancellationToken);
                if (inventory.Repository is { } repository)
                {
                    throw new ToolException($"'{entry.Display}' holds a git repository ('{repository}'); the files tools do not delete repositories. Delete it yourself if you mean to.");
                }

                if (!recursive)
                {
                    throw new ToolException(inventory.Entries == 0
                        ? $"'{entry.Display}' is an empty folder; set recursive to true to delete a folder."
                        : $"'{entry.Display}' is a folder with {inventory.Counts}; set recursive to true to delete it and everything in it, or delete single files.");
                }

                return new DeletePlan(entry, $"the folder '{entry.Display}' and everything in it ({inventory.Counts})", inventory.Entries == 0 ? null : inventory.Listing());
            default:
                return PlanFile(call, entry);
        }
    }

    private static DeletePlan PlanFile(FileToolCall call, Entry entry)
    {
        FileStamp stamp;
        string what, size;
        string? diff = null;
        try
        {
            var file = TextFile.Read(call.Paths, entry.FullPath, entry.RelativePath);
            stamp = file.Stamp;
            var text = UnifiedDiff.Create(file.Text, null, entry.RelativePath);
            size = $"{Plural(text.Removed, "line")}, {Plural(stamp.Length, "byte")}";
            what = $"'{entry.RelativePath}' ({size})";
            diff = text.IsEmpty ? null : text.Text;
        }
        catch (ToolException)
        {
            // Binary, not UTF-8/UTF-16, or too large to diff: still deletable, shown by size only.
            stamp = FileStamp.Read(entry.FullPath);
            what = $"'{entry.RelativePath}' (a binary or large file, {Plural(stamp.Length, "byte")})";
        }

        call.CheckCanChange(entry.FullPath, entry.RelativePath, stamp);
        return new DeletePlan(entry, what, diff);
    }

    /// <summary>A count with its noun, such as <c>1 line</c> or <c>1,024 bytes</c>.</summary>
    public static string Plural(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? string.Empty : "s")}");

    private static string Report(string summary, string? details) => details is null ? summary : $"{summary}\n\n{details}";

    /// <summary>Windows refuses to delete read-only files (git marks some so); clear the flag first.</summary>
    private static void ClearReadOnly(string folder)
    {
        if (!OperatingSystem.IsWindows())
        {
            return;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", options))
        {
            if (file.Attributes.HasFlag(FileAttributes.ReadOnly))
            {
                file.Attributes &= ~FileAttributes.ReadOnly;
            }
        }
    }
}

/// <summary>What a delete would remove.</summary>
/// <param name="Entry">The path.</param>
/// <param name="What">A description for the summary.</param>
/// <param name="Details">The diff of a deleted text file or the listing of a folder, or <see langword="null"/>.</param>
internal sealed record DeletePlan(Entry Entry, string What, string? Details);
