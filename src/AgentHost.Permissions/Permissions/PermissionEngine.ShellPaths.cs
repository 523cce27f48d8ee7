namespace AgentHost.Kernel.Permissions;

// Paths in shell lines: redirection targets with globs (expanded against the file system, as the shell would), command
// arguments for the safety floor, and the working directory a line moves to with 'cd'.
public sealed partial class PermissionEngine
{
    private const int MaxGlobMatches = 64;

    /// <summary>Expands a glob against the file system, as the shell would (at most 64 matches; hidden names included).</summary>
    private static List<string> ExpandGlob(string expanded, string baseDirectory)
    {
        var full = Path.GetFullPath(expanded.Replace('\\', '/'), baseDirectory);
        var root = Path.GetPathRoot(full)!;
        List<string> current = [root];
        foreach (var part in full[root.Length..].Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!PathPattern.HasGlob(part))
            {
                current = [.. current.Select(folder => Path.Combine(folder, part))];
                continue;
            }

            var regex = PathPattern.NameGlob(part, FileSystemIgnoresCase);
            var next = new List<string>();
            foreach (var folder in current)
            {
                try
                {
                    next.AddRange(Directory.EnumerateFileSystemEntries(folder).Where(entry => regex.IsMatch(Path.GetFileName(entry))).Take(MaxGlobMatches - next.Count));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or System.Text.RegularExpressions.RegexMatchTimeoutException)
                {
                    // Unreadable or missing folders match nothing.
                }
            }

            current = next;
        }

        return current;
    }

    /// <summary>
    /// The places a command argument may name, for the safety floor: the path as written and its real paths, or every
    /// match of a glob. Relative to a directory only known at run time (<c>cd $X &amp;&amp; cat id_rsa</c>), a name is
    /// tried in the credential folders of the home directory.
    /// </summary>
    private List<string> ResolveWord(string word, string? baseDirectory)
    {
        var expanded = Expand(word);
        if (word.Length == 0 || word.Contains('\0', StringComparison.Ordinal) || HasExpansion(expanded) || IsOtherUsersHome(word))
        {
            return [];
        }

        string[] bases = baseDirectory is not null || IsRooted(expanded)
            ? [baseDirectory ?? Root]
            : [.. new[] { ".ssh", ".aws", ".docker", string.Empty }.Select(folder => Path.Combine(Home, folder))];
        var result = new List<string>();
        foreach (var folder in bases)
        {
            try
            {
                List<string> spellings = PathPattern.HasGlob(expanded) ? [.. ExpandGlob(expanded, folder), expanded] : [expanded];
                foreach (var spelling in spellings)
                {
                    var (lexical, real) = Resolve(spelling, folder);
                    result.AddRange(lexical.Concat(real).Where(candidate => !result.Contains(candidate, StringComparer.Ordinal)));
                }
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
            {
                // Not a path.
            }
        }

        return result;
    }

    /// <summary>
    /// The working directory after a command: <c>cd DIR</c>, <c>pushd DIR</c>, <c>cd</c> (home); <see langword="null"/>
    /// when only known at run time (<c>cd -</c>, <c>popd</c>, <c>cd $X</c>, or a name looked up in a <c>CDPATH</c> the line sets).
    /// </summary>
    private string? NextDirectory(ShellCommandPart part, string? directory, bool searchPath)
    {
        if (part.Words.Count == 0 || Path.GetFileName(part.Words[0]) is not ("cd" or "pushd" or "popd" or "chdir"))
        {
            return directory;
        }

        var arguments = part.Words.Skip(1).Where(word => !(word.StartsWith('-') && word.Length > 1)).ToList();
        if (part.Words[0] == "popd" || arguments.Count > 1 || part.ExpandedWords.Count > 0)
        {
            return null;
        }

        if (arguments.Count == 0)
        {
            return part.Words[0] == "pushd" ? null : Home; // 'pushd' alone swaps with the stack
        }

        var target = Expand(arguments[0]);
        if (target == "-" || HasExpansion(target) || IsOtherUsersHome(arguments[0]) || (directory is null && !IsRooted(target))
            || (searchPath && !IsRooted(target) && !target.StartsWith('.')))
        {
            return null;
        }

        try
        {
            return RealPath(Path.Combine(directory ?? Root, target.Replace('\\', '/')), lexicalLinks: false);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The directory a plain <c>cd DIR</c> / <c>pushd DIR</c> moves to, as a read target, when it is inside the
    /// sandbox; <see langword="null"/> for anything else (decided as a command).
    /// </summary>
    private Target? ChangeDirectoryTarget(ShellCommandPart part, string? directory, bool searchPath)
    {
        if (part.Words.Count != 2 || part.Words[0] is not ("cd" or "pushd" or "chdir") || part.Prefix.Count > 0
            || NextDirectory(part, directory, searchPath) is not { } next || !InSandbox(next))
        {
            return null;
        }

        return PathTarget(TargetKind.Read, next, dynamic: false, directory) with { Part = part };
    }

    /// <summary>Where a shell call starts: the root, or the tool's working directory resolved against it.</summary>
    private string? StartDirectory(PermissionCall call)
    {
        if (call.WorkingDirectory is not { Length: > 0 } workingDirectory)
        {
            return Root;
        }

        try
        {
            return RealPath(Path.Combine(Root, Expand(workingDirectory).Replace('\\', '/')), lexicalLinks: false);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsRooted(string path) => Path.IsPathRooted(path.Replace('\\', '/'));
}
