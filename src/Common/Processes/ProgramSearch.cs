namespace AgentHost.Common.Processes;

/// <summary>
/// Finds programs the way the host may run them: by name, only in the ABSOLUTE entries of <c>PATH</c> (never the
/// working directory, never relative entries such as <c>.</c> or <c>node_modules/.bin</c>, never empty entries, which a
/// shell reads as the working directory), and never a file inside a refused folder (the project root). On Windows
/// <c>PATHEXT</c> is honoured, but the current directory is never searched. An absolute path is taken as it is: it is
/// the caller's explicit configuration.
/// </summary>
/// <remarks>Shared source (src/Common), linked into the kernel and the plugins that start programs. Stateless and thread-safe.</remarks>
public static class ProgramSearch
{
    /// <summary>Finds <paramref name="program"/>.</summary>
    /// <param name="program">A bare name (<c>git</c>) or an absolute path. A relative path (<c>./git</c>, <c>bin/git</c>) is never found.</param>
    /// <param name="pathVariable">The <c>PATH</c> value; the process's when <see langword="null"/>.</param>
    /// <param name="refusedRoots">Folders whose programs are never returned from a PATH search (the project root).</param>
    /// <param name="pathExtensions">The <c>PATHEXT</c> value on Windows; the process's when <see langword="null"/>.</param>
    /// <returns>The absolute path, or <see langword="null"/>.</returns>
    public static string? Find(string program, string? pathVariable = null, IEnumerable<string>? refusedRoots = null, string? pathExtensions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        var extensions = Extensions(program, pathExtensions);
        if (Path.IsPathFullyQualified(program))
        {
            return extensions.Select(e => program + e).FirstOrDefault(IsExecutable);
        }

        if (HasDirectory(program))
        {
            // 'bin/git' or '.\git' would resolve against the working directory, which a repository controls.
            return null;
        }

        var refused = (refusedRoots ?? []).Where(r => r.Length > 0).Select(Normalize).ToList();
        foreach (var directory in AbsoluteEntries(pathVariable ?? Environment.GetEnvironmentVariable("PATH")))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, program + extension);
                if (IsExecutable(candidate) && !IsInside(candidate, refused))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>The absolute entries of a <c>PATH</c> value, in order, quotes removed; relative and empty entries dropped.</summary>
    /// <param name="pathVariable">The value.</param>
    /// <returns>The entries.</returns>
    public static IEnumerable<string> AbsoluteEntries(string? pathVariable) =>
        (pathVariable ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Trim('"'))
            .Where(entry => entry.Length > 0 && Path.IsPathFullyQualified(entry));

    /// <summary>A <c>PATH</c> value with only its absolute entries, for programs the host starts (git must not find a repository's helpers either).</summary>
    /// <param name="pathVariable">The value.</param>
    /// <returns>The cleaned value.</returns>
    public static string AbsoluteOnly(string? pathVariable) => string.Join(Path.PathSeparator, AbsoluteEntries(pathVariable));

    /// <summary>Whether <paramref name="path"/> (or the file a link there points to) lies inside one of <paramref name="roots"/>.</summary>
    /// <param name="path">An absolute path.</param>
    /// <param name="roots">Absolute folders.</param>
    /// <returns>Whether it is inside.</returns>
    public static bool IsInside(string path, IEnumerable<string> roots)
    {
        var normalized = roots.Select(Normalize).ToList();
        if (normalized.Count == 0)
        {
            return false;
        }

        return Candidates(path).Any(p => normalized.Any(root => Within(p, root)));
    }

    /// <summary>Whether the file exists and (on Unix) has an execute bit.</summary>
    /// <param name="path">The path.</param>
    /// <returns>Whether it can be run.</returns>
    public static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            return (File.GetUnixFileMode(path) & AnyExecute) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool HasDirectory(string program) =>
        program.Contains('/', StringComparison.Ordinal) || program.Contains('\\', StringComparison.Ordinal) || (OperatingSystem.IsWindows() && program.Contains(':', StringComparison.Ordinal));

    private static string[] Extensions(string program, string? pathExtensions)
    {
        if (!OperatingSystem.IsWindows())
        {
            return [string.Empty];
        }

        var list = (pathExtensions ?? Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return Path.HasExtension(program) ? [string.Empty, .. list] : list;
    }

    /// <summary>The path itself, and where its links lead (a PATH entry may be a link into the project).</summary>
    private static IEnumerable<string> Candidates(string path)
    {
        yield return Path.GetFullPath(path);
        string? real = null;
        try
        {
            real = RealPath(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unresolvable: the plain path is all there is to check.
        }

        if (real is not null)
        {
            yield return real;
        }
    }

    /// <summary>The path with every link along it resolved (folders and the file).</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            current = info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? target.FullName : next;
        }

        return current;
    }

    private static string Normalize(string root)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        try
        {
            return Directory.Exists(full) ? Path.TrimEndingDirectorySeparator(RealPath(full)) : full;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return full;
        }
    }

    private static bool Within(string path, string root)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return path.Equals(root, comparison)
            || (path.StartsWith(root, comparison) && path.Length > root.Length
                && (path[root.Length] == Path.DirectorySeparatorChar || path[root.Length] == Path.AltDirectorySeparatorChar || root.EndsWith(Path.DirectorySeparatorChar)));
    }
}
