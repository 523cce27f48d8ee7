using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// What a folder holds, for <c>delete</c> and <c>move</c>: counts, the first entries by name and whether a git repository
/// is inside. Symbolic links are counted, never followed.
/// </summary>
/// <param name="Files">Files (links included).</param>
/// <param name="Folders">Folders under it.</param>
/// <param name="Bytes">The size of the files.</param>
/// <param name="Listed">The first <see cref="MaxListed"/> entries (relative, folders ending in <c>/</c>, links with <c>-&gt;</c>).</param>
/// <param name="Repository">The relative path of a <c>.git</c> entry inside, or <see langword="null"/>.</param>
internal sealed record FolderInventory(int Files, int Folders, long Bytes, IReadOnlyList<string> Listed, string? Repository)
{
    /// <summary>The most entries listed in a result.</summary>
    public const int MaxListed = 50;

    private static readonly EnumerationOptions Options = new() { AttributesToSkip = 0, ReturnSpecialDirectories = false };

    /// <summary>Every entry under the folder.</summary>
    public int Entries => Files + Folders;

    /// <summary>A summary such as <c>3 files, 1 folder, 1,024 bytes</c>.</summary>
    public string Counts => $"{DeleteTool.Plural(Files, "file")}, {DeleteTool.Plural(Folders, "folder")}, {DeleteTool.Plural(Bytes, "byte")}";

    /// <summary>Walks a folder.</summary>
    /// <param name="paths">The workspace, for relative names.</param>
    /// <param name="folder">The folder's full path (not a link).</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <returns>The inventory.</returns>
    public static FolderInventory Take(WorkspacePaths paths, string folder, CancellationToken cancellationToken)
    {
        var walk = new Walk(paths, cancellationToken);
        walk.Visit(new DirectoryInfo(folder));
        return new FolderInventory(walk.Files, walk.Folders, walk.Bytes, walk.Listed, walk.Repository);
    }

    /// <summary>The listing for a result, with a last line saying how many entries were left out.</summary>
    /// <returns>The listing.</returns>
    public string Listing()
    {
        var builder = new StringBuilder();
        foreach (var line in Listed)
        {
            builder.Append(line).Append('\n');
        }

        if (Entries > Listed.Count)
        {
            builder.Append(CultureInfo.InvariantCulture, $"… and {Entries - Listed.Count} more\n");
        }

        return builder.ToString().TrimEnd('\n');
    }

    /// <summary>A depth-first walk in name order, so the listing reads like a tree.</summary>
    private sealed class Walk(WorkspacePaths paths, CancellationToken cancellationToken)
    {
        public int Files { get; private set; }

        public int Folders { get; private set; }

        public long Bytes { get; private set; }

        public string? Repository { get; private set; }

        public List<string> Listed { get; } = [];

        public void Visit(DirectoryInfo directory)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var entry in directory.EnumerateFileSystemInfos("*", Options).OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var relative = paths.Relative(entry.FullName);
                if (entry.Name.Equals(".git", StringComparison.OrdinalIgnoreCase))
                {
                    Repository ??= relative;
                }

                var folder = entry is DirectoryInfo { LinkTarget: null };
                if (Listed.Count < MaxListed)
                {
                    Listed.Add(entry.LinkTarget is { } target ? $"{relative} -> {target}" : folder ? relative + "/" : relative);
                }

                if (folder)
                {
                    Folders++;
                    Visit((DirectoryInfo)entry);
                }
                else
                {
                    Files++;
                    Bytes += entry is FileInfo { LinkTarget: null } file ? file.Length : 0;
                }
            }
        }
    }
}
