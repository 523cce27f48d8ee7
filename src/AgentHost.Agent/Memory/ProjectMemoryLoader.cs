using AgentHost.Common.Ignore;

namespace AgentHost.Agent.Memory;

/// <summary>
/// Collects project memory for a run: the global <c>AGENTS.md</c>, then the memory files of the workspace root
/// (<c>AGENTS.md</c>, <c>CLAUDE.md</c>, <c>CRUSH.md</c>, <c>.github/copilot-instructions.md</c>, the configured extra
/// files) and of each folder from the root down to the working directory, so the most specific comes last. Folders
/// elsewhere in the workspace that have memory files of their own are listed (<see cref="ProjectMemory.NestedFolders"/>)
/// for <see cref="ProjectMemoryMiddleware"/> to inject when a tool first touches them.
/// </summary>
/// <remarks>
/// Files outside the workspace root (other than the global file) are never read, including symbolic links that point
/// outside it. A file inside it that the project's agent ignore files (<c>.agentignore</c>, <c>.crushignore</c>, as the
/// files tools read them: <see cref="AgentIgnoreFilter"/>) exclude, as written or where it links, is not read either
/// (a warning names it and the ignore file; for a nested file, a detail), and the search for nested folders does not
/// enter an excluded folder.
/// A file whose content equals one already read (a <c>CLAUDE.md</c> copied from or linked to
/// <c>AGENTS.md</c>) is skipped. The same files give the same text. Stateless and thread-safe.
/// </remarks>
/// <param name="options">What to read and the caps.</param>
public sealed class ProjectMemoryLoader(ProjectMemoryOptions? options = null)
{
    /// <summary>The options in use.</summary>
    public ProjectMemoryOptions Options { get; } = options ?? new ProjectMemoryOptions();

    /// <summary>Loads the memory for a working directory.</summary>
    /// <param name="workingDirectory">The current directory (outside the root, only the root's files are read).</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <returns>The files, the nested folders and any warnings.</returns>
    public ProjectMemory Load(string workingDirectory, string workspaceRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(workspaceRoot);
        var root = MemoryPaths.Full(workspaceRoot);
        var current = MemoryPaths.Full(workingDirectory, root);
        if (!MemoryPaths.IsInside(root, current))
        {
            current = root;
        }

        var files = new List<MemoryFile>();
        var warnings = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ignore = new AgentIgnoreFilter(root);
        if (Options.GlobalDirectory is { Length: > 0 } global)
        {
            var path = Path.Combine(MemoryPaths.Full(global), ProjectMemoryOptions.FolderFileNames[0]);
            if (File.Exists(path))
            {
                Add(root, path, path, ignore, files, warnings, seen, personal: true);
            }
        }

        var chain = FoldersFromRoot(root, current);
        foreach (var folder in chain)
        {
            ReadFolder(root, folder, ignore, files, warnings, seen);
            if (folder.Equals(root, MemoryPaths.Comparison))
            {
                ReadRootExtras(root, ignore, files, warnings, seen);
            }
        }

        var details = new List<string>();
        var nested = FindNestedFolders(root, chain.ToHashSet(MemoryPaths.Comparer), ignore, warnings, details);
        return new ProjectMemory(files, nested, warnings, Options.MaxTotalCharacters) { Details = details };
    }

    /// <summary>Reads the memory files of one folder inside the root (as <see cref="ProjectMemoryMiddleware"/> does on first touch).</summary>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="folder">The folder.</param>
    /// <param name="warnings">Problems met (unreadable, binary, outside the root, excluded by the agent ignore files as they are now).</param>
    /// <returns>The files, in precedence order, duplicates by content skipped.</returns>
    public IReadOnlyList<MemoryFile> ReadFolder(string workspaceRoot, string folder, out IReadOnlyList<string> warnings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workspaceRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var files = new List<MemoryFile>();
        var problems = new List<string>();
        var root = MemoryPaths.Full(workspaceRoot);
        ReadFolder(root, MemoryPaths.Full(folder), new AgentIgnoreFilter(root), files, problems, new HashSet<string>(StringComparer.Ordinal));
        warnings = problems;
        return files;
    }

    private void ReadFolder(string root, string folder, AgentIgnoreFilter ignore, List<MemoryFile> files, List<string> warnings, HashSet<string> seen)
    {
        if (!MemoryPaths.IsInside(root, folder))
        {
            return;
        }

        foreach (var name in ProjectMemoryOptions.FolderFileNames)
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                AddInside(root, path, ignore, files, warnings, seen);
            }
        }
    }

    private void ReadRootExtras(string root, AgentIgnoreFilter ignore, List<MemoryFile> files, List<string> warnings, HashSet<string> seen)
    {
        var copilot = Path.Combine(root, ProjectMemoryOptions.CopilotInstructions.Replace('/', Path.DirectorySeparatorChar));
        if (File.Exists(copilot))
        {
            AddInside(root, copilot, ignore, files, warnings, seen);
        }

        foreach (var extra in Options.ExtraFiles)
        {
            if (string.IsNullOrWhiteSpace(extra))
            {
                continue;
            }

            var path = MemoryPaths.Full(extra.Trim(), root);
            if (!MemoryPaths.IsInside(root, path))
            {
                warnings.Add($"memory.files: '{extra}' is outside the project root {root}; ignored. List files inside the project, relative to its root.");
            }
            else if (!File.Exists(path))
            {
                warnings.Add($"memory.files: '{extra}' does not exist (looked for {path}); ignored. Fix the path or remove it from memory.files.");
            }
            else
            {
                AddInside(root, path, ignore, files, warnings, seen);
            }
        }
    }

    private void AddInside(string root, string path, AgentIgnoreFilter ignore, List<MemoryFile> files, List<string> warnings, HashSet<string> seen)
    {
        var display = MemoryPaths.Relative(root, path);
        if (!MemoryPaths.IsInside(root, MemoryPaths.RealPath(path)))
        {
            warnings.Add($"memory file {display} links outside the project root; skipped (only the project's own files and the global AGENTS.md are read).");
            return;
        }

        if (ExcludedBy(ignore, root, path) is { } ignoreFile)
        {
            warnings.Add(Excluded(display, ignoreFile));
            return;
        }

        Add(root, path, display, ignore, files, warnings, seen);
    }

    /// <summary>Reads a file, then the files it imports (right after it, depth first).</summary>
    /// <param name="personal">Whether the file is the user's own (the global file, or imported by it): its imports may leave the project.</param>
    /// <param name="depth">How many imports deep the file is (0 for a memory file itself).</param>
    /// <param name="importedFrom">The file that imported it, if any.</param>
    private void Add(string root, string path, string display, AgentIgnoreFilter ignore, List<MemoryFile> files, List<string> warnings, HashSet<string> seen, bool personal = false, int depth = 0, string? importedFrom = null)
    {
        if (!MemoryFileReader.TryRead(path, display, Options, out var file, out var problem))
        {
            warnings.Add(problem!);
            return;
        }

        if (file!.Content.Length > 0 && seen.Add(file.Content))
        {
            files.Add(file with { ImportedFrom = importedFrom });
            FollowImports(root, file, ignore, files, warnings, seen, personal, depth);
        }
    }

    /// <summary>
    /// The <c>@path</c> imports of <paramref name="importer"/> (<see cref="MemoryImports"/>): files inside the project
    /// root always (unless the project's agent ignore files exclude them); outside it (<c>@~/…</c>, absolute paths,
    /// links out) only from the user's own files or a trusted project. A missing <c>.md</c> import, one too deep or one refused is a warning naming the importing file.
    /// </summary>
    private void FollowImports(string root, MemoryFile importer, AgentIgnoreFilter ignore, List<MemoryFile> files, List<string> warnings, HashSet<string> seen, bool personal, int depth)
    {
        foreach (var written in MemoryImports.Find(importer.Content))
        {
            var target = MemoryImports.Resolve(written, importer.FullPath, Options.HomeDirectory);
            if (!File.Exists(target))
            {
                if (target.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
                {
                    warnings.Add($"memory file {importer.DisplayPath} imports @{written}, which does not exist (looked for {target}); not imported. Fix the path or remove the import.");
                }

                continue;
            }

            if (depth >= MemoryImports.MaxDepth)
            {
                warnings.Add($"memory file {importer.DisplayPath} imports @{written} more than {MemoryImports.MaxDepth} imports deep; not imported. Import it from a file nearer the memory file.");
                continue;
            }

            var inside = MemoryPaths.IsInside(root, MemoryPaths.RealPath(target)) && MemoryPaths.IsInside(root, target);
            if (!inside && !personal && !(Options.ImportsOutsideRoot?.Invoke() ?? false))
            {
                warnings.Add($"memory file {importer.DisplayPath} imports @{written}, which is outside the project root; not imported. A project's memory imports only the project's own files until you trust it ('agent trust'); personal imports can go in the global AGENTS.md.");
                continue;
            }

            if (inside && ExcludedBy(ignore, root, target) is { } ignoreFile)
            {
                warnings.Add($"memory file {importer.DisplayPath} imports @{written}, which the project's {ignoreFile} excludes from the agent's reach; not imported. Take its pattern out of that file, or remove the import.");
                continue;
            }

            Add(root, target, inside ? MemoryPaths.Relative(root, target) : target, ignore, files, warnings, seen, personal, depth + 1, importer.DisplayPath);
        }
    }

    /// <summary>
    /// The agent ignore file that excludes a file inside the root, as written or (when it links elsewhere inside the
    /// root) where it links, or <see langword="null"/>.
    /// </summary>
    private static string? ExcludedBy(AgentIgnoreFilter ignore, string root, string path)
    {
        if (ignore.ExcludedBy(MemoryPaths.Relative(root, path), isDirectory: false) is { } byPath)
        {
            return byPath;
        }

        var real = MemoryPaths.RealPath(path);
        return !real.Equals(path, MemoryPaths.Comparison) && MemoryPaths.IsInside(root, real)
            ? ignore.ExcludedBy(MemoryPaths.Relative(root, real), isDirectory: false)
            : null;
    }

    /// <summary>The warning for a memory file the agent ignore files exclude (the name is the repository's: the renderer neutralises it).</summary>
    private static string Excluded(string display, string ignoreFile) =>
        $"memory file {display} is excluded by the project's {ignoreFile}, which keeps it from the agent's reach; not loaded. Take its pattern out of that file (or re-include the file with a '!' line) to load it.";

    /// <summary>The root, then each folder down to <paramref name="current"/>.</summary>
    private static List<string> FoldersFromRoot(string root, string current)
    {
        var chain = new List<string>();
        for (var folder = current; folder is not null && MemoryPaths.IsInside(root, folder); folder = Path.GetDirectoryName(folder))
        {
            chain.Add(folder);
            if (folder.Equals(root, MemoryPaths.Comparison))
            {
                break;
            }
        }

        chain.Reverse();
        return chain;
    }

    /// <summary>
    /// Folders (breadth first, sorted by name) that have memory files and are not on the root-to-working-directory
    /// chain. A folder the agent ignore files exclude is not entered; a memory file they exclude (or one directly in an
    /// excluded folder) is left out with a detail (<see cref="ProjectMemory.Details"/>: the project asked for it).
    /// </summary>
    private List<MemoryFolder> FindNestedFolders(string root, HashSet<string> chain, AgentIgnoreFilter ignore, List<string> warnings, List<string> details)
    {
        var found = new List<MemoryFolder>();
        var queue = new Queue<(string Folder, string Relative, IgnoreStack Rules)>();
        queue.Enqueue((root, string.Empty, IgnoreStack.AgentOnly));
        var visited = 0;
        while (queue.Count > 0)
        {
            var (folder, relative, rules) = queue.Dequeue();
            if (++visited > Options.MaxFoldersVisited)
            {
                warnings.Add($"the search for nested memory files stopped after {Options.MaxFoldersVisited:N0} folders; deeper AGENTS.md files are not applied automatically.");
                break;
            }

            var (files, subfolders) = Entries(folder);
            if (!chain.Contains(folder))
            {
                var names = ProjectMemoryOptions.FolderFileNames.Where(files.Contains).Where(name => Allowed(root, Path.Combine(folder, name), ignore, details)).ToList();
                if (names.Count > 0)
                {
                    found.Add(new MemoryFolder(folder, relative + "/", names));
                }
            }

            // The walk keeps the rules in force per folder (the files tools' walkers do the same), so a folder without
            // ignore files costs nothing more; the filter is asked only about memory files, to name the ignore file.
            if (files.Any(IgnoreStack.IsIgnoreFile))
            {
                rules = rules.Enter(folder, relative, hasGitignore: false, hasIgnore: true, hasGitDirectory: false);
            }

            var prefix = relative.Length == 0 ? string.Empty : relative + "/";
            foreach (var child in subfolders)
            {
                var childRelative = prefix + Path.GetFileName(child);
                if (!rules.IsIgnored(childRelative, prefix.Length, isDirectory: true, IgnoreStack.DefaultIgnoreCase))
                {
                    queue.Enqueue((child, childRelative, rules));
                }
                else if (!chain.Contains(child))
                {
                    // Not searched; its own memory files are named, so that nobody wonders why they do not apply.
                    foreach (var name in ProjectMemoryOptions.FolderFileNames.Where(name => File.Exists(Path.Combine(child, name))))
                    {
                        Allowed(root, Path.Combine(child, name), ignore, details);
                    }
                }
            }
        }

        return [.. found.OrderBy(f => f.DisplayPath, StringComparer.Ordinal)];
    }

    /// <summary>Whether a nested memory file may be applied: <see langword="false"/>, with a detail naming it, when the agent ignore files exclude it.</summary>
    private static bool Allowed(string root, string path, AgentIgnoreFilter ignore, List<string> details)
    {
        if (ExcludedBy(ignore, root, path) is not { } ignoreFile)
        {
            return true;
        }

        details.Add(Excluded(MemoryPaths.Relative(root, path), ignoreFile));
        return false;
    }

    /// <summary>One listing per folder: the names of its files and its subfolders to search (sorted; dot-folders, skipped names and links left out).</summary>
    private static (HashSet<string> Files, List<string> Subfolders) Entries(string folder)
    {
        var files = new HashSet<string>(MemoryPaths.Comparer);
        var subfolders = new List<string>();
        try
        {
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                if (entry is not DirectoryInfo)
                {
                    files.Add(entry.Name);
                }
                else if (!entry.Name.StartsWith('.') && !ProjectMemoryOptions.SkippedFolders.Contains(entry.Name) && (entry.Attributes & FileAttributes.ReparsePoint) == 0)
                {
                    subfolders.Add(entry.FullName);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (files, []);
        }

        subfolders.Sort(StringComparer.Ordinal);
        return (files, subfolders);
    }
}
