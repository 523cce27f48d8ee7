using System.Text.Json;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Hosting.Trust;

/// <summary>One project in the user's trust list.</summary>
/// <param name="Path">The project root: absolute, symbolic links resolved.</param>
/// <param name="TrustedAt">When it was trusted.</param>
public sealed record TrustedProject(string Path, DateTimeOffset TrustedAt);

/// <summary>
/// The user's list of trusted projects (<c>trusted-projects.json</c> in the data directory). A project's
/// <c>.agent/config.yaml</c> may widen permissions (allow rules, mode, extra directories) only when its root is trusted:
/// a cloned repository cannot grant itself permissions.
/// </summary>
/// <remarks>
/// Thread-safe. Roots are compared by their real path (symbolic links resolved; case-insensitively on Windows and
/// macOS). <see cref="Trust"/> and <see cref="Revoke"/> re-read the file before changing it (another process may have
/// changed it) and write it atomically. A file that cannot be read is reported in <see cref="Warning"/> and trusts
/// nothing; it is left as it is until the next <see cref="Trust"/>, which replaces it (keeping a <c>.bak</c> copy).
/// </remarks>
public sealed class ProjectTrust
{
    /// <summary>The configuration list of trusted project roots (global, env or flag layers only).</summary>
    public const string ConfigKey = "permissions.trusted_projects";

    /// <summary>The file name in <see cref="AgentPaths.DataDirectory"/>.</summary>
    public const string FileName = "trusted-projects.json";

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private List<TrustedProject> _projects;

    private ProjectTrust(string filePath, TimeProvider time, List<TrustedProject> projects, string? warning)
    {
        FilePath = filePath;
        _time = time;
        _projects = projects;
        Warning = warning;
    }

    /// <summary>The trust file.</summary>
    public string FilePath { get; }

    /// <summary>Why the file could not be read (nothing is trusted then), or <see langword="null"/>.</summary>
    public string? Warning { get; private set; }

    /// <summary>Loads the trust list of a user; a missing file trusts nothing.</summary>
    /// <param name="paths">Where the user's data lives.</param>
    /// <param name="timeProvider">The clock for <see cref="TrustedProject.TrustedAt"/>.</param>
    /// <returns>The trust list (never throws for a broken file: see <see cref="Warning"/>).</returns>
    public static ProjectTrust Load(AgentPaths paths, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var file = System.IO.Path.Combine(paths.DataDirectory, FileName);
        var (projects, warning) = Read(file);
        return new ProjectTrust(file, timeProvider ?? TimeProvider.System, projects, warning);
    }

    /// <summary>The normal form of a project root: absolute, symbolic links resolved, no trailing separator.</summary>
    /// <param name="path">An absolute path.</param>
    /// <returns>The normalised path.</returns>
    /// <exception cref="ArgumentException">The path is not absolute.</exception>
    public static string NormalizeRoot(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!System.IO.Path.IsPathFullyQualified(path))
        {
            throw new ArgumentException($"'{path}' is not an absolute path", nameof(path));
        }

        var full = System.IO.Path.GetFullPath(path);
        try
        {
            full = WorkspacePaths.RealPath(full);
        }
        catch (IOException)
        {
            // A link loop: keep the path as written (it cannot match a real project root).
        }

        return System.IO.Path.TrimEndingDirectorySeparator(full);
    }

    /// <summary>Whether two normalised roots are the same folder (case-insensitive on Windows and macOS).</summary>
    /// <param name="left">A normalised root.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool SameRoot(string left, string right) => string.Equals(left, right, PathComparison);

    /// <summary>Whether a project root is in the list.</summary>
    /// <param name="root">The project root (absolute; normalised here).</param>
    /// <returns>Whether it is trusted.</returns>
    public bool IsTrusted(string root)
    {
        var normalized = NormalizeRoot(root);
        lock (_lock)
        {
            return _projects.Any(project => SameRoot(project.Path, normalized));
        }
    }

    /// <summary>Adds a project root to the list (nothing changes when it is already there).</summary>
    /// <param name="root">The project root (absolute; normalised here).</param>
    /// <returns>The entry, with the time it was first trusted.</returns>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file could not be written.</exception>
    public TrustedProject Trust(string root)
    {
        var normalized = NormalizeRoot(root);
        lock (_lock)
        {
            var (projects, warning) = Read(FilePath);
            if (warning is null && projects.FirstOrDefault(project => SameRoot(project.Path, normalized)) is { } existing)
            {
                _projects = projects;
                Warning = null;
                return existing;
            }

            if (warning is not null && File.Exists(FilePath))
            {
                File.Copy(FilePath, FilePath + ".bak", overwrite: true);
                projects = [];
            }

            var added = new TrustedProject(normalized, _time.GetUtcNow());
            projects.Add(added);
            Save(projects);
            _projects = projects;
            Warning = null;
            return added;
        }
    }

    /// <summary>Removes a project root from the list.</summary>
    /// <param name="root">The project root (absolute; compared as written and normalised).</param>
    /// <returns>Whether it was in the list (a file that cannot be read is left untouched: <see langword="false"/>).</returns>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file could not be written.</exception>
    public bool Revoke(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var normalized = NormalizeRoot(root);
        var written = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(root));
        lock (_lock)
        {
            var (projects, warning) = Read(FilePath);
            Warning = warning;
            if (warning is not null)
            {
                _projects = [];
                return false;
            }

            var removed = projects.RemoveAll(project => SameRoot(project.Path, normalized) || SameRoot(project.Path, written));
            if (removed > 0)
            {
                Save(projects);
            }

            _projects = projects;
            return removed > 0;
        }
    }

    /// <summary>The trusted projects, in the order they were trusted.</summary>
    /// <returns>A copy of the list.</returns>
    public IReadOnlyList<TrustedProject> List()
    {
        lock (_lock)
        {
            return [.. _projects];
        }
    }

    private static (List<TrustedProject> Projects, string? Warning) Read(string file)
    {
        if (!File.Exists(file))
        {
            return ([], null);
        }

        const string Fix = "No project is trusted until it is fixed; run 'agent trust' in a project to start a new list (the old file is kept as .bak).";
        try
        {
            var projects = new List<TrustedProject>();
            foreach (var project in TrustFile.Parse(TextFiles.Read(file)))
            {
                if (project.Path is { Length: > 0 } path && System.IO.Path.IsPathFullyQualified(path))
                {
                    projects.Add(project with { Path = System.IO.Path.TrimEndingDirectorySeparator(path) });
                }
            }

            return (projects, null);
        }
        catch (JsonException ex)
        {
            return ([], $"{file}:{(ex.LineNumber ?? 0) + 1}: the trust list is not valid JSON ({ex.Message}). {Fix}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ([], $"{file}: the trust list cannot be read ({ex.Message}). {Fix}");
        }
    }

    private void Save(List<TrustedProject> projects)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(FilePath)!);
        var temp = FilePath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.WriteAllBytes(temp, TrustFile.Write(projects));
            File.Move(temp, FilePath, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
