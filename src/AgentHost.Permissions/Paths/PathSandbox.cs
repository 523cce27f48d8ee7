namespace AgentHost.Permissions.Paths;

/// <summary>
/// The path sandbox of the permission engine: the workspace root and extra directories a call may use without asking,
/// the protected places a write to always asks about, and how a path as written becomes the real paths a call may
/// touch.
/// </summary>
/// <remarks>
/// <para>
/// Every spelling a tool or the kernel could act on is resolved, and a path is inside the sandbox only if all of them
/// are: <c>\</c> is a separator on every OS (a model may send Windows paths), and on Linux and macOS the literal reading
/// (a name containing <c>\</c>) is checked as well; <c>..</c> is resolved both as file tools do (<c>..</c> first, then
/// symbolic links, like <see cref="Sdk.Tools.WorkspacePaths"/>) and as the kernel does for shell redirections (symbolic
/// links first: <c>link/../x</c> is next to the link's target); names with trailing dots or spaces (<c>secrets. </c>),
/// which Windows trims, are also checked trimmed. At most 40 symbolic links are followed per path (as the kernel
/// does); loops and deeper chains make the path unknown. Paths compare ignoring case where the file system does
/// (Windows, macOS).
/// </para>
/// <para>
/// Protected places (see docs/permissions.md, "Protected paths"): the agent's configuration (<c>.agent/</c>), skill
/// folders (every one skills are loaded from, <see cref="AgentHost.Hosting.ProjectSkillFolders"/>), git hooks (<c>.husky/</c>, the folder <c>core.hooksPath</c>
/// names) anywhere, and the user's <see cref="ProtectedPaths"/>.
/// </para>
/// <para>Thread-safe and immutable; it reads the file system to resolve symbolic links and expand globs.</para>
/// </remarks>
public sealed class PathSandbox
{
    /// <summary>Characters the general path reads another way (<see cref="IsPlainSpelling"/>).</summary>
    private static readonly System.Buffers.SearchValues<char> NotPlain = System.Buffers.SearchValues.Create("\\$`\n\r\0");

    private readonly string[] _directories;
    private readonly WriteProtection _protection;

    /// <summary>Creates a sandbox.</summary>
    /// <param name="workspaceRoot">The project root (the sandbox root).</param>
    /// <param name="homeDirectory">The user's home directory, for <c>~/</c>.</param>
    /// <param name="extraDirectories">More directories inside the sandbox (<c>~/</c> expanded, relative to the root).</param>
    /// <param name="protectedPaths">The user's protected places; <see cref="ProtectedPaths.Default"/> of the home directory when <see langword="null"/>.</param>
    public PathSandbox(string workspaceRoot, string homeDirectory, IEnumerable<string>? extraDirectories = null, ProtectedPaths? protectedPaths = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workspaceRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(homeDirectory);
        Root = Sdk.Tools.WorkspacePaths.RealPath(Path.GetFullPath(workspaceRoot));
        Home = Sdk.Tools.WorkspacePaths.RealPath(Path.GetFullPath(homeDirectory));
        ProtectedPaths = protectedPaths ?? ProtectedPaths.Default(Home);
        _protection = new WriteProtection(Root, Home, ProtectedPaths, GitHooksPath.Read(Root, Home), Expand);
        _directories = [Root, .. (extraDirectories ?? []).Select(directory => Sdk.Tools.WorkspacePaths.RealPath(Path.GetFullPath(Expand(directory), Root)))];
    }

    /// <summary>Whether the file system compares names ignoring case (Windows, macOS).</summary>
    public static bool FileSystemIgnoresCase { get; } = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    /// <summary>The real path of the sandbox root.</summary>
    public string Root { get; }

    /// <summary>The real path of the home directory.</summary>
    public string Home { get; }

    /// <summary>The real paths of the sandbox directories: the root first, then the extra directories.</summary>
    public IReadOnlyList<string> Directories => _directories;

    /// <summary>The user's protected places (the project's are found from <see cref="Root"/>).</summary>
    public ProtectedPaths ProtectedPaths { get; }

    /// <summary>Whether a real path is one of the sandbox directories or below one.</summary>
    /// <param name="realPath">A full path with symbolic links resolved.</param>
    /// <returns><see langword="true"/> when inside.</returns>
    public bool Contains(string realPath) => _directories.Any(root => IsInside(realPath, root));

    /// <summary>
    /// Whether a path as written (relative to <paramref name="baseDirectory"/>, default the root) is inside the sandbox
    /// in every reading of it; a path known only at run time (<c>$X/a</c>, <c>~user</c>) or unresolvable is not.
    /// </summary>
    /// <param name="path">The path as a tool or a shell line spells it.</param>
    /// <param name="baseDirectory">What a relative path is relative to.</param>
    /// <returns><see langword="true"/> when every reading is inside.</returns>
    public bool ContainsPath(string path, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return !PathTarget(TargetKind.Read, path, dynamic: false, baseDirectory ?? Root).Outside;
    }

    /// <summary>Why writing a path is protected, or <see langword="null"/> when it is not (every reading of the path is checked).</summary>
    /// <param name="path">The path as written (relative to the root).</param>
    /// <returns>The reason, e.g. <c>agent configuration (.agent/)</c>.</returns>
    public string? ProtectionOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Protection(PathTarget(TargetKind.Write, path, HasExpansion(path), Root))?.Reason;
    }

    /// <summary>The real paths a path as written may mean (every spelling, both readings of <c>..</c>).</summary>
    /// <param name="path">The path as written.</param>
    /// <param name="baseDirectory">What a relative path is relative to (default: the root).</param>
    /// <returns>The real paths, or empty when the path is known only at run time or cannot be resolved.</returns>
    public IReadOnlyList<string> RealPaths(string path, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return PathTarget(TargetKind.Read, path, dynamic: false, baseDirectory ?? Root).RealPaths;
    }

    internal Target PathTarget(TargetKind kind, string path, bool dynamic, string? baseDirectory)
    {
        var target = new Target(kind, path) { Dynamic = dynamic, BaseDirectory = baseDirectory };
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return target with { Dynamic = true, Outside = true, Invalid = "the path contains a NUL character" };
        }

        var expanded = Expand(path);
        if (dynamic || HasExpansion(expanded) || IsOtherUsersHome(path) || (baseDirectory is null && !IsRooted(expanded)))
        {
            // $VAR, $(…), ~user, ~+ and ~-, or relative to a directory only known at run time.
            return target with { Dynamic = true, Outside = true };
        }

        try
        {
            var (lexical, real) = Resolve(path, baseDirectory!);
            return target with
            {
                FullPath = real[0],
                LexicalPath = lexical[0],
                RealPaths = real,
                LexicalPaths = lexical,
                Outside = real.Any(candidate => !Contains(candidate)),
            };
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return target with { Dynamic = true, Outside = true, Unparsed = ex.Message };
        }
    }

    /// <summary>
    /// The target <see cref="PathTarget"/> builds for <paramref name="realPath"/> as written relative to the root, made
    /// without resolving it again — for a path the caller knows to be real: absolute, normalised, and with no symbolic
    /// link in any part (its folder was resolved and the file was listed or checked as no link). Such a path has one
    /// spelling, itself, and both readings of it resolve to itself, so the target is the path alone. <see langword="null"/>
    /// when the path is not spelled that plainly (<see cref="IsPlainSpelling"/>): then <see cref="PathTarget"/> decides.
    /// </summary>
    /// <param name="kind">Read or write.</param>
    /// <param name="realPath">The real path.</param>
    /// <returns>The target, or <see langword="null"/>.</returns>
    internal Target? KnownRealTarget(TargetKind kind, string realPath)
    {
        if (!IsPlainSpelling(realPath))
        {
            return null;
        }

        var paths = new[] { realPath };
        return new Target(kind, realPath)
        {
            BaseDirectory = Root,
            FullPath = realPath,
            LexicalPath = realPath,
            RealPaths = paths,
            LexicalPaths = paths,
            Outside = !Contains(realPath),
        };
    }

    /// <summary>
    /// Whether <see cref="PathTarget"/> reads <paramref name="path"/> as exactly one spelling, the path itself, apart from
    /// resolving links: a fully qualified, normalised path (no <c>.</c>, <c>..</c> or doubled separators, no separator
    /// at the end: what <see cref="Path.GetFullPath(string)"/> returns unchanged) on Linux or macOS, with nothing the general path reads another way — no <c>\</c> (also a separator there), no name ending in
    /// a dot or a space (also checked trimmed), no <c>$</c> or <c>`</c> (a path computed at run time), no new line (a
    /// list of paths) or NUL, and no white space at either end (trimmed from a subject). Windows paths always take the
    /// general path.
    /// </summary>
    internal static bool IsPlainSpelling(string path)
    {
        if (OperatingSystem.IsWindows() || path.Length < 2 || path[0] != '/' || char.IsWhiteSpace(path[^1])
            || path.AsSpan().IndexOfAny(NotPlain) >= 0)
        {
            return false;
        }

        for (var i = 1; i < path.Length; i++)
        {
            if (path[i] == '/' && path[i - 1] is '.' or ' ' or '/')
            {
                return false;
            }
        }

        return path[^1] is not ('.' or '/');
    }

    /// <summary>A redirection target with unquoted glob characters: the shell picks an existing file that matches.</summary>
    internal Target GlobTarget(TargetKind kind, string path, string? baseDirectory)
    {
        var target = new Target(kind, path) { Dynamic = true, Outside = true, BaseDirectory = baseDirectory };
        var expanded = Expand(path);
        if (path.Contains('\0', StringComparison.Ordinal) || HasExpansion(expanded) || IsOtherUsersHome(path) || (baseDirectory is null && !IsRooted(expanded)))
        {
            return target;
        }

        try
        {
            var real = new List<string>();
            foreach (var match in ShellGlob.Expand(expanded, baseDirectory!).Append(expanded))
            {
                foreach (var candidate in Resolve(match, baseDirectory!).Real)
                {
                    AddDistinct(real, candidate);
                }
            }

            return target with { RealPaths = real };
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return target with { Unparsed = ex.Message };
        }
    }

    /// <summary>The full paths a path as written may mean (lexical, <c>..</c> normalised) and their real paths (symbolic links resolved).</summary>
    internal (List<string> Lexical, List<string> Real) Resolve(string path, string baseDirectory)
    {
        List<string> spellings = [path.Replace('\\', '/')];
        if (!OperatingSystem.IsWindows() && path.Contains('\\', StringComparison.Ordinal))
        {
            spellings.Add(path);
        }

        foreach (var spelling in spellings.ToList())
        {
            AddDistinct(spellings, TrimNameEnds(spelling));
        }

        var lexical = new List<string>();
        var real = new List<string>();
        foreach (var spelling in spellings)
        {
            var expanded = Expand(spelling);
            var full = Path.GetFullPath(expanded, baseDirectory);
            AddDistinct(lexical, full);
            AddDistinct(real, SymbolicLinks.Resolve(full, lexicalLinks: true));
            AddDistinct(real, SymbolicLinks.Resolve(Path.Combine(baseDirectory, expanded), lexicalLinks: false));
        }

        return (lexical, real);
    }

    /// <summary>Expands <c>~</c>, <c>$HOME</c> and <c>${HOME}</c> at the start of a path.</summary>
    internal string Expand(string path)
    {
        foreach (var home in new[] { "~", "$HOME", "${HOME}" })
        {
            if (path == home)
            {
                return Home;
            }

            if (path.StartsWith(home + "/", StringComparison.Ordinal) || path.StartsWith(home + "\\", StringComparison.Ordinal))
            {
                return Path.Combine(Home, path[(home.Length + 1)..]);
            }
        }

        return path;
    }

    /// <summary><c>~user/x</c>, <c>~+</c>, <c>~-</c>: the shell expands them to places the engine cannot know.</summary>
    internal static bool IsOtherUsersHome(string path) =>
        path.StartsWith('~') && path.Length > 1 && path[1] is not ('/' or '\\');

    /// <summary>Windows drops trailing dots and spaces from names (<c>secrets. /x</c> is <c>secrets/x</c>).</summary>
    private static string TrimNameEnds(string path)
    {
        var parts = path.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0 || part is "." or ".." || !(part.EndsWith('.') || part.EndsWith(' ')))
            {
                continue;
            }

            var trimmed = part.TrimEnd('.', ' ');
            parts[i] = trimmed.Length > 0 ? trimmed : part.Count(c => c == '.') >= 2 ? ".." : ".";
        }

        return string.Join('/', parts);
    }

    private static void AddDistinct(List<string> list, string item)
    {
        if (!list.Contains(item, StringComparer.Ordinal))
        {
            list.Add(item);
        }
    }

    internal static bool HasExpansion(string text) => text.Contains('$', StringComparison.Ordinal) || text.Contains('`', StringComparison.Ordinal);

    internal static bool IsNullDevice(string target) => target is "/dev/null" or "NUL" or "nul" or "/dev/stdout" or "/dev/stderr";

    internal static bool IsPathLike(string? subject) =>
        subject is { Length: > 0 } && subject[0] is not ('{' or '[') && !subject.Contains('\n', StringComparison.Ordinal);

    /// <summary>Whether <paramref name="real"/> is <paramref name="root"/> or below it (ignoring case where the file system does).</summary>
    internal static bool IsInside(string real, string root)
    {
        var comparison = FileSystemIgnoresCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return real.Equals(root, comparison)
            || (real.StartsWith(root, comparison) && (real[root.Length] == Path.DirectorySeparatorChar || root.EndsWith(Path.DirectorySeparatorChar)));
    }

    /// <summary>
    /// The places a command argument may name, for the safety floor: the path as written and its real paths, or every
    /// match of a glob. Relative to a directory only known at run time (<c>cd $X &amp;&amp; cat id_rsa</c>), a name is
    /// tried in the credential folders of the home directory.
    /// </summary>
    internal List<string> ResolveWord(string word, string? baseDirectory)
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
                List<string> spellings = PathPattern.HasGlob(expanded) ? [.. ShellGlob.Expand(expanded, folder), expanded] : [expanded];
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

    internal static bool IsRooted(string path) => Path.IsPathRooted(path.Replace('\\', '/'));

    /// <summary>Resolves symbolic links in every component (<see cref="SymbolicLinks.Resolve"/>).</summary>
    internal static string RealPath(string path, bool lexicalLinks) => SymbolicLinks.Resolve(path, lexicalLinks);

    /// <summary>The real path, or the path itself when it cannot be resolved (<see cref="SymbolicLinks.ResolveOrSelf"/>).</summary>
    internal static string RealPathOrSelf(string path) => SymbolicLinks.ResolveOrSelf(path);

    /// <summary>The path with every symbolic link in it followed, as permission rules compare paths; the path itself when that fails.</summary>
    /// <param name="path">An absolute path.</param>
    /// <returns>The real path.</returns>
    public static string RealPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return RealPathOrSelf(Path.GetFullPath(path));
    }

    /// <summary>Why a write to the target is protected, and the protected place, or <see langword="null"/> (<see cref="WriteProtection"/>).</summary>
    internal (string Reason, string Area)? Protection(Target target) => _protection.Of(target);
}
